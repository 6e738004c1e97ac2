// RateWindow: sums an amount per key and per bucket of event time (e.g. packets per
// second, per minute), so a rule can tell a sustained volume from a burst. Late events
// within the tolerance still land in their bucket; memory is bounded.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace vigil {

class RateWindow {
 public:
  // Buckets older than the newest event seen minus `tolerance_millis` (and one bucket)
  // are forgotten; at most `max_keys` keys are kept (the idlest go first).
  RateWindow(int64_t bucket_millis, int64_t tolerance_millis, size_t max_keys);

  // Adds `amount` to the bucket holding `time` (epoch ms) and returns how many of the
  // key's remembered buckets now total at least `threshold`.
  size_t Add(const std::string& key, int64_t time, double amount, double threshold);

  int64_t bucket_millis() const { return bucket_millis_; }
  size_t key_count() const { return states_.size(); }

 private:
  struct State {
    std::vector<std::pair<int64_t, double>> buckets;  // (bucket start, total), by start
    int64_t newest = 0;
  };
  void Evict();

  const int64_t bucket_millis_;
  const int64_t tolerance_millis_;
  const size_t max_keys_;
  std::unordered_map<std::string, State> states_;
  int64_t watermark_ = 0;  // newest event time seen
};

}  // namespace vigil
