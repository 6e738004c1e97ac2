// Plain value types for the control-plane rows the Store keeps.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/arn.h"

namespace vigil {

// Resource tags, ordered by key.
using Tags = std::map<std::string, std::string>;

// The optional data sources a detector can switch; flow logs, CloudTrail and DNS logs
// are always on in GuardDuty and so are not stored.
struct DataSourceSettings {
  bool s3_logs = true;
  bool kubernetes_audit_logs = true;
  bool malware_protection_ebs_volumes = true;
};

struct DetectorRecord {
  std::string id;
  std::string account;
  std::string region;
  bool enabled = true;
  std::string finding_publishing_frequency = "SIX_HOURS";
  DataSourceSettings data_sources;
  int64_t created_at = 0;  // epoch milliseconds
  int64_t updated_at = 0;
};

struct FilterRecord {
  std::string detector_id;
  std::string name;
  std::string description;
  std::string action = "NOOP";
  int rank = 1;
  std::string finding_criteria_json;  // the FindingCriteria object as received
  int64_t created_at = 0;
  int64_t updated_at = 0;
};

// IPSets (trusted lists) and ThreatIntelSets share one shape and one table.
enum class ThreatListKind { kIpSet, kThreatIntelSet };

struct ThreatListRecord {
  ThreatListKind kind = ThreatListKind::kIpSet;
  std::string detector_id;
  std::string id;
  std::string name;
  std::string format;
  std::string location;
  std::string status;
  int64_t created_at = 0;
  int64_t updated_at = 0;
};

// Where a detector exports its findings (CreatePublishingDestination). Only S3 exists.
struct PublishingDestinationRecord {
  std::string detector_id;
  std::string id;
  std::string type;             // "S3"
  std::string destination_arn;  // arn:aws:s3:::bucket[/prefix]
  std::string kms_key_arn;      // "" when not given
  std::string status;           // PUBLISHING, UNABLE_TO_PUBLISH_FIX_DESTINATION_PROPERTY, STOPPED
  int64_t failure_started_at = 0;  // epoch ms of the first failed export in a row; 0 if none
  int64_t created_at = 0;
  int64_t updated_at = 0;
};

// Identifies a taggable resource inside a detector; `child` is empty for the detector.
struct ResourceRef {
  std::string detector_id;
  ResourceKind kind = ResourceKind::kDetector;
  std::string child;
};

// A ClientToken claim: repeating a create with the same token in the same scope
// returns the resource the first call made instead of making another.
struct ClientToken {
  std::string scope;      // "account/region" for detectors, the detector id for children
  std::string operation;  // e.g. "CreateFilter"
  std::string token;      // empty: no idempotency requested
};

// A log file `vigil serve --watch` has processed. A file is the same file while its
// absolute path, size and modification time are unchanged; one rewritten later is new.
struct ProcessedFileRecord {
  std::string path;         // absolute
  int64_t size = 0;         // bytes
  int64_t modified_at = 0;  // mtime, nanoseconds since the epoch
  std::string detector_id;  // whose findings the file's records went to
  int64_t records = 0;
  int64_t rejected = 0;
  int64_t findings_created = 0;
  int64_t findings_updated = 0;
  int64_t processed_at = 0;  // epoch milliseconds
};

// What an ingested batch of logs leaves in the store besides its findings. It is written
// in the transaction that stores the findings, so after a crash a batch has left all of it
// or nothing: a retry neither skips the batch's events nor counts a watched file twice.
struct IngestedBatch {
  std::string detector_id;
  std::vector<std::string> event_ids;  // CloudTrail eventIDs the batch evaluated
  int64_t seen_at = 0;                 // epoch milliseconds (event ids are purged by age)
  std::optional<ProcessedFileRecord> processed_file;  // the watched file the batch was
};

}  // namespace vigil
