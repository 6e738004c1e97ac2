// libFuzzer target for the CloudTrail parser: any bytes are a log file (a Records file,
// events, envelopes, JSON lines, or none of these). Crashes, sanitizer reports and
// broken invariants abort.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "fuzz_support.h"
#include "ingest/cloudtrail.h"
#include "intel/list_parser.h"

using vigil::fuzz::Require;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view content(reinterpret_cast<const char*>(data), size);
  const vigil::ParseResult<vigil::CloudTrailEvent> result = vigil::ParseCloudTrail(content);

  using Result = vigil::ParseResult<vigil::CloudTrailEvent>;
  Require(result.rejects.size() <= Result::kMaxReportedRejects);
  Require(result.rejects.size() <= result.rejected);
  Require(result.rejected == result.rejects.size() ||
          result.rejects.size() == Result::kMaxReportedRejects);
  // Every record and reject stands for at least one byte of input.
  Require(result.records.size() + result.rejected <= size);
  for (const vigil::RejectedRecord& reject : result.rejects) {
    Require(!reject.reason.empty());
    Require(reject.position >= 1 && reject.position <= size);
  }
  for (const vigil::CloudTrailEvent& event : result.records) {
    Require(!event.event_name.empty() && !event.event_source.empty());
    Require(event.source_ip_v4 == vigil::ParseIpv4Address(event.source_ip));
  }

  // The thread's reused buffers carry nothing from one call to the next.
  const Result again = vigil::ParseCloudTrail(content);
  Require(again.records.size() == result.records.size());
  Require(again.rejected == result.rejected);
  for (size_t i = 0; i < result.records.size(); ++i) {
    Require(again.records[i].event_time == result.records[i].event_time);
    Require(again.records[i].request_parameters == result.records[i].request_parameters);
    Require(again.records[i].response_elements == result.records[i].response_elements);
  }
  return 0;
}
