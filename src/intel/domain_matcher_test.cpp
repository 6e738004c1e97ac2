#include "intel/domain_matcher.h"

#include <gtest/gtest.h>

#include <string>

namespace vigil {
namespace {

ListMask Bit(uint32_t list_index) { return ListMask{1} << list_index; }

TEST(DomainMatcherTest, EmptyMatcherMatchesNothing) {
  EXPECT_EQ(DomainMatcher().Lookup("example.com"), 0u);
  const DomainMatcher matcher = DomainMatcher::Build({});
  EXPECT_EQ(matcher.size(), 0u);
  EXPECT_EQ(matcher.Lookup("example.com"), 0u);
  EXPECT_EQ(matcher.Lookup(""), 0u);
}

TEST(DomainMatcherTest, ExactEntryMatchesTheDomainAndEverySubdomain) {
  const DomainMatcher matcher = DomainMatcher::Build({{"example.com", 2}});
  EXPECT_EQ(matcher.Lookup("example.com"), Bit(2));
  EXPECT_EQ(matcher.Lookup("www.example.com"), Bit(2));
  EXPECT_EQ(matcher.Lookup("a.b.c.example.com"), Bit(2));
  EXPECT_EQ(matcher.Lookup("com"), 0u);
  EXPECT_EQ(matcher.Lookup("example.org"), 0u);
  EXPECT_EQ(matcher.Lookup("example.com.evil.net"), 0u);
}

TEST(DomainMatcherTest, MatchesOnlyAtLabelBoundaries) {
  const DomainMatcher matcher = DomainMatcher::Build({{"example.com", 0}, {"*.example.org", 1}});
  EXPECT_EQ(matcher.Lookup("badexample.com"), 0u);
  EXPECT_EQ(matcher.Lookup("www.badexample.com"), 0u);
  EXPECT_EQ(matcher.Lookup("badexample.org"), 0u);
  EXPECT_EQ(matcher.Lookup("x.badexample.org"), 0u);
  EXPECT_EQ(matcher.Lookup("xample.com"), 0u);
}

TEST(DomainMatcherTest, WildcardMatchesStrictSubdomainsButNotTheApex) {
  const DomainMatcher matcher = DomainMatcher::Build({{"*.example.org", 4}});
  EXPECT_EQ(matcher.Lookup("example.org"), 0u);
  EXPECT_EQ(matcher.Lookup("www.example.org"), Bit(4));
  EXPECT_EQ(matcher.Lookup("deep.www.example.org"), Bit(4));
  EXPECT_EQ(matcher.Lookup("org"), 0u);
}

TEST(DomainMatcherTest, ExactAndWildcardOfTheSameDomainInDifferentLists) {
  const DomainMatcher matcher =
      DomainMatcher::Build({{"example.org", 0}, {"*.example.org", 1}, {"www.example.org", 2}});
  EXPECT_EQ(matcher.size(), 3u);
  EXPECT_EQ(matcher.Lookup("example.org"), Bit(0));
  EXPECT_EQ(matcher.Lookup("mail.example.org"), Bit(0) | Bit(1));
  EXPECT_EQ(matcher.Lookup("www.example.org"), Bit(0) | Bit(1) | Bit(2));
  EXPECT_EQ(matcher.Lookup("a.www.example.org"), Bit(0) | Bit(1) | Bit(2));
}

TEST(DomainMatcherTest, OneDomainInSeveralListsCombinesTheirBits) {
  const DomainMatcher matcher = DomainMatcher::Build({{"bad.example", 0}, {"bad.example", 5}});
  EXPECT_EQ(matcher.size(), 1u);
  EXPECT_EQ(matcher.Lookup("bad.example"), Bit(0) | Bit(5));
}

TEST(DomainMatcherTest, IsCaseInsensitive) {
  const DomainMatcher matcher = DomainMatcher::Build({{"Example.COM", 0}, {"*.Example.Org", 1}});
  EXPECT_EQ(matcher.Lookup("example.com"), Bit(0));
  EXPECT_EQ(matcher.Lookup("WWW.EXAMPLE.COM"), Bit(0));
  EXPECT_EQ(matcher.Lookup("Mail.eXample.org"), Bit(1));
}

TEST(DomainMatcherTest, IgnoresOneTrailingDot) {
  const DomainMatcher matcher = DomainMatcher::Build({{"example.com.", 0}, {"*.example.org", 1}});
  EXPECT_EQ(matcher.Lookup("example.com"), Bit(0));
  EXPECT_EQ(matcher.Lookup("example.com."), Bit(0));
  EXPECT_EQ(matcher.Lookup("www.example.com."), Bit(0));
  EXPECT_EQ(matcher.Lookup("www.example.org."), Bit(1));
  EXPECT_EQ(matcher.Lookup("example.org."), 0u);
  EXPECT_EQ(matcher.Lookup("example.com.."), 0u);
  EXPECT_EQ(matcher.Lookup("."), 0u);
}

TEST(DomainMatcherTest, NamesLongerThan253CharactersMatchNothing) {
  const DomainMatcher matcher = DomainMatcher::Build({{"example.com", 0}});
  std::string longest;
  while (longest.size() + std::string_view(".example.com").size() < 253) longest += "a";
  longest += ".example.com";
  ASSERT_EQ(longest.size(), 253u);
  EXPECT_EQ(matcher.Lookup(longest), Bit(0));
  EXPECT_EQ(matcher.Lookup(longest + "."), Bit(0));
  EXPECT_EQ(matcher.Lookup("a" + longest), 0u);
}

TEST(DomainMatcherTest, ReportsMemory) {
  const DomainMatcher matcher = DomainMatcher::Build(
      {{"example.com", 0}, {"*.a-rather-long-domain-name-beyond-sso.example", 1}});
  EXPECT_GT(matcher.memory_bytes(), sizeof(DomainMatcher));
}

}  // namespace
}  // namespace vigil
