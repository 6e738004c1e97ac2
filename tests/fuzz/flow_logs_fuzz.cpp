// libFuzzer target for the VPC Flow Logs parser: the input is the file. A first byte of
// '#' makes the rest of its first line a format string argument (exercising
// FlowLogFormat::Parse and custom orders without a header), so seed files can carry both.
// Crashes, sanitizer reports and broken invariants abort.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "fuzz_support.h"
#include "ingest/flow_logs.h"

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
  std::string_view content(reinterpret_cast<const char*>(data), size);
  std::optional<vigil::FlowLogFormat> format;
  if (content.starts_with('#')) {
    const size_t newline = content.find('\n');
    const std::string_view format_text =
        content.substr(1, newline == std::string_view::npos ? std::string_view::npos : newline - 1);
    content = newline == std::string_view::npos ? std::string_view() : content.substr(newline + 1);
    vigil::StatusOr<vigil::FlowLogFormat> parsed = vigil::FlowLogFormat::Parse(format_text);
    if (parsed.ok()) {
      Require(!parsed->fields().empty());
      for (const std::string& field : parsed->fields()) Require(!field.empty());
      format = std::move(parsed).value();
    } else {
      Require(!parsed.status().message().empty());
    }
  }

  const vigil::ParseResult<vigil::FlowRecord> result = vigil::ParseFlowLogs(content, format);

  const size_t lines = CountLines(content);
  Require(result.records.size() + result.rejected + result.skipped <= lines);
  Require(result.rejects.size() <= vigil::ParseResult<vigil::FlowRecord>::kMaxReportedRejects);
  Require(result.rejects.size() == result.rejected ||
          result.rejects.size() == vigil::ParseResult<vigil::FlowRecord>::kMaxReportedRejects);
  size_t previous_line = 0;
  for (const vigil::RejectedRecord& reject : result.rejects) {
    Require(!reject.reason.empty());
    Require(reject.position > previous_line && reject.position <= lines);
    previous_line = reject.position;
  }
  for (const vigil::FlowRecord& record : result.records) {
    Require(record.source_port >= -1 && record.source_port <= 65535);
    Require(record.destination_port >= -1 && record.destination_port <= 65535);
    Require(record.protocol >= -1 && record.protocol <= 255);
    Require(record.tcp_flags >= -1 && record.tcp_flags <= 255);
    Require(record.packets >= 0 && record.bytes >= 0 && record.start >= 0 && record.end >= 0);
    Require(!record.source_v4 || !record.source.empty());
    Require(!record.destination_v4 || !record.destination.empty());
    Require(record.source != "-" && record.destination != "-" && record.account_id != "-");
  }
  return 0;
}
