// The deterministic CloudTrail signals (reference/guardduty-detection.md section 3, GuardDuty's
// custom-detection signal rules): which finding type, at which severity, a single API call
// stands for. Event names in the reference marked "inferred" are Vigil's reading of them.
#pragma once

#include "ingest/records.h"

namespace vigil {

struct CloudTrailSignal {
  const char* type = nullptr;  // nullptr: the event signals nothing
  double severity = 0;         // 0: the type's default
};

CloudTrailSignal SignalOf(const CloudTrailEvent& event);

}  // namespace vigil
