#include "detect/rate_window.h"

#include <gtest/gtest.h>

namespace vigil {
namespace {

constexpr int64_t kMinute = 60 * 1000;

TEST(RateWindowTest, SumsPerBucketAndCountsTheBucketsOverTheThreshold) {
  RateWindow window(kMinute, 15 * kMinute, 100);
  EXPECT_EQ(window.Add("k", 0, 60, 100), 0u);
  EXPECT_EQ(window.Add("k", 30 * 1000, 60, 100), 1u);  // the same minute: 120
  EXPECT_EQ(window.Add("k", kMinute, 99, 100), 1u);
  EXPECT_EQ(window.Add("k", kMinute + 1, 1, 100), 2u);
  EXPECT_EQ(window.Add("other", kMinute, 500, 100), 1u);  // keys are apart
}

TEST(RateWindowTest, LateEventsWithinTheToleranceLandInTheirBucket) {
  RateWindow window(kMinute, 5 * kMinute, 100);
  window.Add("k", 10 * kMinute, 200, 100);
  EXPECT_EQ(window.Add("k", 7 * kMinute, 200, 100), 2u);   // late, still remembered
  EXPECT_EQ(window.Add("k", 2 * kMinute, 200, 100), 0u);   // too late to matter
  EXPECT_EQ(window.Add("k", 30 * kMinute, 200, 100), 1u);  // the old buckets are forgotten
}

TEST(RateWindowTest, KeysAreBounded) {
  RateWindow window(kMinute, kMinute, 10);
  for (int key = 0; key < 100; ++key) window.Add(std::to_string(key), kMinute, 1, 100);
  EXPECT_LE(window.key_count(), 10u);
}

}  // namespace
}  // namespace vigil
