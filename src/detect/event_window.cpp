#include "detect/event_window.h"

#include <algorithm>
#include <iterator>
#include <unordered_map>

namespace vigil {

EventWindow::EventWindow(int64_t window_millis, int64_t tolerance_millis, size_t max_keys,
                         size_t max_events_per_key)
    : window_millis_(window_millis),
      tolerance_millis_(tolerance_millis),
      max_keys_(max_keys),
      max_events_per_key_(max_events_per_key) {}

size_t EventWindow::Add(const std::string& key, int64_t time, uint64_t value) {
  watermark_ = std::max(watermark_, time);
  const int64_t horizon = watermark_ - window_millis_ - tolerance_millis_;
  if (time < horizon) return 0;  // too late to matter
  if (states_.size() >= max_keys_ && !states_.contains(key)) Evict();
  State& state = states_[key];
  auto& events = state.events;
  events.insert(std::upper_bound(events.begin(), events.end(), std::make_pair(time, value)),
                {time, value});
  // Forget what no window can reach any more, then cap the key's memory.
  events.erase(events.begin(), std::lower_bound(events.begin(), events.end(),
                                                std::make_pair(horizon, uint64_t{0})));
  if (events.size() > max_events_per_key_) {
    events.erase(events.begin(), events.begin() + (events.size() - max_events_per_key_));
  }
  state.newest = std::max(state.newest, time);
  // The busiest window that contains the new event: events may arrive out of order, so
  // the window may start before it or end after it. Two pointers over the events of
  // [time - window, time + window], counting distinct values.
  const auto first = std::lower_bound(events.begin(), events.end(),
                                      std::make_pair(time - window_millis_, uint64_t{0}));
  const auto last = std::upper_bound(events.begin(), events.end(),
                                     std::make_pair(time + window_millis_, UINT64_MAX));
  std::unordered_map<uint64_t, int> in_window;
  size_t busiest = 0;
  auto end = first;
  for (auto start = first; start != last && start->first <= time; ++start) {
    while (end != last && end->first <= start->first + window_millis_) {
      ++in_window[end->second];
      ++end;
    }
    if (end != first && std::prev(end)->first >= time)
      busiest = std::max(busiest, in_window.size());
    if (--in_window[start->second] == 0) in_window.erase(start->second);
  }
  return busiest;
}

void EventWindow::Evict() {
  const int64_t horizon = watermark_ - window_millis_ - tolerance_millis_;
  std::erase_if(states_, [&](const auto& entry) { return entry.second.newest < horizon; });
  if (states_.size() < max_keys_) return;
  // Still full: drop the idlest tenth.
  std::vector<std::pair<int64_t, std::string>> by_age;
  by_age.reserve(states_.size());
  for (const auto& [key, state] : states_) by_age.emplace_back(state.newest, key);
  const size_t drop = std::max<size_t>(1, states_.size() / 10);
  std::nth_element(by_age.begin(), by_age.begin() + drop, by_age.end());
  for (size_t i = 0; i < drop; ++i) states_.erase(by_age[i].second);
}

}  // namespace vigil
