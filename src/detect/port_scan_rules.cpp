#include "detect/rules.h"
#include "findings/finding_types.h"

namespace vigil {

PortScanRule::PortScanRule(const DetectionSettings& settings)
    : settings_(settings),
      ports_(settings.port_scan_window_millis, settings.out_of_order_millis,
             settings.max_window_keys, settings.port_scan_ports * 4) {}

void PortScanRule::Observe(const FlowRecord& record, const OrientedFlow& flow,
                           const ThreatSnapshot& lists, Emitter& emitter) {
  // Outbound probes of many ports of one remote host.
  if (flow.inbound || flow.direction == "UNKNOWN" || !flow.remote_v4 || flow.remote_port < 0) {
    return;
  }
  // A probe is a connection attempt that goes nowhere: a handful of packets at most.
  // Working connections are not scan evidence (and skipping them keeps this rule cheap).
  if (record.packets > settings_.port_scan_max_packets) return;
  if (lists.IsTrusted(flow.remote_lists)) return;
  // Replies of a server look like outbound traffic to many client ports: the local side
  // answering from a well-known or lower port, or a SYN-ACK, is a server, not a scanner.
  const bool reply = flow.local_port < 1024 || flow.local_port < flow.remote_port ||
                     (record.tcp_flags >= 0 && (record.tcp_flags & 0x12) == 0x12);
  if (reply) return;
  const std::string_view resource = FlowResourceKey(record);
  const size_t ports = ports_.Add(*flow.remote_v4, resource, record.start * 1000,
                                  static_cast<uint64_t>(flow.remote_port));
  if (ports < settings_.port_scan_ports) return;
  static const FindingTypeInfo* type = FindFindingType("Recon:EC2/Portscan");
  Occurrence occurrence = ConnectionOccurrence(type, record, flow, "ACTOR");
  emitter.Emit(std::string(resource) + "|" + std::string(flow.remote_ip), std::move(occurrence));
}

}  // namespace vigil
