// FindingPublisher: GuardDuty's finding publication. A new finding is published at once;
// later changes to it wait for the detector's findingPublishingFrequency (15 minutes,
// 1 hour or 6 hours) since it was last published. Auto-archived (suppressed) findings
// are never published; findings archived by hand still are.
//
// Publishing a finding queues, in the same store transaction that marks it published,
// one EventBridge event per configured event sink (--publish-file, --publish-webhook)
// and one export line per S3 publishing destination of its detector. Delivery drains
// that outbox sink by sink: a sink that fails is retried with backoff (0.5 s doubling up
// to 30 s) and nothing is lost across an outage or a restart. An S3 destination that
// cannot be written turns UNABLE_TO_PUBLISH_FIX_DESTINATION_PROPERTY (with
// publishingFailureStartTimestamp) until a write succeeds; one whose detector is
// disabled is STOPPED.
//
// Here the publication is what matters, not the exact moment: times are the injected
// clock's, so tests drive the frequencies with a manual clock.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "core/status.h"
#include "core/time.h"
#include "publish/sinks.h"
#include "store/store.h"

namespace vigil {

struct PublisherOptions {
  std::string file_path;  // --publish-file; "" for none
  size_t file_max_bytes = 100 * 1024 * 1024;
  std::string webhook_url;  // --publish-webhook; "" for none
  S3ExportOptions s3;       // for publishing destinations
};

// {"version":"0","id":...,"detail-type":"GuardDuty Finding","source":"aws.guardduty",
// "account":...,"time":...,"region":...,"resources":[],"detail":<finding>} for the
// Finding JSON `finding_document`.
std::string EventBridgeEvent(const std::string& finding_document, const std::string& account,
                             const std::string& region, int64_t now_millis);

// The milliseconds of a FindingPublishingFrequency value (SIX_HOURS when unknown).
int64_t PublishingIntervalMillis(const std::string& frequency);

class FindingPublisher {
 public:
  // Borrows the store and the clock, which must outlive the publisher.
  FindingPublisher(Store& store, const Clock& clock, PublisherOptions options);

  // Publishes what is due at the clock's now and delivers the outbox. One run at a
  // time; safe to call from any thread (the background loop, the test clock endpoint).
  void RunOnce();

  // Events queued for `sink` names: "events/file", "events/webhook", or
  // "s3/<detectorId>/<destinationId>".
  static constexpr const char* kFileSink = "events/file";
  static constexpr const char* kWebhookSink = "events/webhook";

 private:
  struct Backoff {
    int failures = 0;
    std::chrono::steady_clock::time_point next_attempt;
  };

  Status Publish(int64_t now);
  Status Deliver(int64_t now);
  // Delivers queued entries of one S3 destination sink (`detectors` by id: whose account
  // and region name the export's path); updates the destination's status.
  size_t DeliverExport(const std::string& sink, const std::vector<OutboxEntry>& entries,
                       const std::map<std::string, DetectorRecord>& detectors, int64_t now,
                       std::string& error);
  bool Waiting(const std::string& sink) const;
  void Failed(const std::string& sink, const std::string& error);

  Store& store_;
  const Clock& clock_;
  const PublisherOptions options_;
  std::unique_ptr<Sink> file_;
  std::unique_ptr<Sink> webhook_;
  std::mutex run_mutex_;  // one run at a time; guards backoff_
  std::map<std::string, Backoff> backoff_;
};

}  // namespace vigil
