#include "core/ids.h"

#include <gtest/gtest.h>

#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace vigil {
namespace {

bool IsLowerHex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

TEST(NewResourceIdTest, Is32LowercaseHexCharacters) {
  for (int i = 0; i < 100; ++i) {
    const std::string id = NewResourceId();
    ASSERT_EQ(id.size(), 32u) << id;
    for (char c : id) ASSERT_TRUE(IsLowerHex(c)) << id;
    EXPECT_TRUE(IsResourceId(id)) << id;
  }
}

TEST(NewResourceIdTest, IsDistinctAcrossManyCalls) {
  std::set<std::string> ids;
  constexpr int kCount = 10000;
  for (int i = 0; i < kCount; ++i) ids.insert(NewResourceId());
  EXPECT_EQ(ids.size(), static_cast<size_t>(kCount));
}

TEST(NewResourceIdTest, IsDistinctAcrossThreads) {
  constexpr int kThreads = 8;
  constexpr int kPerThread = 1000;
  std::mutex mutex;
  std::set<std::string> ids;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      std::vector<std::string> mine;
      for (int i = 0; i < kPerThread; ++i) mine.push_back(NewResourceId());
      std::lock_guard lock(mutex);
      ids.insert(mine.begin(), mine.end());
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(ids.size(), static_cast<size_t>(kThreads * kPerThread));
}

TEST(IsResourceIdTest, AcceptsLowercaseHexOfLength32) {
  EXPECT_TRUE(IsResourceId("0123456789abcdef0123456789abcdef"));
  EXPECT_TRUE(IsResourceId("ffffffffffffffffffffffffffffffff"));
  EXPECT_TRUE(IsResourceId("00000000000000000000000000000000"));
}

TEST(IsResourceIdTest, RejectsWrongLengthCaseOrCharacters) {
  EXPECT_FALSE(IsResourceId(""));
  EXPECT_FALSE(IsResourceId("0123456789abcdef0123456789abcde"));    // 31
  EXPECT_FALSE(IsResourceId("0123456789abcdef0123456789abcdef0"));  // 33
  EXPECT_FALSE(IsResourceId("0123456789ABCDEF0123456789abcdef"));   // uppercase
  EXPECT_FALSE(IsResourceId("0123456789abcdeg0123456789abcdef"));   // 'g'
  EXPECT_FALSE(IsResourceId("0123456789abcdef-123456789abcdef"));   // '-'
  EXPECT_FALSE(IsResourceId("0123456789abcdef 123456789abcdef"));   // space
}

TEST(IsAccountIdTest, AcceptsExactlyTwelveDigits) {
  EXPECT_TRUE(IsAccountId("123456789012"));
  EXPECT_TRUE(IsAccountId("000000000000"));
  EXPECT_FALSE(IsAccountId(""));
  EXPECT_FALSE(IsAccountId("12345678901"));    // 11
  EXPECT_FALSE(IsAccountId("1234567890123"));  // 13
  EXPECT_FALSE(IsAccountId("12345678901a"));
  EXPECT_FALSE(IsAccountId("-12345678901"));
  EXPECT_FALSE(IsAccountId("12345678901 "));
}

TEST(NewRequestIdTest, HasUuidShape8_4_4_4_12) {
  for (int i = 0; i < 100; ++i) {
    const std::string id = NewRequestId();
    ASSERT_EQ(id.size(), 36u) << id;
    for (size_t p = 0; p < id.size(); ++p) {
      if (p == 8 || p == 13 || p == 18 || p == 23) {
        ASSERT_EQ(id[p], '-') << id;
      } else {
        ASSERT_TRUE(IsLowerHex(id[p])) << id;
      }
    }
  }
}

TEST(NewRequestIdTest, IsDistinctAcrossCalls) {
  std::set<std::string> ids;
  for (int i = 0; i < 1000; ++i) ids.insert(NewRequestId());
  EXPECT_EQ(ids.size(), 1000u);
}

}  // namespace
}  // namespace vigil
