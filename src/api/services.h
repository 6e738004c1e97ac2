// Services: what API handlers may use. Owned by main; handlers borrow it.
#pragma once

#include "detect/detection_engine.h"
#include "findings/finding_service.h"
#include "http/metrics.h"
#include "intel/threat_intel_service.h"
#include "publish/finding_publisher.h"
#include "store/store.h"
#include "watch/folder_watcher.h"

namespace vigil::api {

struct Services {
  Store* store = nullptr;
  FindingService* findings = nullptr;
  ThreatIntelService* intel = nullptr;  // loads activated lists; may be null in tests
  DetectionEngine* engine = nullptr;    // /_vigil/ingest
  size_t max_ingest_bytes = 256 * 1024 * 1024;
  const http::Metrics* metrics = nullptr;  // set once the router is complete
  bool allow_reset = true;                 // POST /_vigil/reset; only with --auth none
  FindingPublisher* publisher = nullptr;   // may be null in tests
  ManualClock* test_clock = nullptr;       // POST /_vigil/clock; only with --test-clock
  const FolderWatcher* watcher = nullptr;  // GET /_vigil/watch; only with --watch
  // --organization-management-account and --organization-accounts; null when unset.
  const Organization* organization = nullptr;
};

}  // namespace vigil::api
