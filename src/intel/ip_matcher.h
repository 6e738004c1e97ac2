// IpMatcher: which lists contain an IPv4 address. Built once from (range, list)
// entries into sorted disjoint intervals, each carrying the set of lists that cover
// it, so a lookup is one search over a flat array. Immutable and thread-safe to read.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "intel/list_parser.h"

namespace vigil {

// Bit i set = list i of the snapshot the matcher belongs to (at most 32 lists).
using ListMask = uint32_t;

class IpMatcher {
 public:
  struct Entry {
    Ipv4Range range;
    uint32_t list_index = 0;  // < 32
  };

  IpMatcher() = default;
  // Overlapping and adjacent entries are merged; the masks of overlaps are combined.
  static IpMatcher Build(const std::vector<Entry>& entries);

  // The lists containing `address` (host byte order); 0 when none.
  ListMask Lookup(uint32_t address) const;
  // Lookup of each address into `masks` (the same size). Faster than one at a time: a
  // lookup is three dependent cache misses, and here later addresses' misses are started
  // (prefetched) while earlier ones are searched.
  void LookupAll(std::span<const uint32_t> addresses, std::span<ListMask> masks) const;

  size_t interval_count() const;
  size_t memory_bytes() const;

 private:
  // Lookup of a built matcher (defined inline in the .cpp for Lookup and LookupAll).
  ListMask Search(uint32_t address) const;

  // Interval i covers [starts_[i], starts_[i+1]) with masks_[i] (0 for gaps).
  std::vector<uint32_t> starts_;
  std::vector<ListMask> masks_;
  // index_[b] = the interval holding the first address of bucket b (the addresses sharing
  // their top 32 - index_shift_ bits); index_[bucket count] = the last interval.
  std::vector<uint32_t> index_;
  int index_shift_ = 32;
};

}  // namespace vigil
