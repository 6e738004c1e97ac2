#include "intel/list_locations.h"

#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>
#include <filesystem>

#include "intel/list_fetcher.h"

namespace vigil {

StatusOr<std::string> CanonicalListLocation(std::string_view location) {
  if (std::optional<S3Object> object = ParseS3Location(location)) {
    // Dot segments would be squashed on the way (an S3 endpoint's URL path, the --s3-root
    // folder) and could name another bucket; no real key needs them.
    const std::string key = "/" + object->key + "/";
    if (key.find("/./") != std::string::npos || key.find("/../") != std::string::npos) {
      return Status::InvalidInput("the S3 key of " + std::string(location) +
                                  " has '.' or '..' segments");
    }
    return "s3://" + object->bucket + "/" + object->key;
  }
  auto parsed = boost::urls::parse_uri(location);
  if (!parsed) return Status::InvalidInput("'" + std::string(location) + "' is not a URI");
  boost::urls::url url(*parsed);
  url.normalize();
  const std::string scheme(url.scheme());
  if (scheme == "file") {
    if (!url.host().empty() && url.host() != "localhost") {
      return Status::InvalidInput("file locations must be file:///absolute/path");
    }
    const std::string path(url.path());
    std::error_code ec;
    std::string canonical = std::filesystem::weakly_canonical(path, ec).string();
    if (ec) return Status::InvalidInput("cannot resolve " + path + ": " + ec.message());
    // weakly_canonical drops a trailing slash; a folder prefix keeps it.
    if (path.ends_with('/') && !canonical.ends_with('/')) canonical += '/';
    return "file://" + canonical;
  }
  if (scheme == "http" || scheme == "https") return std::string(url.buffer());
  // A bucket prefix ("s3://bucket/") has no key, so ParseS3Location passed it by.
  if (scheme == "s3" && !url.host().empty()) return std::string(url.buffer());
  return Status::InvalidInput("unsupported location scheme '" + scheme +
                              "' (use file://, http://, https:// or s3://)");
}

StatusOr<ListLocationPolicy> ListLocationPolicy::FromPrefixes(
    const std::vector<std::string>& prefixes) {
  ListLocationPolicy policy;
  for (const std::string& prefix : prefixes) {
    StatusOr<std::string> canonical = CanonicalListLocation(prefix);
    if (!canonical.ok()) {
      return Status::InvalidInput("--list-location '" + prefix +
                                  "': " + canonical.status().message());
    }
    policy.prefixes_.push_back(*std::move(canonical));
  }
  return policy;
}

Status ListLocationPolicy::Check(std::string_view location) const {
  if (!restricts()) return Status::Ok();
  VIGIL_ASSIGN_OR_RETURN(std::string canonical, CanonicalListLocation(location));
  for (const std::string& prefix : prefixes_) {
    if (canonical.starts_with(prefix)) return Status::Ok();
  }
  return Status::InvalidInput("'" + std::string(location) +
                              "' is outside the list locations this server allows "
                              "(vigil serve --list-location)");
}

}  // namespace vigil
