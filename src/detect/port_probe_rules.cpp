#include <algorithm>
#include <functional>

#include "detect/rules.h"
#include "findings/finding_types.h"

namespace vigil {

namespace {

// The web services of an EMR cluster (YARN, HDFS, Spark, Zeppelin, Livy): an open one
// hands a stranger the cluster. The port set is Vigil's reading; GuardDuty's is not
// published.
bool IsEmrPort(int32_t port) {
  static constexpr int32_t kPorts[] = {8042, 8088, 8890, 8998, 9870, 18080, 20888, 50070};
  return std::find(std::begin(kPorts), std::end(kPorts), port) != std::end(kPorts);
}

}  // namespace

PortProbeRule::PortProbeRule(const DetectionSettings& settings)
    : settings_(settings),
      targets_(settings.port_probe_window_millis, settings.out_of_order_millis,
               settings.max_window_keys, settings.port_probe_targets * 4) {}

void PortProbeRule::Observe(const FlowRecord& record, const OrientedFlow& flow,
                            const ThreatSnapshot& lists, Emitter& emitter) {
  // Unsolicited inbound connection attempts only: a few packets to a local port.
  if (!flow.inbound || flow.direction == "UNKNOWN" || !flow.remote_v4 || flow.local_port < 0 ||
      record.packets > settings_.port_scan_max_packets) {
    return;
  }
  if (lists.IsTrusted(flow.remote_lists)) return;
  const size_t targets =
      targets_.Add(*flow.remote_v4, "", record.start * 1000,
                   flow.local_v4 ? *flow.local_v4 : std::hash<std::string_view>{}(flow.local_ip));
  const bool listed = lists.NamesThreat(flow.remote_lists);
  // Only probes that got through are unprotected ports.
  if (!record.accepted || (!listed && targets < settings_.port_probe_targets)) return;

  static const FindingTypeInfo* unprotected = FindFindingType("Recon:EC2/PortProbeUnprotectedPort");
  static const FindingTypeInfo* emr = FindFindingType("Recon:EC2/PortProbeEMRUnprotectedPort");
  Occurrence occurrence;
  occurrence.type = IsEmrPort(flow.local_port) ? emr : unprotected;
  occurrence.resource_role = "TARGET";
  if (flow.local_port == 9200 || flow.local_port == 9300) occurrence.severity = 8;
  occurrence.instance = InstanceOf(record, flow);
  occurrence.action.action_type = "PORT_PROBE";
  occurrence.action.local_port = flow.local_port;
  occurrence.action.local_ip = flow.local_ip;
  occurrence.action.remote_ip = flow.remote_ip;
  occurrence.action.blocked = false;
  occurrence.first_seen = record.start * 1000;
  occurrence.last_seen = record.end * 1000;
  const std::string finding_key =
      std::string(FlowResourceKey(record)) + "|" + std::to_string(flow.local_port);
  emitter.Emit(finding_key, std::move(occurrence));
}

}  // namespace vigil
