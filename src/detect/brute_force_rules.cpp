#include "detect/rules.h"
#include "findings/finding_types.h"

namespace vigil {

namespace {

struct Service {
  const char* type;
  int32_t port;
};

// The service a port belongs to, if brute force against it is a finding type.
const Service* ServiceOn(int32_t port) {
  static const Service kServices[] = {
      {"UnauthorizedAccess:EC2/SSHBruteForce", 22},
      {"UnauthorizedAccess:EC2/RDPBruteForce", 3389},
      {"Impact:EC2/WinRMBruteForce", 5985},
      {"Impact:EC2/WinRMBruteForce", 5986},
  };
  for (const Service& service : kServices) {
    if (service.port == port) return &service;
  }
  return nullptr;
}

}  // namespace

BruteForceRule::BruteForceRule(const DetectionSettings& settings)
    : settings_(settings),
      attempts_(settings.brute_force_window_millis, settings.out_of_order_millis,
                settings.max_window_keys, settings.brute_force_attempts * 4) {}

void BruteForceRule::Observe(const FlowRecord& record, const OrientedFlow& flow,
                             const ThreatSnapshot& lists, Emitter& emitter) {
  // Attempts are TCP connections to the service port of the side that was called.
  if (record.protocol != 6 || !flow.remote_v4 ||
      record.packets > settings_.brute_force_max_packets) {
    return;
  }
  const int32_t service_port = flow.inbound ? flow.local_port : flow.remote_port;
  const Service* service = ServiceOn(service_port);
  if (service == nullptr || flow.direction == "UNKNOWN") return;
  // Traffic with a trusted address is never a finding.
  if (lists.IsTrusted(flow.remote_lists)) return;
  const std::string_view resource = FlowResourceKey(record);
  // Per resource, remote address, direction and service port, each in its own bits.
  const uint64_t remote_direction_port = uint64_t{*flow.remote_v4} << 32 |
                                         uint64_t{flow.inbound} << 16 |
                                         static_cast<uint16_t>(service->port);
  // Each new client port is one more attempt (a connection keeps its port).
  const int32_t client_port = flow.inbound ? flow.remote_port : flow.local_port;
  const size_t attempts = attempts_.Add(remote_direction_port, resource, record.start * 1000,
                                        static_cast<uint64_t>(client_port));
  if (attempts < settings_.brute_force_attempts) return;

  Occurrence occurrence = ConnectionOccurrence(FindFindingType(service->type), record, flow,
                                               flow.inbound ? "TARGET" : "ACTOR");
  if (!flow.inbound) occurrence.severity = 8;  // the instance attacks others: High
  // GuardDuty aggregates a brute force on the instance: a new attacker adds to the count.
  const std::string finding_key = std::string(resource) + "|" + occurrence.resource_role;
  emitter.Emit(finding_key, std::move(occurrence));
}

}  // namespace vigil
