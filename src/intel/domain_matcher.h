// DomainMatcher: which lists name a domain. An entry "example.com" matches that domain
// and every subdomain (GuardDuty's parent-domain match); "*.example.org" matches only
// subdomains of example.org. Matching is case-insensitive and ignores a trailing dot.
// Immutable and thread-safe to read.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "intel/ip_matcher.h"

namespace vigil {

class DomainMatcher {
 public:
  struct Entry {
    std::string domain;  // "example.com" or "*.example.org"
    uint32_t list_index = 0;
  };

  DomainMatcher() = default;
  static DomainMatcher Build(const std::vector<Entry>& entries);

  // The lists naming `domain` or one of its parents; 0 when none.
  ListMask Lookup(std::string_view domain) const;

  size_t size() const { return exact_.size() + wildcard_.size(); }
  size_t memory_bytes() const;

 private:
  std::unordered_map<std::string, ListMask> exact_;     // domain and its subdomains
  std::unordered_map<std::string, ListMask> wildcard_;  // subdomains only (key without "*.")
  // One bit per hash of every key of both maps: most suffixes a lookup tries are in
  // neither, and this rejects them from cache instead of with a map probe's misses.
  std::vector<uint64_t> key_filter_;
  int key_filter_shift_ = 64;
};

}  // namespace vigil
