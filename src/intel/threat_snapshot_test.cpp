#include "intel/threat_snapshot.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

namespace vigil {
namespace {

constexpr uint32_t Address(uint32_t a, uint32_t b, uint32_t c, uint32_t d) {
  return (a << 24) | (b << 16) | (c << 8) | d;
}

LoadedList MakeList(std::string id, std::string name, bool trusted, std::vector<Ipv4Range> ranges,
                    std::vector<std::string> domains = {}) {
  auto content = std::make_shared<ParsedList>();
  content->ranges = std::move(ranges);
  content->domains = std::move(domains);
  return {ListIdentity{std::move(id), std::move(name), trusted}, std::move(content)};
}

using NameList = std::vector<std::string>;

NameList Names(const std::vector<const ListIdentity*>& lists) {
  NameList names;
  for (const ListIdentity* list : lists) names.push_back(list->name);
  return names;
}

TEST(ThreatSnapshotTest, EmptySnapshotNamesNothing) {
  const auto snapshot = ThreatSnapshot::Build({});
  EXPECT_EQ(snapshot->list_count(), 0u);
  EXPECT_TRUE(snapshot->ThreatListsForIp(Address(192, 0, 2, 1)).empty());
  EXPECT_TRUE(snapshot->ThreatListsForDomain("example.com").empty());
}

TEST(ThreatSnapshotTest, ReportsEveryThreatListNamingAnAddress) {
  const auto snapshot = ThreatSnapshot::Build({
      MakeList("a1", "feodo", false, {{Address(192, 0, 2, 0), Address(192, 0, 2, 255)}}),
      MakeList("b2", "spamhaus", false, {{Address(192, 0, 2, 7), Address(192, 0, 2, 7)}}),
      MakeList("c3", "unrelated", false, {{Address(203, 0, 113, 1), Address(203, 0, 113, 1)}}),
  });
  EXPECT_EQ(snapshot->list_count(), 3u);
  EXPECT_EQ(Names(snapshot->ThreatListsForIp(Address(192, 0, 2, 7))),
            (NameList{"feodo", "spamhaus"}));
  EXPECT_EQ(Names(snapshot->ThreatListsForIp(Address(192, 0, 2, 8))), (NameList{"feodo"}));
  EXPECT_TRUE(snapshot->ThreatListsForIp(Address(192, 0, 3, 0)).empty());
  const auto lists = snapshot->ThreatListsForIp(Address(203, 0, 113, 1));
  ASSERT_EQ(lists.size(), 1u);
  EXPECT_EQ(lists[0]->id, "c3");
  EXPECT_EQ(lists[0]->name, "unrelated");
  EXPECT_FALSE(lists[0]->trusted);
}

TEST(ThreatSnapshotTest, TrustedListWinsForAddresses) {
  const auto snapshot = ThreatSnapshot::Build({
      MakeList("t1", "threats", false, {{Address(10, 0, 0, 0), Address(10, 255, 255, 255)}}),
      MakeList("i1", "office", true, {{Address(10, 1, 0, 0), Address(10, 1, 255, 255)}}),
      MakeList("t2", "more-threats", false, {{Address(10, 1, 2, 3), Address(10, 1, 2, 3)}}),
  });
  EXPECT_TRUE(snapshot->ThreatListsForIp(Address(10, 1, 2, 3)).empty());
  EXPECT_TRUE(snapshot->ThreatListsForIp(Address(10, 1, 0, 0)).empty());
  EXPECT_EQ(Names(snapshot->ThreatListsForIp(Address(10, 2, 0, 0))), (NameList{"threats"}));
}

TEST(ThreatSnapshotTest, AnswersFromALookedUpMaskAsFromTheAddress) {
  const auto snapshot = ThreatSnapshot::Build({
      MakeList("t1", "threats", false, {{Address(10, 0, 0, 0), Address(10, 255, 255, 255)}}),
      MakeList("i1", "office", true, {{Address(10, 1, 0, 0), Address(10, 1, 255, 255)}}),
      MakeList("t2", "more-threats", false, {{Address(10, 2, 0, 0), Address(10, 2, 0, 9)}}),
  });
  const std::vector<uint32_t> addresses = {Address(10, 1, 2, 3), Address(10, 2, 0, 5),
                                           Address(10, 3, 0, 0), Address(11, 0, 0, 0)};
  std::vector<ListMask> masks(addresses.size());
  snapshot->ListsForIps(addresses, masks);
  for (size_t i = 0; i < addresses.size(); ++i) {
    const uint32_t address = addresses[i];
    const ListMask mask = snapshot->ListsForIp(address);
    EXPECT_EQ(masks[i], mask);
    EXPECT_EQ(snapshot->IsTrusted(mask), snapshot->IsTrustedIp(address)) << i;
    EXPECT_EQ(Names(snapshot->ThreatLists(mask)), Names(snapshot->ThreatListsForIp(address))) << i;
    EXPECT_EQ(snapshot->NamesThreat(mask), !snapshot->ThreatListsForIp(address).empty()) << i;
  }
  EXPECT_TRUE(snapshot->IsTrusted(masks[0]));
  EXPECT_EQ(Names(snapshot->ThreatLists(masks[1])), (NameList{"threats", "more-threats"}));
  EXPECT_FALSE(snapshot->NamesThreat(masks[3]));
}

TEST(ThreatSnapshotTest, TrustedOnlyAddressIsNoThreat) {
  const auto snapshot = ThreatSnapshot::Build(
      {MakeList("i1", "office", true, {{Address(198, 51, 100, 1), Address(198, 51, 100, 1)}})});
  EXPECT_TRUE(snapshot->ThreatListsForIp(Address(198, 51, 100, 1)).empty());
}

TEST(ThreatSnapshotTest, ReportsThreatListsNamingADomainOrAParent) {
  const auto snapshot = ThreatSnapshot::Build({
      MakeList("a1", "phishing", false, {}, {"example.com"}),
      MakeList("b2", "c2", false, {}, {"*.example.com", "evil.example"}),
  });
  EXPECT_EQ(Names(snapshot->ThreatListsForDomain("example.com")), (NameList{"phishing"}));
  EXPECT_EQ(Names(snapshot->ThreatListsForDomain("WWW.example.com.")),
            (NameList{"phishing", "c2"}));
  EXPECT_EQ(Names(snapshot->ThreatListsForDomain("evil.example")), (NameList{"c2"}));
  EXPECT_TRUE(snapshot->ThreatListsForDomain("example.org").empty());
}

TEST(ThreatSnapshotTest, TrustedListWinsForDomains) {
  const auto snapshot = ThreatSnapshot::Build({
      MakeList("t1", "threats", false, {}, {"example.com", "bad.example.net"}),
      MakeList("i1", "allowed", true, {}, {"safe.example.com"}),
  });
  EXPECT_TRUE(snapshot->ThreatListsForDomain("safe.example.com").empty());
  EXPECT_TRUE(snapshot->ThreatListsForDomain("api.safe.example.com").empty());
  EXPECT_EQ(Names(snapshot->ThreatListsForDomain("other.example.com")), (NameList{"threats"}));
  EXPECT_EQ(Names(snapshot->ThreatListsForDomain("bad.example.net")), (NameList{"threats"}));
}

TEST(ThreatSnapshotTest, ListsWithoutContentContributeNothing) {
  const auto snapshot = ThreatSnapshot::Build(
      {LoadedList{ListIdentity{"x", "not-loaded", false}, nullptr},
       MakeList("y", "loaded", false, {{Address(1, 2, 3, 4), Address(1, 2, 3, 4)}})});
  EXPECT_EQ(snapshot->list_count(), 2u);
  EXPECT_EQ(Names(snapshot->ThreatListsForIp(Address(1, 2, 3, 4))), (NameList{"loaded"}));
}

TEST(ThreatSnapshotTest, ListsBeyondThirtyTwoAreLeftOut) {
  std::vector<LoadedList> lists;
  for (int i = 0; i < 33; ++i) {
    lists.push_back(MakeList("id" + std::to_string(i), "list" + std::to_string(i), false,
                             {{Address(192, 0, 2, 1), Address(192, 0, 2, 1)}}));
  }
  const auto snapshot = ThreatSnapshot::Build(lists);
  EXPECT_EQ(snapshot->list_count(), 32u);
  const auto names = Names(snapshot->ThreatListsForIp(Address(192, 0, 2, 1)));
  ASSERT_EQ(names.size(), 32u);
  EXPECT_EQ(names.front(), "list0");
  EXPECT_EQ(names.back(), "list31");
}

TEST(ThreatSnapshotTest, ReportsMemoryOfBothMatchers) {
  const auto snapshot = ThreatSnapshot::Build({MakeList(
      "a", "a", false, {{Address(192, 0, 2, 0), Address(192, 0, 2, 255)}}, {"example.com"})});
  EXPECT_GT(snapshot->memory_bytes(), sizeof(IpMatcher) + sizeof(DomainMatcher));
}

}  // namespace
}  // namespace vigil
