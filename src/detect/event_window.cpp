#include "detect/event_window.h"

#include <algorithm>
#include <tuple>

namespace vigil {

EventWindow::EventWindow(int64_t window_millis, int64_t tolerance_millis, size_t max_keys,
                         size_t max_events_per_key)
    : window_millis_(window_millis),
      tolerance_millis_(tolerance_millis),
      max_keys_(max_keys),
      max_events_per_key_(max_events_per_key) {}

size_t EventWindow::Add(uint64_t number, std::string_view text, int64_t time, uint64_t value) {
  watermark_ = std::max(watermark_, time);
  const int64_t horizon = watermark_ - window_millis_ - tolerance_millis_;
  if (time < horizon) return 0;  // too late to matter
  const Key key{number, TextId(text)};
  auto found = states_.find(key);
  if (found == states_.end()) {
    // Counted before Evict, which would otherwise drop the text if its last key went.
    ++texts_[key.text_id].keys;
    if (states_.size() >= max_keys_) Evict();
    found = states_.emplace(key, State()).first;
  }
  State& state = found->second;
  auto& events = state.events;
  events.insert(std::upper_bound(events.begin(), events.end(), Event(time, value)),
                Event(time, value));
  // Forget what no window can reach any more, then cap the key's memory.
  events.erase(events.begin(),
               std::lower_bound(events.begin(), events.end(), Event(horizon, uint64_t{0})));
  if (events.size() > max_events_per_key_) {
    events.erase(events.begin(), events.begin() + (events.size() - max_events_per_key_));
  }
  state.newest = std::max(state.newest, time);
  // The busiest window that contains the new event: events may arrive out of order, so
  // the window may start before it or end after it.
  const Event* first = std::lower_bound(events.data(), events.data() + events.size(),
                                        Event(time - window_millis_, uint64_t{0}));
  const Event* last = std::upper_bound(events.data(), events.data() + events.size(),
                                       Event(time + window_millis_, UINT64_MAX));
  // Most keys have one event in reach: a window holds it if it is this one's time.
  if (last - first == 1) return first->first == time ? 1 : 0;
  return BusiestWindow(first, last, time);
}

uint32_t EventWindow::TextId(std::string_view text) {
  if (const auto found = text_ids_.find(text); found != text_ids_.end()) return found->second;
  uint32_t id;
  if (!free_text_ids_.empty()) {
    id = free_text_ids_.back();
    free_text_ids_.pop_back();
  } else {
    id = static_cast<uint32_t>(texts_.size());
    texts_.emplace_back();
  }
  texts_[id].text.assign(text);
  text_ids_.emplace(texts_[id].text, id);
  return id;
}

void EventWindow::ReleaseText(uint32_t id) {
  Text& text = texts_[id];
  if (--text.keys != 0) return;
  text_ids_.erase(std::string_view(text.text));
  text.text.clear();
  text.text.shrink_to_fit();
  free_text_ids_.push_back(id);
}

// Two pointers over the events of [time - window, time + window], counting distinct
// values. Values are first renumbered 0..n-1 (sorted, in reused scratch vectors), so the
// counts are a plain array rather than a hash map built per call.
size_t EventWindow::BusiestWindow(const Event* first, const Event* last, int64_t time) {
  distinct_values_.clear();
  for (const Event* event = first; event != last; ++event) {
    distinct_values_.push_back(event->second);
  }
  std::sort(distinct_values_.begin(), distinct_values_.end());
  distinct_values_.erase(std::unique(distinct_values_.begin(), distinct_values_.end()),
                         distinct_values_.end());
  value_ids_.clear();
  for (const Event* event = first; event != last; ++event) {
    value_ids_.push_back(static_cast<uint32_t>(
        std::lower_bound(distinct_values_.begin(), distinct_values_.end(), event->second) -
        distinct_values_.begin()));
  }
  value_counts_.assign(distinct_values_.size(), 0);

  size_t in_window = 0;  // distinct values between start and end
  size_t busiest = 0;
  const Event* end = first;
  for (const Event* start = first; start != last && start->first <= time; ++start) {
    while (end != last && end->first <= start->first + window_millis_) {
      if (value_counts_[value_ids_[end - first]]++ == 0) ++in_window;
      ++end;
    }
    if (end != first && (end - 1)->first >= time) busiest = std::max(busiest, in_window);
    if (--value_counts_[value_ids_[start - first]] == 0) --in_window;
  }
  return busiest;
}

void EventWindow::Evict() {
  const int64_t horizon = watermark_ - window_millis_ - tolerance_millis_;
  // Keys are collected and then erased, not erased while iterating.
  std::vector<std::pair<int64_t, Key>> by_age;
  by_age.reserve(states_.size());
  for (const auto& [key, state] : states_) by_age.emplace_back(state.newest, key);
  const auto erase = [&](const Key& key) {
    states_.erase(key);
    ReleaseText(key.text_id);
  };
  size_t kept = 0;  // the keys still within reach move to the front
  for (const auto& [newest, key] : by_age) {
    if (newest < horizon) {
      erase(key);
    } else {
      by_age[kept++] = {newest, key};
    }
  }
  by_age.resize(kept);
  if (states_.size() < max_keys_) return;
  // Still full: drop the idlest tenth, ties broken by key so which go is deterministic.
  const size_t drop = std::max<size_t>(1, states_.size() / 10);
  std::nth_element(
      by_age.begin(), by_age.begin() + drop, by_age.end(), [&](const auto& a, const auto& b) {
        return std::forward_as_tuple(a.first, a.second.number, texts_[a.second.text_id].text) <
               std::forward_as_tuple(b.first, b.second.number, texts_[b.second.text_id].text);
      });
  for (size_t i = 0; i < drop; ++i) erase(by_age[i].second);
}

}  // namespace vigil
