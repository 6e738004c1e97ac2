// libFuzzer target for the Route 53 Resolver query log parser: the input is the file (JSON
// lines). Crashes, sanitizer reports and broken invariants abort.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "fuzz_support.h"
#include "ingest/dns_logs.h"

namespace {

size_t CountLines(std::string_view content) {
  size_t lines = 0;
  for (size_t start = 0; start < content.size(); ++lines) {
    const size_t newline = content.find('\n', start);
    if (newline == std::string_view::npos) return lines + 1;
    start = newline + 1;
  }
  return lines;
}

}  // namespace

using vigil::fuzz::Require;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view content(reinterpret_cast<const char*>(data), size);
  const vigil::ParseResult<vigil::DnsQuery> result = vigil::ParseDnsLogs(content);

  const size_t lines = CountLines(content);
  Require(result.records.size() + result.rejected <= lines);
  Require(result.rejects.size() <= vigil::ParseResult<vigil::DnsQuery>::kMaxReportedRejects);
  Require(result.rejects.size() == result.rejected ||
          result.rejects.size() == vigil::ParseResult<vigil::DnsQuery>::kMaxReportedRejects);
  size_t previous_line = 0;
  for (const vigil::RejectedRecord& reject : result.rejects) {
    Require(!reject.reason.empty());
    Require(reject.position > previous_line && reject.position <= lines);
    previous_line = reject.position;
  }
  for (const vigil::DnsQuery& query : result.records) {
    for (const char c : query.query_name) Require(c < 'A' || c > 'Z');
    Require(query.source_port >= -1 && query.source_port <= 65535);
    Require(!query.source_v4.has_value() || !query.source.empty());
  }
  return 0;
}
