#include "detect/event_window.h"

#include <gtest/gtest.h>

namespace vigil {
namespace {

constexpr int64_t kMinute = 60 * 1000;

TEST(EventWindowTest, CountsDistinctValuesWithinTheWindow) {
  EventWindow window(10 * kMinute, 5 * kMinute, 100, 100);
  EXPECT_EQ(window.Add("k", 0, 1), 1u);
  EXPECT_EQ(window.Add("k", kMinute, 2), 2u);
  EXPECT_EQ(window.Add("k", 2 * kMinute, 2), 2u);  // a repeated value counts once
  EXPECT_EQ(window.Add("other", 2 * kMinute, 1), 1u);
}

TEST(EventWindowTest, EventsOutsideTheWindowDoNotCount) {
  EventWindow window(10 * kMinute, 0, 100, 100);
  window.Add("k", 0, 1);
  window.Add("k", 5 * kMinute, 2);
  EXPECT_EQ(window.Add("k", 10 * kMinute, 3), 3u);  // the window's edge is inclusive
  EXPECT_EQ(window.Add("k", 11 * kMinute, 4), 3u);  // the event at 0 has left
}

TEST(EventWindowTest, LateEventsWithinTheToleranceStillCount) {
  EventWindow window(10 * kMinute, 15 * kMinute, 100, 100);
  window.Add("k", 100 * kMinute, 1);
  window.Add("k", 101 * kMinute, 2);
  // Arrives late but belongs with the others.
  EXPECT_EQ(window.Add("k", 99 * kMinute, 3), 3u);
  EXPECT_EQ(window.Add("k", 102 * kMinute, 4), 4u);
  // Later than window + tolerance behind the newest event: forgotten at once.
  EXPECT_EQ(window.Add("k", 70 * kMinute, 5), 0u);
}

TEST(EventWindowTest, MemoryIsBounded) {
  EventWindow window(10 * kMinute, 0, 50, 8);
  for (int i = 0; i < 1000; ++i) window.Add("key" + std::to_string(i), i, 1);
  EXPECT_LE(window.key_count(), 50u);
  for (int i = 0; i < 100; ++i) window.Add("one", i, static_cast<uint64_t>(i));
  EXPECT_LE(window.Add("one", 100, 100), 8u);
}

}  // namespace
}  // namespace vigil
