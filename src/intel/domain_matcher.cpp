#include "intel/domain_matcher.h"

#include <algorithm>
#include <bit>
#include <functional>
#include <string>
#include <utility>

namespace vigil {

namespace {

constexpr size_t kMaxDomainLength = 253;  // RFC 1035, without the root's trailing dot
constexpr uint32_t kMaxLists = 32;
constexpr std::string_view kWildcardPrefix = "*.";

char AsciiLower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

// 16 to 32 filter bits per key: 1 in 16 to 1 in 32 absent suffixes get past the filter,
// and at 250,000 domains the filter (512 KiB) still sits in L2.
constexpr size_t kKeyFilterBitsPerKey = 16;

// std::hash<std::string_view> equals std::hash<std::string> on the same characters, so a
// suffix is hashed without building a string. Multiplying spreads the hash's bits so the
// top ones pick the filter bit.
size_t KeyFilterBit(size_t hash, int shift) {
  return static_cast<size_t>((uint64_t{hash} * 0x9e3779b97f4a7c15) >> shift);
}

std::string_view WithoutTrailingDot(std::string_view domain) {
  if (domain.ends_with('.')) domain.remove_suffix(1);
  return domain;
}

// Bytes one map holds on the heap, estimated for libstdc++'s node layout (next pointer,
// value, cached hash) plus the bucket array and any key too long for the small-string buffer.
size_t MapMemoryBytes(const std::unordered_map<std::string, ListMask>& map) {
  constexpr size_t kNodeBytes =
      sizeof(void*) + sizeof(std::pair<const std::string, ListMask>) + sizeof(size_t);
  const std::string empty;
  size_t bytes = map.bucket_count() * sizeof(void*) + map.size() * kNodeBytes;
  for (const auto& [domain, mask] : map) {
    if (domain.capacity() > empty.capacity()) bytes += domain.capacity() + 1;
  }
  return bytes;
}

}  // namespace

DomainMatcher DomainMatcher::Build(const std::vector<Entry>& entries) {
  DomainMatcher matcher;
  for (const Entry& entry : entries) {
    if (entry.list_index >= kMaxLists) continue;
    // Parsers already normalize, but Build is public: normalize again so lookups, which
    // only ever see lowercase keys, cannot miss an entry written in capitals.
    std::string domain(WithoutTrailingDot(entry.domain));
    for (char& c : domain) c = AsciiLower(c);
    auto* map = &matcher.exact_;
    if (domain.starts_with(kWildcardPrefix)) {
      domain.erase(0, kWildcardPrefix.size());
      map = &matcher.wildcard_;
    }
    if (domain.empty() || domain.size() > kMaxDomainLength) continue;  // can never match
    (*map)[std::move(domain)] |= ListMask{1} << entry.list_index;
  }

  const size_t filter_bits =
      std::bit_ceil(std::max<size_t>(64, matcher.size() * kKeyFilterBitsPerKey));
  matcher.key_filter_shift_ = 64 - std::countr_zero(filter_bits);
  matcher.key_filter_.assign(filter_bits / 64, 0);
  for (const auto* map : {&matcher.exact_, &matcher.wildcard_}) {
    for (const auto& [domain, mask] : *map) {
      const size_t bit = KeyFilterBit(std::hash<std::string>{}(domain), matcher.key_filter_shift_);
      matcher.key_filter_[bit / 64] |= uint64_t{1} << (bit % 64);
    }
  }
  return matcher;
}

ListMask DomainMatcher::Lookup(std::string_view domain) const {
  domain = WithoutTrailingDot(domain);
  if (domain.empty() || domain.size() > kMaxDomainLength || size() == 0) return 0;
  char lowercase[kMaxDomainLength];
  for (size_t i = 0; i < domain.size(); ++i) lowercase[i] = AsciiLower(domain[i]);
  const std::string_view name(lowercase, domain.size());

  // The maps' keys are std::string with the default (non-transparent) hash, so a probe
  // needs a std::string; one per thread, reserved once, makes probing allocation-free.
  thread_local std::string key;
  key.reserve(kMaxDomainLength);
  const auto find = [&](const std::unordered_map<std::string, ListMask>& map) -> ListMask {
    if (map.empty()) return 0;
    const auto found = map.find(key);
    return found == map.end() ? 0 : found->second;
  };

  // The whole name may be an exact entry; each proper suffix starting after a '.' may be
  // an exact entry (a parent domain) or a wildcard entry (the name is a strict subdomain).
  ListMask mask = 0;
  for (size_t start = 0; start != std::string_view::npos;) {
    const std::string_view suffix = name.substr(start);
    const size_t bit = KeyFilterBit(std::hash<std::string_view>{}(suffix), key_filter_shift_);
    if ((key_filter_[bit / 64] >> (bit % 64)) & 1) {
      key.assign(suffix);
      mask |= find(exact_) | (start == 0 ? 0 : find(wildcard_));
    }
    const size_t dot = name.find('.', start);
    start = dot == std::string_view::npos ? dot : dot + 1;
  }
  return mask;
}

size_t DomainMatcher::memory_bytes() const {
  return sizeof(*this) + MapMemoryBytes(exact_) + MapMemoryBytes(wildcard_) +
         key_filter_.capacity() * sizeof(uint64_t);
}

}  // namespace vigil
