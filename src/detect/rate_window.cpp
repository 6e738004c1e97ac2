#include "detect/rate_window.h"

#include <algorithm>

#include "detect/idle_eviction.h"

namespace vigil {

RateWindow::RateWindow(int64_t bucket_millis, int64_t tolerance_millis, size_t max_keys)
    : bucket_millis_(bucket_millis), tolerance_millis_(tolerance_millis), max_keys_(max_keys) {}

size_t RateWindow::Add(const std::string& key, int64_t time, double amount, double threshold) {
  watermark_ = std::max(watermark_, time);
  const int64_t horizon = watermark_ - tolerance_millis_ - bucket_millis_;
  if (time < horizon) return 0;  // too late to matter
  if (states_.size() >= max_keys_ && !states_.contains(key)) Evict();
  State& state = states_[key];
  auto& buckets = state.buckets;
  const int64_t start = time - time % bucket_millis_;
  auto at = std::lower_bound(buckets.begin(), buckets.end(), std::make_pair(start, 0.0),
                             [](const auto& a, const auto& b) { return a.first < b.first; });
  if (at == buckets.end() || at->first != start) at = buckets.insert(at, {start, 0.0});
  at->second += amount;
  std::erase_if(buckets,
                [&](const auto& bucket) { return bucket.first + bucket_millis_ < horizon; });
  state.newest = std::max(state.newest, time);
  return static_cast<size_t>(std::count_if(buckets.begin(), buckets.end(), [&](const auto& bucket) {
    return bucket.second >= threshold;
  }));
}

void RateWindow::Evict() {
  EvictIdle(states_, watermark_ - tolerance_millis_ - bucket_millis_, max_keys_);
}

}  // namespace vigil
