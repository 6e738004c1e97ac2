#include "api/validation.h"

#include <array>
#include <boost/url/parse.hpp>

namespace vigil::api {

namespace json = boost::json;

namespace {

bool IsFilterNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '-';
}

bool IsTagKeyChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '+' && c <= '=') || c == '.' ||
         c == '_' || c == ':' || c == '/';
}

}  // namespace

Status ValidateFilterName(std::string_view name, std::string_view parameter) {
  if (name.size() < 3 || name.size() > 64) {
    return InvalidParameter(parameter, "length must be between 3 and 64.");
  }
  for (char c : name) {
    if (!IsFilterNameChar(c)) {
      return InvalidParameter(parameter, "only letters, digits, '.', '_' and '-' are allowed.");
    }
  }
  return Status::Ok();
}

Status ValidateTagKey(std::string_view key, std::string_view parameter) {
  if (key.empty() || key.size() > 128) {
    return InvalidParameter(parameter, "tag key length must be between 1 and 128.");
  }
  if (key.starts_with("aws:")) {
    return InvalidParameter(parameter, "tag keys must not start with 'aws:'.");
  }
  for (char c : key) {
    if (!IsTagKeyChar(c)) {
      return InvalidParameter(
          parameter, "tag key '" + std::string(key) + "' must match ^(?!aws:)[a-zA-Z+-=._:/]+$.");
    }
  }
  return Status::Ok();
}

Status ValidateTags(const Tags& tags, std::string_view parameter) {
  if (tags.empty()) return InvalidParameter(parameter, "at least one tag is required.");
  if (tags.size() > kMaxTagsPerResource) {
    return InvalidParameter(parameter, "a resource can have at most 50 tags.");
  }
  for (const auto& [key, value] : tags) {
    VIGIL_RETURN_IF_ERROR(ValidateTagKey(key, parameter));
    if (value.size() > 256) {
      return InvalidParameter(parameter,
                              "the value of tag '" + key + "' is longer than 256 characters.");
    }
  }
  return Status::Ok();
}

std::optional<Tags> ReadTags(JsonReader& in, std::string_view name, Presence presence) {
  const json::object* object = in.Object(name, presence);
  if (object == nullptr) return std::nullopt;
  Tags tags;
  for (const auto& member : *object) {
    if (!member.value().is_string()) {
      in.Fail(InvalidParameter(in.PathOf(name), "the value of tag '" + std::string(member.key()) +
                                                    "' must be a string."));
      return std::nullopt;
    }
    tags[std::string(member.key())] = std::string(member.value().as_string());
  }
  if (Status valid = ValidateTags(tags, in.PathOf(name)); !valid.ok()) {
    in.Fail(std::move(valid));
    return std::nullopt;
  }
  return tags;
}

bool IsUri(std::string_view location) {
  auto uri = boost::urls::parse_uri(location);
  return uri && uri->has_scheme() && (uri->has_authority() || !uri->encoded_path().empty());
}

}  // namespace vigil::api
