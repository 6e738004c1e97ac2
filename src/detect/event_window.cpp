#include "detect/event_window.h"

#include <algorithm>
#include <unordered_set>

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
  std::unordered_set<uint64_t> distinct;
  for (const auto& [at, event_value] : events) {
    if (at >= time - window_millis_ && at <= time) distinct.insert(event_value);
  }
  return distinct.size();
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
