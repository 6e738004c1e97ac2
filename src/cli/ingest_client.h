// IngestClient: posts log batches to a Vigil server's POST
// /_vigil/ingest/{detectorId}/{source}, SigV4-signed for service `guardduty`, and reads
// its answers. Retries what is worth retrying: a server that cannot be reached, a
// connection that breaks, a 5xx. A 4xx is the server's verdict on the batch and final.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "cli/aws_credentials.h"
#include "core/status.h"

namespace vigil {

struct IngestTarget {
  std::string endpoint;  // http(s)://host[:port][/prefix]
  std::string detector_id;
  std::string source;  // flowlogs, cloudtrail or dns
  std::string region;  // of the SigV4 credential scope
  // Signs requests when set; without, requests carry no Authorization header (the
  // server then uses its default account and region).
  std::optional<AwsCredentials> credentials;
};

struct RetryPolicy {
  int max_attempts = 4;
  std::chrono::milliseconds first_backoff{500};  // doubled after each attempt
};

// What the server counted for one batch.
struct IngestCounts {
  size_t records = 0;
  size_t rejected = 0;
  size_t findings_created = 0;
  size_t findings_updated = 0;
  std::string first_rejection;  // "3: reason" for the first rejected record, if any
};

struct PostResult {
  enum class Outcome {
    kIngested,     // counts are set
    kFailed,       // error says why
    kUnreachable,  // the server could not be reached (after retries); error says why
  };
  Outcome outcome = Outcome::kFailed;
  IngestCounts counts;
  std::string error;
};

// One connection's worth of ingest requests, kept alive between posts. Not thread-safe:
// give each thread its own client.
class IngestClient {
 public:
  IngestClient(IngestTarget target, RetryPolicy retry);
  ~IngestClient();
  IngestClient(const IngestClient&) = delete;
  IngestClient& operator=(const IngestClient&) = delete;

  // Posts `body` (plain or gzip log content) and waits for the server's answer.
  PostResult Post(const std::string& body);

 private:
  struct Attempt;
  Attempt PostOnce(const std::string& body);

  IngestTarget target_;
  RetryPolicy retry_;
  std::string url_;
  struct Curl;
  std::unique_ptr<Curl> curl_;
};

// The counts of a 200 answer ({"records","rejected","findingsCreated","findingsUpdated",
// "rejectedRecords"}); an error when the body is not such a document.
StatusOr<IngestCounts> ParseIngestAnswer(std::string_view body);

// A user-facing description of an error answer: "HTTP 400: <message>" with the
// message of a GuardDuty-style JSON error body, or the start of a body of any other kind.
std::string DescribeErrorAnswer(long http_status, std::string_view body);

}  // namespace vigil
