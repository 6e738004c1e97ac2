// EventWindow: counts distinct values per key within a sliding event-time window,
// tolerating events that arrive out of order, with bounded memory.
#pragma once

#include <boost/container/small_vector.hpp>
#include <boost/unordered/unordered_flat_map.hpp>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <string>
#include <string_view>
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
  //
  // A key is a number and a text, compared exactly. Flow rules pack the integers they key
  // on into the number (losslessly: each in its own bits) and pass the instance or
  // interface id as the text, which is stored once however many keys share it; so
  // looking a key up costs no allocation and few cache misses.
  size_t Add(uint64_t number, std::string_view text, int64_t time, uint64_t value);
  // A key that is text only.
  size_t Add(std::string_view key, int64_t time, uint64_t value) {
    return Add(0, key, time, value);
  }

  size_t key_count() const { return states_.size(); }
  // Distinct texts of the keys kept (at most key_count()).
  size_t text_count() const { return text_ids_.size(); }

 private:
  using Event = std::pair<int64_t, uint64_t>;  // time, value
  struct Key {
    uint64_t number = 0;
    uint32_t text_id = 0;
    bool operator==(const Key&) const = default;
  };
  struct KeyHash {
    size_t operator()(const Key& key) const {
      // Mixed further by the map (its hash is not marked avalanching).
      return static_cast<size_t>(key.number * 0x9E3779B97F4A7C15 ^ key.text_id);
    }
  };
  struct State {
    // Most keys see one or two events: those are kept inline, with no allocation.
    boost::container::small_vector<Event, 2> events;  // sorted
    int64_t newest = 0;
  };
  struct Text {
    std::string text;   // emptied when the id is freed
    uint32_t keys = 0;  // states referring to it; the text is dropped at 0
  };
  struct TextHash {
    size_t operator()(std::string_view text) const { return std::hash<std::string_view>{}(text); }
  };

  // The id of `text`, added (referred to by no key yet) when new.
  uint32_t TextId(std::string_view text);
  // A key of the text was dropped.
  void ReleaseText(uint32_t id);
  size_t BusiestWindow(const Event* first, const Event* last, int64_t time);
  void Evict();

  const int64_t window_millis_;
  const int64_t tolerance_millis_;
  const size_t max_keys_;
  const size_t max_events_per_key_;
  boost::unordered_flat_map<Key, State, KeyHash> states_;
  // The texts of the keys, by id and by content. A deque, so that text_ids_ can view
  // the texts it holds.
  std::deque<Text> texts_;
  boost::unordered_flat_map<std::string_view, uint32_t, TextHash> text_ids_;
  std::vector<uint32_t> free_text_ids_;
  int64_t watermark_ = 0;  // newest event time seen
  // Scratch space of BusiestWindow, kept between calls so counting allocates nothing.
  std::vector<uint64_t> distinct_values_;
  std::vector<uint32_t> value_ids_;
  std::vector<uint32_t> value_counts_;
};

}  // namespace vigil
