#include "api/pagination.h"

#include <charconv>

#include "core/json_input.h"

namespace vigil::api {

namespace {
constexpr std::string_view kTokenPrefix = "v1.";
constexpr char kHex[] = "0123456789abcdef";

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}
}  // namespace

std::string EncodePageToken(std::string_view last_key) {
  std::string token(kTokenPrefix);
  for (unsigned char c : last_key) {
    token.push_back(kHex[c >> 4]);
    token.push_back(kHex[c & 0xf]);
  }
  return token;
}

std::optional<std::string> DecodePageToken(std::string_view token) {
  if (!token.starts_with(kTokenPrefix)) return std::nullopt;
  token.remove_prefix(kTokenPrefix.size());
  if (token.empty() || token.size() % 2 != 0 || token.size() > 2048) return std::nullopt;
  std::string key;
  for (size_t i = 0; i < token.size(); i += 2) {
    const int high = HexValue(token[i]);
    const int low = HexValue(token[i + 1]);
    if (high < 0 || low < 0) return std::nullopt;
    key.push_back(static_cast<char>(high << 4 | low));
  }
  return key;
}

std::string EncodeOffsetToken(size_t offset) { return EncodePageToken(std::to_string(offset)); }

std::optional<size_t> DecodeOffsetToken(std::string_view token) {
  const std::optional<std::string> decoded = DecodePageToken(token);
  if (!decoded) return std::nullopt;
  size_t offset = 0;
  const auto [end, error] =
      std::from_chars(decoded->data(), decoded->data() + decoded->size(), offset);
  if (error != std::errc() || end != decoded->data() + decoded->size()) return std::nullopt;
  return offset;
}

StatusOr<PageRequest> MakePageRequest(std::optional<std::string_view> max_results,
                                      std::optional<std::string_view> next_token) {
  PageRequest page;
  if (max_results) {
    int64_t limit = 0;
    const auto [end, error] =
        std::from_chars(max_results->data(), max_results->data() + max_results->size(), limit);
    if (error != std::errc() || end != max_results->data() + max_results->size()) {
      return InvalidParameter("maxResults", "expected an integer.");
    }
    if (limit < 1 || limit > 50) {
      return InvalidParameter("maxResults", "the value is out-of-bounds (1-50).");
    }
    page.limit = static_cast<size_t>(limit);
  }
  if (next_token && !next_token->empty()) {
    std::optional<std::string> after = DecodePageToken(*next_token);
    if (!after) return InvalidParameter("nextToken", "the token is not one this service issued.");
    page.after = std::move(*after);
  }
  return page;
}

}  // namespace vigil::api
