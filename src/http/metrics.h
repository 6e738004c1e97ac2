// Metrics: request counters, errors and latency per operation, open connections —
// rendered in the Prometheus text exposition format. Recording is lock-free.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace vigil::http {

class Metrics {
 public:
  // Upper bounds of the latency histogram's buckets, in seconds.
  static constexpr std::array<double, 12> kLatencyBuckets = {
      0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1.0};

  // `operations` names each slot; Record's `operation` indexes into it.
  explicit Metrics(std::vector<std::string> operations);

  // Records one finished request. Thread-safe.
  void Record(size_t operation, int http_status, double latency_seconds);
  void ConnectionOpened() { open_connections_.fetch_add(1, std::memory_order_relaxed); }
  void ConnectionClosed() { open_connections_.fetch_sub(1, std::memory_order_relaxed); }
  int64_t open_connections() const { return open_connections_.load(); }

  // The Prometheus text for all metrics, plus the store's size in bytes.
  std::string RenderPrometheus(int64_t store_size_bytes) const;

 private:
  struct PerOperation {
    std::atomic_uint64_t requests{0};
    std::atomic_uint64_t errors{0};
    std::array<std::atomic_uint64_t, kLatencyBuckets.size()> buckets{};
    std::atomic_uint64_t latency_micros_sum{0};
  };
  std::vector<std::string> operations_;
  std::unique_ptr<PerOperation[]> counters_;
  std::atomic_int64_t open_connections_{0};
};

}  // namespace vigil::http
