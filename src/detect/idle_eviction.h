// How the rules' keyed state stays bounded: what has been idle past the horizon goes,
// and when that is not enough, the idlest tenth.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <unordered_map>
#include <utility>
#include <vector>

namespace vigil {

// `states` (a std or boost unordered map) maps keys to values with an `int64_t newest` (the last
// event time of the key). Removes the keys whose newest event is before `horizon`; if `max_keys` or
// more remain, also the tenth of them that has been idle longest.
template <typename Map>
void EvictIdle(Map& states, int64_t horizon, size_t max_keys) {
  using std::erase_if;  // and, found by argument, boost::unordered's for its flat maps
  erase_if(states, [&](const auto& entry) { return entry.second.newest < horizon; });
  if (states.size() < max_keys) return;
  std::vector<std::pair<int64_t, typename Map::key_type>> by_age;
  by_age.reserve(states.size());
  for (const auto& [key, state] : states) by_age.emplace_back(state.newest, key);
  const size_t drop = std::max<size_t>(1, states.size() / 10);
  std::nth_element(by_age.begin(), by_age.begin() + drop, by_age.end());
  for (size_t i = 0; i < drop; ++i) states.erase(by_age[i].second);
}

}  // namespace vigil
