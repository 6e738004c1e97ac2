#include "core/time.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>

namespace vigil {
namespace {

TEST(FormatIsoMillisTest, FormatsTheEpoch) {
  EXPECT_EQ(FormatIsoMillis(0), "1970-01-01T00:00:00.000Z");
}

TEST(FormatIsoMillisTest, FormatsAKnownTimestampWithMilliseconds) {
  EXPECT_EQ(FormatIsoMillis(1516744412815), "2018-01-23T21:53:32.815Z");
  EXPECT_EQ(FormatIsoMillis(1769205212815), "2026-01-23T21:53:32.815Z");
}

TEST(FormatIsoMillisTest, PadsSmallFieldsWithZeros) {
  EXPECT_EQ(FormatIsoMillis(1), "1970-01-01T00:00:00.001Z");
  EXPECT_EQ(FormatIsoMillis(3'661'010), "1970-01-01T01:01:01.010Z");
}

TEST(FormatIsoMillisTest, FormatsLeapDays) {
  EXPECT_EQ(FormatIsoMillis(1709164800000), "2024-02-29T00:00:00.000Z");
  EXPECT_EQ(FormatIsoMillis(1709251199999), "2024-02-29T23:59:59.999Z");
  EXPECT_EQ(FormatIsoMillis(951782400000), "2000-02-29T00:00:00.000Z");
}

TEST(FormatIsoMillisTest, FormatsTheLastMillisecondOfAYear) {
  EXPECT_EQ(FormatIsoMillis(1704067199999), "2023-12-31T23:59:59.999Z");
}

TEST(FormatIsoMillisTest, FormatsTimesBeforeTheEpoch) {
  EXPECT_EQ(FormatIsoMillis(-1), "1969-12-31T23:59:59.999Z");
}

TEST(ParseIsoMillisTest, ParsesKnownTimestamps) {
  EXPECT_EQ(ParseIsoMillis("1970-01-01T00:00:00.000Z"), std::optional<int64_t>(0));
  EXPECT_EQ(ParseIsoMillis("2018-01-23T21:53:32.815Z"), std::optional<int64_t>(1516744412815));
  EXPECT_EQ(ParseIsoMillis("2024-02-29T23:59:59.999Z"), std::optional<int64_t>(1709251199999));
}

TEST(ParseIsoMillisTest, AcceptsTheFormWithoutAFraction) {
  EXPECT_EQ(ParseIsoMillis("2018-01-23T21:53:32Z"), std::optional<int64_t>(1516744412000));
  EXPECT_EQ(ParseIsoMillis("1970-01-01T00:00:00Z"), std::optional<int64_t>(0));
}

TEST(ParseIsoMillisTest, RoundTripsWhatFormatIsoMillisWrites) {
  const int64_t samples[] = {0,
                             1,
                             999,
                             1000,
                             86'399'999,
                             951782400000,
                             1516744412815,
                             1709164800000,
                             1709251199999,
                             1704067199999,
                             4102444800000};
  for (int64_t millis : samples) {
    SCOPED_TRACE(millis);
    EXPECT_EQ(ParseIsoMillis(FormatIsoMillis(millis)), std::optional<int64_t>(millis));
  }
}

TEST(ParseIsoMillisTest, RejectsMalformedText) {
  const char* malformed[] = {
      "",
      "not a time",
      "2018-01-23",
      "2018-01-23T21:53:32.815",        // no Z
      "2018-01-23 21:53:32.815Z",       // space instead of T
      "2018-01-23T21:53:32.815Zjunk",   // trailing text
      "2018-01-23T21:53:32.815+00:00",  // offsets are not the form we write
      "2018-01-23T21:53:32.Z",          // empty fraction
      "2018-01-23T21:53:32.81Z",        // short fraction
      "2018-1-23T21:53:32.815Z",        // unpadded month
      "18-01-23T21:53:32.815Z",         // two-digit year
      "2018/01/23T21:53:32.815Z",
      "2018-01-23T21:53Z",
      "2018-0a-23T21:53:32.815Z",
  };
  for (const char* text : malformed) {
    SCOPED_TRACE(text);
    EXPECT_EQ(ParseIsoMillis(text), std::nullopt);
  }
}

TEST(ParseIsoMillisTest, RejectsOutOfRangeFields) {
  const char* out_of_range[] = {
      "2018-13-01T00:00:00.000Z",  // month 13
      "2018-00-01T00:00:00.000Z",  // month 0
      "2018-01-00T00:00:00.000Z",  // day 0
      "2018-01-32T00:00:00.000Z",  // day 32
      "2023-02-29T00:00:00.000Z",  // not a leap year
      "1900-02-29T00:00:00.000Z",  // century, not a leap year
      "2018-04-31T00:00:00.000Z",  // April has 30 days
      "2018-01-23T24:00:00.000Z",  // hour 24
      "2018-01-23T23:60:00.000Z",  // minute 60
      "2018-01-23T23:59:60.000Z",  // second 60
  };
  for (const char* text : out_of_range) {
    SCOPED_TRACE(text);
    EXPECT_EQ(ParseIsoMillis(text), std::nullopt);
  }
}

TEST(ParseIsoMillisTest, AcceptsLeapDayInLeapYears) {
  EXPECT_EQ(ParseIsoMillis("2000-02-29T00:00:00.000Z"), std::optional<int64_t>(951782400000));
  EXPECT_EQ(ParseIsoMillis("2024-02-29T00:00:00Z"), std::optional<int64_t>(1709164800000));
}

TEST(ManualClockTest, StartsAtTheGivenTime) {
  ManualClock clock(1516744412815);
  EXPECT_EQ(clock.NowMillis(), 1516744412815);
  EXPECT_EQ(clock.NowMillis(), 1516744412815);  // does not move by itself
}

TEST(ManualClockTest, SetReplacesTheTime) {
  ManualClock clock(1000);
  clock.Set(5);
  EXPECT_EQ(clock.NowMillis(), 5);
  clock.Set(1709164800000);
  EXPECT_EQ(clock.NowMillis(), 1709164800000);
}

TEST(ManualClockTest, AdvanceAddsToTheTime) {
  ManualClock clock(1000);
  clock.Advance(250);
  EXPECT_EQ(clock.NowMillis(), 1250);
  clock.Advance(0);
  EXPECT_EQ(clock.NowMillis(), 1250);
  clock.Advance(-1250);
  EXPECT_EQ(clock.NowMillis(), 0);
}

TEST(ManualClockTest, WorksThroughTheClockInterface) {
  ManualClock manual(0);
  const Clock& clock = manual;
  manual.Advance(60'000);
  EXPECT_EQ(clock.NowMillis(), 60'000);
  EXPECT_EQ(FormatIsoMillis(clock.NowMillis()), "1970-01-01T00:01:00.000Z");
}

TEST(SystemClockTest, ReadsTheWallClock) {
  SystemClock clock;
  // After 2020-01-01 and before 2100-01-01.
  EXPECT_GT(clock.NowMillis(), 1577836800000);
  EXPECT_LT(clock.NowMillis(), 4102444800000);
}

}  // namespace
}  // namespace vigil
