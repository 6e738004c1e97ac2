#include "http/request_identity.h"

#include <algorithm>
#include <cctype>

#include "core/ids.h"

namespace vigil::http {

Identity IdentityFromAuthorization(std::string_view authorization,
                                   const IdentityDefaults& defaults) {
  Identity identity{"", defaults.account, defaults.region};
  const size_t credential = authorization.find("Credential=");
  if (credential == std::string_view::npos) return identity;
  std::string_view scope =
      authorization.substr(credential + std::string_view("Credential=").size());
  scope = scope.substr(0, scope.find_first_of(", "));
  // scope: AKID/DATE/REGION/SERVICE/aws4_request
  const size_t key_end = scope.find('/');
  if (key_end == std::string_view::npos) return identity;
  identity.access_key_id = std::string(scope.substr(0, key_end));
  if (IsAccountId(identity.access_key_id)) identity.account = identity.access_key_id;
  const size_t date_end = scope.find('/', key_end + 1);
  if (date_end == std::string_view::npos) return identity;
  const size_t region_end = scope.find('/', date_end + 1);
  if (region_end == std::string_view::npos) return identity;
  const std::string_view region = scope.substr(date_end + 1, region_end - date_end - 1);
  const bool plausible = !region.empty() && region.size() <= 32 &&
                         std::all_of(region.begin(), region.end(), [](char c) {
                           return std::islower(static_cast<unsigned char>(c)) ||
                                  std::isdigit(static_cast<unsigned char>(c)) || c == '-';
                         });
  if (plausible) identity.region = std::string(region);
  return identity;
}

}  // namespace vigil::http
