// EventWindow: counts distinct values per key within a sliding event-time window,
// tolerating events that arrive out of order, with bounded memory.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace vigil {

class EventWindow {
 public:
  // Events older than the newest seen minus (window + tolerance) are forgotten; at most
  // `max_keys` keys (the idlest go first) and `max_events_per_key` events a key (the
  // oldest go first) are kept.
  EventWindow(int64_t window_millis, int64_t tolerance_millis, size_t max_keys,
              size_t max_events_per_key);

  // Adds an event at `time` (epoch ms) and returns how many distinct values the key has
  // in the busiest window of the configured length that contains this event.
  size_t Add(const std::string& key, int64_t time, uint64_t value);

  size_t key_count() const { return states_.size(); }

 private:
  struct State {
    std::vector<std::pair<int64_t, uint64_t>> events;  // sorted by time
    int64_t newest = 0;
  };
  void Evict();

  const int64_t window_millis_;
  const int64_t tolerance_millis_;
  const size_t max_keys_;
  const size_t max_events_per_key_;
  std::unordered_map<std::string, State> states_;
  int64_t watermark_ = 0;  // newest event time seen
};

}  // namespace vigil
