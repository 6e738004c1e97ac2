#include "core/time.h"

#include <chrono>
#include <cstdio>

namespace vigil {

int64_t SystemClock::NowMillis() const {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

int64_t ManualClock::NowMillis() const { return now_millis_.load(); }
void ManualClock::Set(int64_t now_millis) { now_millis_.store(now_millis); }
void ManualClock::Advance(int64_t millis) { now_millis_.fetch_add(millis); }

std::string FormatIsoMillis(int64_t epoch_millis) {
  using namespace std::chrono;
  const sys_time<milliseconds> point{milliseconds(epoch_millis)};
  const auto day = floor<days>(point);
  const year_month_day date{day};
  const hh_mm_ss time{point - day};
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ",
                static_cast<int>(date.year()), static_cast<unsigned>(date.month()),
                static_cast<unsigned>(date.day()), static_cast<int>(time.hours().count()),
                static_cast<int>(time.minutes().count()), static_cast<int>(time.seconds().count()),
                static_cast<int>(time.subseconds().count()));
  return buffer;
}

namespace {
bool ReadDigits(std::string_view text, size_t& pos, size_t count, int& out) {
  if (pos + count > text.size()) return false;
  out = 0;
  for (size_t i = 0; i < count; ++i) {
    const char c = text[pos + i];
    if (c < '0' || c > '9') return false;
    out = out * 10 + (c - '0');
  }
  pos += count;
  return true;
}
bool Expect(std::string_view text, size_t& pos, char c) {
  if (pos >= text.size() || text[pos] != c) return false;
  ++pos;
  return true;
}
}  // namespace

std::optional<int64_t> ParseIsoMillis(std::string_view text) {
  using namespace std::chrono;
  size_t pos = 0;
  int year, month, day, hour, minute, second, millis = 0;
  if (!ReadDigits(text, pos, 4, year) || !Expect(text, pos, '-') ||
      !ReadDigits(text, pos, 2, month) || !Expect(text, pos, '-') ||
      !ReadDigits(text, pos, 2, day) || !Expect(text, pos, 'T') ||
      !ReadDigits(text, pos, 2, hour) || !Expect(text, pos, ':') ||
      !ReadDigits(text, pos, 2, minute) || !Expect(text, pos, ':') ||
      !ReadDigits(text, pos, 2, second)) {
    return std::nullopt;
  }
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    if (!ReadDigits(text, pos, 3, millis)) return std::nullopt;
  }
  if (!Expect(text, pos, 'Z') || pos != text.size()) return std::nullopt;
  const year_month_day date{std::chrono::year(year), std::chrono::month(month),
                            std::chrono::day(day)};
  if (!date.ok() || hour > 23 || minute > 59 || second > 59) return std::nullopt;
  const auto point =
      sys_days(date) + hours(hour) + minutes(minute) + seconds(second) + milliseconds(millis);
  return duration_cast<milliseconds>(point.time_since_epoch()).count();
}

}  // namespace vigil
