#include "detect/event_window.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

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

TEST(EventWindowTest, KeysAreNumberAndTextExactly) {
  EventWindow window(10 * kMinute, 0, 100, 100);
  EXPECT_EQ(window.Add(1, "eni-a", 0, 1), 1u);
  EXPECT_EQ(window.Add(1, "eni-a", 1, 2), 2u);
  // Another number or another text is another key, however similar.
  EXPECT_EQ(window.Add(2, "eni-a", 2, 3), 1u);
  EXPECT_EQ(window.Add(1, "eni-b", 3, 4), 1u);
  EXPECT_EQ(window.Add(1, "eni-a ", 4, 5), 1u);
  EXPECT_EQ(window.Add(uint64_t{1} << 32, "eni-a", 5, 6), 1u);
  EXPECT_EQ(window.key_count(), 5u);
  EXPECT_EQ(window.text_count(), 3u);  // each text is kept once
  // A text-only key is number 0.
  EXPECT_EQ(window.Add("k", 6, 7), 1u);
  EXPECT_EQ(window.Add(0, "k", 7, 8), 2u);
}

TEST(EventWindowTest, TextsGoWithTheirLastKey) {
  EventWindow window(10 * kMinute, 0, 4, 8);
  for (uint64_t number = 0; number < 4; ++number) window.Add(number, "shared", 0, 1);
  EXPECT_EQ(window.text_count(), 1u);
  // Full: each new key evicts; the idlest keys go, and with them texts no key uses.
  for (int i = 0; i < 100; ++i) {
    window.Add(0, "text" + std::to_string(i), kMinute + i, 1);
    EXPECT_LE(window.key_count(), 4u);
    EXPECT_LE(window.text_count(), window.key_count());
  }
  // The new key's own text survives when the key evicted was its last other user.
  EventWindow one(10 * kMinute, 0, 1, 8);
  EXPECT_EQ(one.Add(1, "eni-a", 0, 1), 1u);
  EXPECT_EQ(one.Add(2, "eni-a", 1, 1), 1u);  // evicts (1, eni-a)
  EXPECT_EQ(one.Add(2, "eni-a", 2, 2), 2u);
  EXPECT_EQ(one.key_count(), 1u);
  EXPECT_EQ(one.text_count(), 1u);
}

TEST(EventWindowTest, ForgottenKeysMakeRoomBeforeBusyOnes) {
  EventWindow window(10 * kMinute, 0, 3, 8);
  window.Add(1, "old", 0, 1);
  window.Add(2, "busy", 30 * kMinute, 1);
  window.Add(3, "busy", 30 * kMinute, 1);
  // "old" is out of reach (30 minutes behind): it goes, the busy keys stay.
  EXPECT_EQ(window.Add(4, "new", 31 * kMinute, 1), 1u);
  EXPECT_EQ(window.Add(2, "busy", 31 * kMinute, 2), 2u);
  EXPECT_EQ(window.Add(3, "busy", 31 * kMinute, 2), 2u);
  EXPECT_EQ(window.text_count(), 2u);
}

}  // namespace
}  // namespace vigil
