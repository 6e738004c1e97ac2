#include "detect/rules.h"
#include "findings/finding_types.h"

namespace vigil {

PortSweepRule::PortSweepRule(const DetectionSettings& settings)
    : settings_(settings),
      hosts_(settings.port_sweep_window_millis, settings.out_of_order_millis,
             settings.max_window_keys, settings.port_sweep_hosts * 4) {}

void PortSweepRule::Observe(const FlowRecord& record, const OrientedFlow& flow,
                            const ThreatSnapshot& lists, Emitter& emitter) {
  // Outbound probes (a few packets, from a client port) of one service port.
  if (flow.inbound || flow.direction == "UNKNOWN" || !flow.remote_v4 || flow.remote_port < 0 ||
      record.packets > settings_.port_scan_max_packets || flow.local_port < flow.remote_port) {
    return;
  }
  if (!IsPublicIpv4(*flow.remote_v4) || lists.IsTrusted(flow.remote_lists)) return;
  const std::string_view resource = FlowResourceKey(record);
  const size_t hosts = hosts_.Add(static_cast<uint64_t>(flow.remote_port), resource,
                                  record.start * 1000, *flow.remote_v4);
  if (hosts < settings_.port_sweep_hosts) return;
  static const FindingTypeInfo* type = FindFindingType("Impact:EC2/PortSweep");
  Occurrence occurrence = ConnectionOccurrence(type, record, flow, "ACTOR");
  const std::string finding_key = std::string(resource) + "|" + std::to_string(flow.remote_port);
  emitter.Emit(finding_key, std::move(occurrence));
}

}  // namespace vigil
