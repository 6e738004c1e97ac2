#include "intel/ip_matcher.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <random>
#include <vector>

namespace vigil {
namespace {

constexpr uint32_t kMaxAddress = std::numeric_limits<uint32_t>::max();

constexpr uint32_t Address(uint32_t a, uint32_t b, uint32_t c, uint32_t d) {
  return (a << 24) | (b << 16) | (c << 8) | d;
}

IpMatcher::Entry Range(uint32_t first, uint32_t last, uint32_t list_index) {
  return {Ipv4Range{first, last}, list_index};
}

IpMatcher::Entry Cidr(uint32_t base, int prefix_length, uint32_t list_index) {
  const uint32_t netmask = prefix_length == 0 ? 0 : kMaxAddress << (32 - prefix_length);
  return Range(base & netmask, (base & netmask) | ~netmask, list_index);
}

ListMask Bit(uint32_t list_index) { return ListMask{1} << list_index; }

TEST(IpMatcherTest, DefaultConstructedMatchesNothing) {
  const IpMatcher matcher;
  EXPECT_EQ(matcher.Lookup(0), 0u);
  EXPECT_EQ(matcher.Lookup(Address(192, 0, 2, 1)), 0u);
  EXPECT_EQ(matcher.Lookup(kMaxAddress), 0u);
}

TEST(IpMatcherTest, BuiltFromNoEntriesMatchesNothing) {
  const IpMatcher matcher = IpMatcher::Build({});
  EXPECT_EQ(matcher.interval_count(), 1u);
  EXPECT_EQ(matcher.Lookup(0), 0u);
  EXPECT_EQ(matcher.Lookup(Address(10, 1, 2, 3)), 0u);
  EXPECT_EQ(matcher.Lookup(kMaxAddress), 0u);
}

TEST(IpMatcherTest, RangeIncludesBothEdgesAndNothingOutside) {
  const IpMatcher matcher =
      IpMatcher::Build({Range(Address(192, 0, 2, 10), Address(192, 0, 2, 20), 3)});
  EXPECT_EQ(matcher.Lookup(Address(192, 0, 2, 9)), 0u);
  EXPECT_EQ(matcher.Lookup(Address(192, 0, 2, 10)), Bit(3));
  EXPECT_EQ(matcher.Lookup(Address(192, 0, 2, 15)), Bit(3));
  EXPECT_EQ(matcher.Lookup(Address(192, 0, 2, 20)), Bit(3));
  EXPECT_EQ(matcher.Lookup(Address(192, 0, 2, 21)), 0u);
  EXPECT_EQ(matcher.interval_count(), 3u);
}

TEST(IpMatcherTest, SlashZeroCoversEverything) {
  const IpMatcher matcher = IpMatcher::Build({Cidr(0, 0, 5)});
  EXPECT_EQ(matcher.interval_count(), 1u);
  EXPECT_EQ(matcher.Lookup(0), Bit(5));
  EXPECT_EQ(matcher.Lookup(Address(8, 8, 8, 8)), Bit(5));
  EXPECT_EQ(matcher.Lookup(kMaxAddress), Bit(5));
}

TEST(IpMatcherTest, SlashThirtyTwoIsOneAddress) {
  const uint32_t address = Address(198, 51, 100, 7);
  const IpMatcher matcher = IpMatcher::Build({Cidr(address, 32, 0)});
  EXPECT_EQ(matcher.Lookup(address - 1), 0u);
  EXPECT_EQ(matcher.Lookup(address), Bit(0));
  EXPECT_EQ(matcher.Lookup(address + 1), 0u);
}

TEST(IpMatcherTest, FirstAndLastAddressesOfTheSpace) {
  const IpMatcher matcher = IpMatcher::Build({Range(0, 0, 1), Range(kMaxAddress, kMaxAddress, 2)});
  EXPECT_EQ(matcher.Lookup(0), Bit(1));
  EXPECT_EQ(matcher.Lookup(1), 0u);
  EXPECT_EQ(matcher.Lookup(kMaxAddress - 1), 0u);
  EXPECT_EQ(matcher.Lookup(kMaxAddress), Bit(2));
}

TEST(IpMatcherTest, RangeEndingAtTheLastAddressStaysOpen) {
  const IpMatcher matcher = IpMatcher::Build({Cidr(Address(255, 255, 255, 0), 24, 4)});
  EXPECT_EQ(matcher.Lookup(Address(255, 255, 254, 255)), 0u);
  EXPECT_EQ(matcher.Lookup(Address(255, 255, 255, 0)), Bit(4));
  EXPECT_EQ(matcher.Lookup(kMaxAddress), Bit(4));
}

TEST(IpMatcherTest, OverlappingRangesOfDifferentListsCombineMasks) {
  const IpMatcher matcher = IpMatcher::Build({Range(100, 200, 0), Range(150, 250, 1)});
  EXPECT_EQ(matcher.Lookup(99), 0u);
  EXPECT_EQ(matcher.Lookup(100), Bit(0));
  EXPECT_EQ(matcher.Lookup(149), Bit(0));
  EXPECT_EQ(matcher.Lookup(150), Bit(0) | Bit(1));
  EXPECT_EQ(matcher.Lookup(200), Bit(0) | Bit(1));
  EXPECT_EQ(matcher.Lookup(201), Bit(1));
  EXPECT_EQ(matcher.Lookup(250), Bit(1));
  EXPECT_EQ(matcher.Lookup(251), 0u);
}

TEST(IpMatcherTest, NestedRangesOfDifferentLists) {
  const IpMatcher matcher =
      IpMatcher::Build({Cidr(Address(10, 0, 0, 0), 8, 0), Cidr(Address(10, 1, 0, 0), 16, 1),
                        Cidr(Address(10, 1, 2, 3), 32, 2)});
  EXPECT_EQ(matcher.Lookup(Address(10, 0, 255, 255)), Bit(0));
  EXPECT_EQ(matcher.Lookup(Address(10, 1, 0, 0)), Bit(0) | Bit(1));
  EXPECT_EQ(matcher.Lookup(Address(10, 1, 2, 2)), Bit(0) | Bit(1));
  EXPECT_EQ(matcher.Lookup(Address(10, 1, 2, 3)), Bit(0) | Bit(1) | Bit(2));
  EXPECT_EQ(matcher.Lookup(Address(10, 1, 2, 4)), Bit(0) | Bit(1));
  EXPECT_EQ(matcher.Lookup(Address(10, 2, 0, 0)), Bit(0));
  EXPECT_EQ(matcher.Lookup(Address(11, 0, 0, 0)), 0u);
}

TEST(IpMatcherTest, NestedRangesOfOneListKeepTheListUntilTheOuterEnds) {
  // The inner entry ends first; the list still covers the rest of the outer one.
  const IpMatcher matcher = IpMatcher::Build({Range(100, 300, 0), Range(150, 200, 0)});
  EXPECT_EQ(matcher.Lookup(201), Bit(0));
  EXPECT_EQ(matcher.Lookup(300), Bit(0));
  EXPECT_EQ(matcher.Lookup(301), 0u);
  EXPECT_EQ(matcher.interval_count(), 3u);  // one list, one run: merged
}

TEST(IpMatcherTest, DuplicateEntriesCountOnce) {
  const IpMatcher matcher = IpMatcher::Build({Range(5, 5, 7), Range(5, 5, 7), Range(5, 9, 7)});
  EXPECT_EQ(matcher.Lookup(5), Bit(7));
  EXPECT_EQ(matcher.Lookup(9), Bit(7));
  EXPECT_EQ(matcher.Lookup(10), 0u);
}

TEST(IpMatcherTest, AdjacentRangesOfOneListMerge) {
  const IpMatcher matcher =
      IpMatcher::Build({Cidr(Address(192, 0, 2, 0), 25, 0), Cidr(Address(192, 0, 2, 128), 25, 0)});
  EXPECT_EQ(matcher.interval_count(), 3u);  // gap, the whole /24, gap
  EXPECT_EQ(matcher.Lookup(Address(192, 0, 2, 127)), Bit(0));
  EXPECT_EQ(matcher.Lookup(Address(192, 0, 2, 128)), Bit(0));
  EXPECT_EQ(matcher.Lookup(Address(192, 0, 3, 0)), 0u);
}

TEST(IpMatcherTest, AdjacentRangesOfDifferentListsStaySeparate) {
  const IpMatcher matcher = IpMatcher::Build({Range(10, 19, 0), Range(20, 29, 1)});
  EXPECT_EQ(matcher.Lookup(19), Bit(0));
  EXPECT_EQ(matcher.Lookup(20), Bit(1));
  EXPECT_EQ(matcher.Lookup(29), Bit(1));
  EXPECT_EQ(matcher.Lookup(30), 0u);
}

TEST(IpMatcherTest, ListThirtyOneUsesTheTopBit) {
  const IpMatcher matcher = IpMatcher::Build({Range(1, 1, 31)});
  EXPECT_EQ(matcher.Lookup(1), ListMask{0x80000000});
}

TEST(IpMatcherTest, IgnoresInvalidEntries) {
  const IpMatcher matcher = IpMatcher::Build({Range(20, 10, 0), Range(1, 1, 32)});
  EXPECT_EQ(matcher.Lookup(1), 0u);
  EXPECT_EQ(matcher.Lookup(15), 0u);
}

// The reference answer: OR of the lists of every entry containing the address.
ListMask BruteForceLookup(const std::vector<IpMatcher::Entry>& entries, uint32_t address) {
  ListMask mask = 0;
  for (const auto& entry : entries) {
    if (entry.range.first <= address && address <= entry.range.last) mask |= Bit(entry.list_index);
  }
  return mask;
}

TEST(IpMatcherTest, AgreesWithBruteForceOnRandomRanges) {
  std::mt19937 random(20260123);
  for (int round = 0; round < 4; ++round) {
    // Round 0 spreads ranges over the whole space; the others crowd them into small
    // windows so that overlaps, nesting and shared edges are common.
    const uint32_t window_bits = round == 0 ? 32 : 12 + 4 * round;
    const uint32_t window_base = round == 0 ? 0 : static_cast<uint32_t>(random());
    const auto random_address = [&] {
      const uint32_t offset =
          window_bits == 32 ? random() : random() & ((uint32_t{1} << window_bits) - 1);
      return window_base + offset;  // wraps around at the top, which is fine
    };
    std::vector<IpMatcher::Entry> entries;
    for (int i = 0; i < 3000; ++i) {
      const uint32_t list = random() % 8;
      switch (random() % 3) {
        case 0:
          entries.push_back(Cidr(random_address(), 32, list));
          break;
        case 1:
          entries.push_back(Cidr(random_address(), 8 + random() % 25, list));
          break;
        default: {
          uint32_t first = random_address();
          uint32_t last = random_address();
          if (first > last) std::swap(first, last);
          entries.push_back(Range(first, last, list));
        }
      }
    }
    const IpMatcher matcher = IpMatcher::Build(entries);
    std::vector<uint32_t> probes = {0, 1, kMaxAddress - 1, kMaxAddress};
    for (const auto& entry : entries) {
      // Every edge and its neighbours, where off-by-one mistakes would show.
      for (uint32_t edge : {entry.range.first, entry.range.last}) {
        probes.insert(probes.end(), {edge - 1, edge, edge + 1});
      }
    }
    for (int i = 0; i < 3000; ++i) probes.push_back(random_address());
    for (uint32_t address : probes) {
      ASSERT_EQ(matcher.Lookup(address), BruteForceLookup(entries, address))
          << "round " << round << " address " << address;
    }
  }
}

TEST(IpMatcherTest, LookupAllAgreesWithLookup) {
  std::mt19937 random(3);
  std::vector<IpMatcher::Entry> entries;
  for (int i = 0; i < 5000; ++i) {
    entries.push_back(Cidr(static_cast<uint32_t>(random()), 16 + static_cast<int>(random() % 17),
                           static_cast<uint32_t>(random() % 32)));
  }
  const IpMatcher matcher = IpMatcher::Build(entries);
  // Every batch size around the prefetch distances, addresses both listed and not.
  for (const size_t count : {0, 1, 7, 8, 9, 16, 17, 1000}) {
    std::vector<uint32_t> addresses;
    for (size_t i = 0; i < count; ++i) {
      addresses.push_back(i % 2 == 0 ? entries[random() % entries.size()].range.first
                                     : static_cast<uint32_t>(random()));
    }
    std::vector<ListMask> masks(count, 0xdead);
    matcher.LookupAll(addresses, masks);
    for (size_t i = 0; i < count; ++i) EXPECT_EQ(masks[i], matcher.Lookup(addresses[i])) << i;
  }
  const IpMatcher empty;
  std::vector<ListMask> masks(3, 0xdead);
  empty.LookupAll(std::vector<uint32_t>{1, 2, 3}, masks);
  EXPECT_EQ(masks, (std::vector<ListMask>{0, 0, 0}));
}

}  // namespace
}  // namespace vigil
