#include "publish/finding_publisher.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/json/serialize.hpp>
#include <boost/json/string.hpp>
#include <map>

#include "core/ids.h"

namespace vigil {

namespace {

constexpr size_t kBatch = 500;

std::string Quoted(const std::string& text) {
  return boost::json::serialize(boost::json::string(text));
}

using AccountRegion = std::pair<std::string, std::string>;

// How often each detector publishes updates, by id: at its own findingPublishingFrequency,
// or at its administrator's while it is an Enabled member (GuardDuty applies the
// administrator's).
StatusOr<std::map<std::string, std::string>> EffectiveFrequencies(
    Store& store, const std::vector<DetectorRecord>& detectors) {
  std::map<AccountRegion, const DetectorRecord*> by_account;
  for (const DetectorRecord& detector : detectors) {
    by_account[{detector.account, detector.region}] = &detector;
  }
  VIGIL_ASSIGN_OR_RETURN(std::vector<MemberRecord> memberships, store.ListAllEnabledMemberships());
  std::map<AccountRegion, std::string> administrator_of;
  for (MemberRecord& membership : memberships) {
    administrator_of[{membership.account_id, membership.region}] =
        std::move(membership.administrator);
  }
  std::map<std::string, std::string> frequencies;
  for (const DetectorRecord& detector : detectors) {
    std::string frequency = detector.finding_publishing_frequency;
    if (auto admin = administrator_of.find({detector.account, detector.region});
        admin != administrator_of.end()) {
      if (auto found = by_account.find({admin->second, detector.region});
          found != by_account.end()) {
        frequency = found->second->finding_publishing_frequency;
      }
    }
    frequencies[detector.id] = std::move(frequency);
  }
  return frequencies;
}

}  // namespace

std::string EventBridgeEvent(const std::string& finding_document, const std::string& account,
                             const std::string& region, int64_t now_millis) {
  // EventBridge writes whole seconds: 2026-01-23T21:53:32Z.
  const std::string time = FormatIsoMillis(now_millis).substr(0, 19) + "Z";
  return "{\"version\":\"0\",\"id\":" + Quoted(NewRequestId()) +
         ",\"detail-type\":\"GuardDuty Finding\",\"source\":\"aws.guardduty\",\"account\":" +
         Quoted(account) + ",\"time\":" + Quoted(time) + ",\"region\":" + Quoted(region) +
         ",\"resources\":[],\"detail\":" + finding_document + "}";
}

int64_t PublishingIntervalMillis(const std::string& frequency) {
  constexpr int64_t kMinute = 60 * 1000;
  if (frequency == "FIFTEEN_MINUTES") return 15 * kMinute;
  if (frequency == "ONE_HOUR") return 60 * kMinute;
  return 6 * 60 * kMinute;
}

FindingPublisher::FindingPublisher(Store& store, const Clock& clock, PublisherOptions options)
    : store_(store), clock_(clock), options_(std::move(options)) {
  if (!options_.file_path.empty())
    file_ = MakeFileSink(options_.file_path, options_.file_max_bytes);
  if (!options_.webhook_url.empty()) webhook_ = MakeWebhookSink(options_.webhook_url);
}

void FindingPublisher::RunOnce() {
  std::lock_guard lock(run_mutex_);
  const int64_t now = clock_.NowMillis();
  if (Status published = Publish(now); !published.ok()) {
    spdlog::error("publishing findings: {}", published.message());
  }
  if (Status delivered = Deliver(now); !delivered.ok()) {
    spdlog::error("delivering published findings: {}", delivered.message());
  }
}

Status FindingPublisher::Publish(int64_t now) {
  VIGIL_ASSIGN_OR_RETURN(std::vector<DetectorRecord> detectors, store_.ListAllDetectors());
  VIGIL_ASSIGN_OR_RETURN(auto frequencies, EffectiveFrequencies(store_, detectors));
  VIGIL_ASSIGN_OR_RETURN(std::vector<PublishingDestinationRecord> destinations,
                         store_.ListAllPublishingDestinations());
  for (const DetectorRecord& detector : detectors) {
    std::vector<std::string> export_sinks;
    for (const PublishingDestinationRecord& destination : destinations) {
      if (destination.detector_id != detector.id) continue;
      // A disabled detector publishes nothing: its destinations are STOPPED meanwhile.
      const bool stopped = destination.status == "STOPPED";
      if (detector.enabled == stopped) {
        VIGIL_RETURN_IF_ERROR(
            store_.SetPublishingStatus(detector.id, destination.id, destination.updated_at,
                                       detector.enabled ? "PUBLISHING" : "STOPPED", 0));
      }
      if (detector.enabled) export_sinks.push_back("s3/" + detector.id + "/" + destination.id);
    }
    const int64_t published_before = now - PublishingIntervalMillis(frequencies.at(detector.id));
    while (true) {
      VIGIL_ASSIGN_OR_RETURN(std::vector<FindingRecord> due,
                             store_.FindingsToPublish(detector.id, published_before, kBatch));
      if (due.empty()) break;
      std::vector<PublishedFinding> published;
      std::vector<OutboxEntry> entries;
      for (const FindingRecord& finding : due) {
        published.push_back({finding.detector_id, finding.id, finding.updated_at});
        const std::string event =
            EventBridgeEvent(finding.document, detector.account, detector.region, now);
        if (file_) entries.push_back({0, kFileSink, event});
        if (webhook_) entries.push_back({0, kWebhookSink, event});
        for (const std::string& sink : export_sinks) entries.push_back({0, sink, finding.document});
      }
      VIGIL_RETURN_IF_ERROR(store_.RecordPublication(published, now, entries));
      if (due.size() < kBatch) break;
    }
  }
  return Status::Ok();
}

bool FindingPublisher::Waiting(const std::string& sink) const {
  const auto it = backoff_.find(sink);
  return it != backoff_.end() && std::chrono::steady_clock::now() < it->second.next_attempt;
}

void FindingPublisher::Failed(const std::string& sink, const std::string& error) {
  Backoff& backoff = backoff_[sink];
  const auto delay = std::min<std::chrono::milliseconds>(
      std::chrono::milliseconds(500) * (1 << std::min(backoff.failures, 6)),
      std::chrono::seconds(30));
  ++backoff.failures;
  backoff.next_attempt = std::chrono::steady_clock::now() + delay;
  spdlog::warn("publishing to {} failed ({}); retrying in {} ms", sink, error, delay.count());
}

Status FindingPublisher::Deliver(int64_t now) {
  VIGIL_ASSIGN_OR_RETURN(std::vector<std::string> sinks, store_.OutboxSinks());
  VIGIL_ASSIGN_OR_RETURN(std::vector<DetectorRecord> all, store_.ListAllDetectors());
  std::map<std::string, DetectorRecord> detectors;  // by id, for the S3 export paths
  for (DetectorRecord& detector : all) detectors.emplace(detector.id, std::move(detector));
  for (const std::string& sink : sinks) {
    if (Waiting(sink)) continue;
    Sink* events = sink == kFileSink      ? file_.get()
                   : sink == kWebhookSink ? webhook_.get()
                                          : nullptr;
    const bool is_export = sink.starts_with("s3/");
    if (events == nullptr && !is_export) continue;  // a sink no longer configured keeps its queue
    while (true) {
      VIGIL_ASSIGN_OR_RETURN(std::vector<OutboxEntry> entries, store_.PeekOutbox(sink, kBatch));
      if (entries.empty()) break;
      std::string error;
      const size_t delivered = is_export ? DeliverExport(sink, entries, detectors, now, error)
                                         : events->Deliver(entries, error);
      if (delivered > 0) {
        VIGIL_RETURN_IF_ERROR(store_.RemoveFromOutbox(sink, entries[delivered - 1].seq));
      }
      if (delivered < entries.size()) {
        Failed(sink, error);
        break;
      }
      backoff_.erase(sink);
      if (entries.size() < kBatch) break;
    }
  }
  return Status::Ok();
}

size_t FindingPublisher::DeliverExport(const std::string& sink,
                                       const std::vector<OutboxEntry>& entries,
                                       const std::map<std::string, DetectorRecord>& detectors,
                                       int64_t now, std::string& error) {
  // "s3/<detectorId>/<destinationId>"
  const size_t slash = sink.find('/', 3);
  const std::string detector_id = sink.substr(3, slash - 3);
  const std::string destination_id = sink.substr(slash + 1);
  auto destination = store_.GetPublishingDestination(detector_id, destination_id);
  const auto detector = detectors.find(detector_id);
  if (!destination.ok() || detector == detectors.end()) {
    return entries.size();  // the destination (or detector) is gone: drop its exports
  }
  if (destination->status == "STOPPED") {
    error = "the destination is stopped";
    return 0;
  }
  std::vector<std::string> lines;
  lines.reserve(entries.size());
  for (const OutboxEntry& entry : entries) lines.push_back(entry.payload);
  auto written = WriteS3Export(options_.s3, destination->destination_arn, detector->second.account,
                               detector->second.region, now, lines);
  const int64_t failure_started =
      written.ok() ? 0 : (destination->failure_started_at ? destination->failure_started_at : now);
  const std::string status =
      written.ok() ? "PUBLISHING" : "UNABLE_TO_PUBLISH_FIX_DESTINATION_PROPERTY";
  if (status != destination->status || failure_started != destination->failure_started_at) {
    store_.SetPublishingStatus(detector_id, destination_id, destination->updated_at, status,
                               failure_started);
  }
  if (!written.ok()) {
    error = written.status().message();
    return 0;
  }
  return entries.size();
}

}  // namespace vigil
