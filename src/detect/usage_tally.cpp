#include "detect/usage_tally.h"

#include "detect/detection_engine.h"

namespace vigil {

std::string_view UsageDataSource(LogSource source) {
  switch (source) {
    case LogSource::kFlowLogs:
      return "FLOW_LOGS";
    case LogSource::kCloudTrail:
      return "CLOUD_TRAIL";
    case LogSource::kDns:
      return "DNS_LOGS";
  }
  return "";
}

void UsageTally::AddRecord(std::string_view resource) {
  ++records_;
  if (resource.empty()) return;
  if (last_count_ == nullptr || resource != last_resource_) {
    auto found = by_resource_.find(resource);
    if (found == by_resource_.end()) found = by_resource_.emplace(std::string(resource), 0).first;
    last_resource_ = found->first;
    last_count_ = &found->second;
  }
  ++*last_count_;
}

void UsageTally::Add(std::span<const FlowRecord> records) {
  for (const FlowRecord& record : records) {
    AddRecord(!record.instance_id.empty() ? record.instance_id : record.interface_id);
  }
}

void UsageTally::Add(std::span<const CloudTrailEvent> events) {
  for (const CloudTrailEvent& event : events) {
    if (!event.access_key_id.empty()) {
      AddRecord(event.access_key_id);
    } else if (!event.identity_arn.empty()) {
      AddRecord(event.identity_arn);
    } else {
      AddRecord(event.principal_id);
    }
  }
}

void UsageTally::Add(std::span<const DnsQuery> queries) {
  for (const DnsQuery& query : queries) {
    AddRecord(!query.instance_id.empty() ? query.instance_id : query.vpc_id);
  }
}

UsageBatch UsageTally::ToBatch(const std::string& detector_id, LogSource source,
                               int64_t day) const {
  UsageBatch batch;
  batch.detector_id = detector_id;
  batch.day = day;
  batch.data_source = std::string(UsageDataSource(source));
  batch.bytes = bytes_;
  batch.records = records_;
  batch.resource_records.assign(by_resource_.begin(), by_resource_.end());
  return batch;
}

}  // namespace vigil
