// intel/: threat and trusted lists, from fetching and parsing to the compiled matchers
// that detection rules query per record.
//
// IpMatcher lookups sit on the flow-log hot path (two per record), so the layout is chosen
// for few cache misses per lookup at GuardDuty's largest size (6 × 250,000 entries, about
// 2.25 M intervals): the flat interval array plus an index by the address's top 20 bits
// that leaves one or two intervals to search, about 40 M lookups/s on one core in 22 MB.
// A binary search over the whole array measured 5-7 M/s, a 16-bit index 25-30 M/s.
// DIR-24-8 was ruled out by size: its first table alone is 64 MiB, and the ~860,000 /24
// blocks such lists split would need second-level tables of hundreds of MiB.
#include "intel/ip_matcher.h"

#include <algorithm>
#include <array>
#include <bit>
#include <limits>
#include <utility>

namespace vigil {

namespace {

constexpr uint32_t kMaxLists = 32;

// A boundary event packed so that sorting the integers sorts by position: the position
// (the first address an entry covers, or the one after its last) above one bit telling
// a start from an end, above the list index.
constexpr int kListBits = 5;
constexpr int kEndBit = kListBits;
constexpr int kPositionShift = kListBits + 1;
constexpr int kEventKeyBits = 32 + kPositionShift;

uint64_t StartEvent(uint32_t position, uint32_t list_index) {
  return (uint64_t{position} << kPositionShift) | list_index;
}
uint64_t EndEvent(uint32_t position, uint32_t list_index) {
  return (uint64_t{position} << kPositionShift) | (uint64_t{1} << kEndBit) | list_index;
}
uint32_t EventPosition(uint64_t event) { return static_cast<uint32_t>(event >> kPositionShift); }
bool IsEndEvent(uint64_t event) { return (event >> kEndBit) & 1; }
uint32_t EventList(uint64_t event) { return event & (kMaxLists - 1); }

// LSD radix sort of keys below 2^key_bits. At 3 million events it takes about a third of
// std::sort's time, which dominated building a full snapshot.
void RadixSort(std::vector<uint64_t>& keys, int key_bits) {
  constexpr int kDigitBits = 13;  // 3 passes over 38-bit keys; wider digits scatter worse
  constexpr size_t kBuckets = size_t{1} << kDigitBits;
  std::vector<uint64_t> scratch(keys.size());
  std::vector<size_t> offsets(kBuckets);
  for (int shift = 0; shift < key_bits; shift += kDigitBits) {
    std::fill(offsets.begin(), offsets.end(), 0);
    for (uint64_t key : keys) ++offsets[(key >> shift) & (kBuckets - 1)];
    size_t next_offset = 0;
    for (size_t& offset : offsets) next_offset += std::exchange(offset, next_offset);
    for (uint64_t key : keys) scratch[offsets[(key >> shift) & (kBuckets - 1)]++] = key;
    keys.swap(scratch);
  }
}

// Index size: one bucket per one to two intervals keeps the per-lookup search to a step or
// two while the index stays no larger than the interval starts. 2^20 buckets
// (4 MiB) is the cap: at 2.25 M intervals a 2^22 index (16 MiB) measured no faster.
int IndexBitsFor(size_t interval_count) {
  constexpr int kMinIndexBits = 4;
  constexpr int kMaxIndexBits = 20;
  return std::clamp(static_cast<int>(std::bit_width(interval_count)) - 1, kMinIndexBits,
                    kMaxIndexBits);
}

}  // namespace

IpMatcher IpMatcher::Build(const std::vector<Entry>& entries) {
  std::vector<uint64_t> events;
  events.reserve(entries.size() * 2);
  for (const Entry& entry : entries) {
    if (entry.list_index >= kMaxLists || entry.range.first > entry.range.last) continue;
    events.push_back(StartEvent(entry.range.first, entry.list_index));
    // An entry reaching 255.255.255.255 never ends inside the address space.
    if (entry.range.last != std::numeric_limits<uint32_t>::max()) {
      events.push_back(EndEvent(entry.range.last + 1, entry.list_index));
    }
  }
  RadixSort(events, kEventKeyBits);

  IpMatcher matcher;
  // Interval 0 always starts at address 0, so every address falls in some interval.
  matcher.starts_.push_back(0);
  matcher.masks_.push_back(0);
  // Entries of one list may overlap (duplicates, a CIDR and an address inside it), so a
  // list's bit clears only when its last covering entry ends.
  std::array<uint32_t, kMaxLists> covering_entries{};
  ListMask mask = 0;
  for (size_t i = 0; i < events.size();) {
    const uint32_t position = EventPosition(events[i]);
    for (; i < events.size() && EventPosition(events[i]) == position; ++i) {
      const uint32_t list = EventList(events[i]);
      if (IsEndEvent(events[i])) {
        if (--covering_entries[list] == 0) mask &= ~(ListMask{1} << list);
      } else {
        if (covering_entries[list]++ == 0) mask |= ListMask{1} << list;
      }
    }
    if (mask == matcher.masks_.back()) continue;  // merges neighbours with equal masks
    if (matcher.starts_.back() == position) {
      // Only possible at address 0, replacing the initial gap.
      matcher.masks_.back() = mask;
    } else {
      matcher.starts_.push_back(position);
      matcher.masks_.push_back(mask);
    }
  }
  matcher.starts_.shrink_to_fit();
  matcher.masks_.shrink_to_fit();

  const int index_bits = IndexBitsFor(matcher.starts_.size());
  matcher.index_shift_ = 32 - index_bits;
  const size_t bucket_count = size_t{1} << index_bits;
  matcher.index_.resize(bucket_count + 1);
  uint32_t interval = 0;
  for (size_t bucket = 0; bucket < bucket_count; ++bucket) {
    const uint64_t bucket_start = uint64_t{bucket} << matcher.index_shift_;
    while (interval + 1 < matcher.starts_.size() && matcher.starts_[interval + 1] <= bucket_start) {
      ++interval;
    }
    matcher.index_[bucket] = interval;
  }
  matcher.index_[bucket_count] = static_cast<uint32_t>(matcher.starts_.size() - 1);
  return matcher;
}

// Inline so that LookupAll's loop schedules it with the prefetches.
inline ListMask IpMatcher::Search(uint32_t address) const {
  const uint32_t bucket = address >> index_shift_;
  // The address's interval lies between the one holding the bucket's first address and
  // the one holding the next bucket's first address, both included.
  const uint32_t* base = starts_.data() + index_[bucket];
  size_t count = index_[bucket + 1] - index_[bucket] + 1;
  // Branch-free (cmov) binary search for the last start <= address: no mispredictions,
  // so the CPU overlaps the cache misses of consecutive lookups.
  while (count > 1) {
    const size_t half = count / 2;
    base = base[half] <= address ? base + half : base;
    count -= half;
  }
  return masks_[base - starts_.data()];
}

ListMask IpMatcher::Lookup(uint32_t address) const {
  if (index_.empty()) return 0;  // default-constructed
  return Search(address);
}

void IpMatcher::LookupAll(std::span<const uint32_t> addresses, std::span<ListMask> masks) const {
  if (index_.empty()) {  // default-constructed
    std::fill(masks.begin(), masks.end(), 0);
    return;
  }
  // Two stages ahead of the lookup: the index entry of the address kIndexAhead later, then
  // (the index entry having arrived) the intervals of the one kIntervalsAhead later.
  constexpr size_t kIndexAhead = 16;
  constexpr size_t kIntervalsAhead = 8;
  const size_t count = addresses.size();
  for (size_t i = 0; i < count; ++i) {
    if (i + kIndexAhead < count) {
      __builtin_prefetch(&index_[addresses[i + kIndexAhead] >> index_shift_]);
    }
    if (i + kIntervalsAhead < count) {
      const uint32_t first = index_[addresses[i + kIntervalsAhead] >> index_shift_];
      __builtin_prefetch(&starts_[first]);
      __builtin_prefetch(&masks_[first]);
    }
    masks[i] = Search(addresses[i]);
  }
}

size_t IpMatcher::interval_count() const { return starts_.size(); }

size_t IpMatcher::memory_bytes() const {
  return sizeof(*this) + starts_.capacity() * sizeof(uint32_t) +
         masks_.capacity() * sizeof(ListMask) + index_.capacity() * sizeof(uint32_t);
}

}  // namespace vigil
