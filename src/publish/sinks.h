// Sinks: where published findings go. A sink is handed the entries queued for it in the
// store's outbox, oldest first, and delivers a prefix of them; what it could not deliver
// stays queued and is offered again later, so an outage loses nothing.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/status.h"
#include "store/finding_records.h"

namespace vigil {

class Sink {
 public:
  virtual ~Sink() = default;
  // Delivers `entries` in order and returns how many (from the front) were delivered;
  // when fewer than all, `error` says why.
  virtual size_t Deliver(const std::vector<OutboxEntry>& entries, std::string& error) = 0;
};

// Appends each entry as one line to `path`. When the file would grow past `max_bytes` it
// is rotated first: path.4 → path.5 (the oldest is dropped), ..., path → path.1.
std::unique_ptr<Sink> MakeFileSink(std::string path, size_t max_bytes);

// POSTs each entry (one EventBridge event) as application/json to `url`; a 2xx answer
// delivers it. Requests time out after 10 seconds.
std::unique_ptr<Sink> MakeWebhookSink(std::string url);

// Where S3 exports are written: a folder whose sub-folders stand in for buckets, or an
// S3-compatible endpoint (path-style PUT, SigV4 from the AWS_* environment).
struct S3ExportOptions {
  std::string s3_root;
  std::string s3_endpoint;
  std::string s3_region = "us-east-1";
};

// Writes `lines` (one finding each) as one gzip JSON-lines object where GuardDuty puts
// its exports: <prefix>/AWSLogs/<account>/GuardDuty/<region>/YYYY/MM/DD/<uuid>.jsonl.gz
// in the bucket of `destination_arn` (arn:aws:s3:::bucket/prefix). Returns the key.
// InvalidInput when the bucket does not exist or cannot be written.
StatusOr<std::string> WriteS3Export(const S3ExportOptions& options,
                                    const std::string& destination_arn, const std::string& account,
                                    const std::string& region, int64_t now_millis,
                                    const std::vector<std::string>& lines);

}  // namespace vigil
