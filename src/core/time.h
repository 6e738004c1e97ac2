// Time in Vigil: an injectable Clock and GuardDuty's ISO-8601 text form.
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace vigil {

// Source of the current time. Injected wherever time matters so tests can drive it.
// Implementations must be thread-safe.
class Clock {
 public:
  virtual ~Clock() = default;
  // Milliseconds since the Unix epoch.
  virtual int64_t NowMillis() const = 0;
};

// The wall clock.
class SystemClock final : public Clock {
 public:
  int64_t NowMillis() const override;
};

// A clock that only moves when told to. Thread-safe.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(int64_t now_millis) : now_millis_(now_millis) {}
  int64_t NowMillis() const override;
  void Set(int64_t now_millis);
  void Advance(int64_t millis);

 private:
  std::atomic_int64_t now_millis_;
};

// Formats epoch milliseconds as "2026-01-23T21:53:32.815Z" (UTC, millisecond precision).
std::string FormatIsoMillis(int64_t epoch_millis);

// Parses the form FormatIsoMillis writes (fraction optional). nullopt when malformed.
std::optional<int64_t> ParseIsoMillis(std::string_view text);

}  // namespace vigil
