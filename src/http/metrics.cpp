#include "http/metrics.h"

#include <fmt/format.h>

namespace vigil::http {

Metrics::Metrics(std::vector<std::string> operations)
    : operations_(std::move(operations)),
      counters_(std::make_unique<PerOperation[]>(operations_.size())) {}

void Metrics::Record(size_t operation, int http_status, double latency_seconds) {
  if (operation >= operations_.size()) return;
  PerOperation& counters = counters_[operation];
  counters.requests.fetch_add(1, std::memory_order_relaxed);
  if (http_status >= 400) counters.errors.fetch_add(1, std::memory_order_relaxed);
  for (size_t b = 0; b < kLatencyBuckets.size(); ++b) {
    if (latency_seconds <= kLatencyBuckets[b]) {
      counters.buckets[b].fetch_add(1, std::memory_order_relaxed);
      break;
    }
  }
  counters.latency_micros_sum.fetch_add(static_cast<uint64_t>(latency_seconds * 1e6),
                                        std::memory_order_relaxed);
}

std::string Metrics::RenderPrometheus(int64_t store_size_bytes) const {
  std::string out;
  out += "# HELP vigil_requests_total Requests handled, by operation.\n";
  out += "# TYPE vigil_requests_total counter\n";
  for (size_t i = 0; i < operations_.size(); ++i) {
    out += fmt::format("vigil_requests_total{{operation=\"{}\"}} {}\n", operations_[i],
                       counters_[i].requests.load());
  }
  out += "# HELP vigil_request_errors_total Requests answered with an error status.\n";
  out += "# TYPE vigil_request_errors_total counter\n";
  for (size_t i = 0; i < operations_.size(); ++i) {
    out += fmt::format("vigil_request_errors_total{{operation=\"{}\"}} {}\n", operations_[i],
                       counters_[i].errors.load());
  }
  out += "# HELP vigil_request_duration_seconds Time from a complete request to its response.\n";
  out += "# TYPE vigil_request_duration_seconds histogram\n";
  for (size_t i = 0; i < operations_.size(); ++i) {
    const PerOperation& counters = counters_[i];
    if (counters.requests.load() == 0) continue;
    uint64_t cumulative = 0;
    for (size_t b = 0; b < kLatencyBuckets.size(); ++b) {
      cumulative += counters.buckets[b].load();
      out += fmt::format("vigil_request_duration_seconds_bucket{{operation=\"{}\",le=\"{}\"}} {}\n",
                         operations_[i], kLatencyBuckets[b], cumulative);
    }
    out += fmt::format("vigil_request_duration_seconds_bucket{{operation=\"{}\",le=\"+Inf\"}} {}\n",
                       operations_[i], counters.requests.load());
    out += fmt::format("vigil_request_duration_seconds_sum{{operation=\"{}\"}} {:.6f}\n",
                       operations_[i], counters.latency_micros_sum.load() / 1e6);
    out += fmt::format("vigil_request_duration_seconds_count{{operation=\"{}\"}} {}\n",
                       operations_[i], counters.requests.load());
  }
  out += "# HELP vigil_open_connections Client connections currently open.\n";
  out += "# TYPE vigil_open_connections gauge\n";
  out += fmt::format("vigil_open_connections {}\n", open_connections_.load());
  out += "# HELP vigil_store_size_bytes Size of the store's database.\n";
  out += "# TYPE vigil_store_size_bytes gauge\n";
  out += fmt::format("vigil_store_size_bytes {}\n", store_size_bytes);
  return out;
}

}  // namespace vigil::http
