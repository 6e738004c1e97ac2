#include <algorithm>

#include "detect/rules.h"
#include "findings/finding_types.h"

namespace vigil {

namespace {

// Ports of TCP services: UDP aimed at them is a flood, not a conversation.
bool IsTcpServicePort(int32_t port) {
  static constexpr int32_t kPorts[] = {21,  22,  23,  25,   80,   110,  143,  443,  445, 465,
                                       587, 993, 995, 1433, 3306, 3389, 5432, 8080, 8443};
  return std::find(std::begin(kPorts), std::end(kPorts), port) != std::end(kPorts);
}

// The Backdoor:EC2/DenialOfService variant of an outbound flood, or nullptr (ICMP: no type).
const char* FloodType(int32_t protocol, int32_t remote_port) {
  if (protocol == 6) return "Backdoor:EC2/DenialOfService.Tcp";
  if (protocol == 17) {
    if (remote_port == 53) return "Backdoor:EC2/DenialOfService.Dns";
    if (IsTcpServicePort(remote_port)) return "Backdoor:EC2/DenialOfService.UdpOnTcpPorts";
    return "Backdoor:EC2/DenialOfService.Udp";
  }
  if (protocol == 1 || protocol == 58) return nullptr;
  return "Backdoor:EC2/DenialOfService.UnusualProtocol";
}

}  // namespace

DenialOfServiceRule::DenialOfServiceRule(const DetectionSettings& settings)
    : settings_(settings),
      rates_(60 * 1000, settings.out_of_order_millis, settings.max_window_keys) {}

void DenialOfServiceRule::Observe(const FlowRecord& record, const OrientedFlow& flow,
                                  const ThreatSnapshot& lists, Emitter& emitter) {
  // Only heavy outbound flows are looked at (the cheap test first): a flood is many
  // thousands of packets a second leaving the instance.
  const int64_t seconds = std::max<int64_t>(1, record.end - record.start);
  const double rate = static_cast<double>(record.packets) / static_cast<double>(seconds);
  if (rate < settings_.dos_min_flow_packets_per_second || flow.inbound ||
      flow.direction == "UNKNOWN" || !flow.remote_v4 || !IsPublicIpv4(*flow.remote_v4)) {
    return;
  }
  const char* type_name = FloodType(record.protocol, flow.remote_port);
  if (type_name == nullptr || lists.IsTrusted(flow.remote_lists)) return;
  // The record's packets-per-second counts in every minute it spans (capped: a flow log
  // aggregation interval is at most ten minutes).
  const std::string resource(FlowResourceKey(record));
  const std::string key = resource + "|" + std::string(flow.remote_ip) + "|" + type_name;
  const int64_t minute = rates_.bucket_millis();
  const int64_t first = record.start * 1000;
  const int64_t last = std::min(std::max(record.end * 1000 - 1, first), first + 10 * minute);
  size_t sustained = 0;
  for (int64_t time = first; time <= last; time += minute) {
    sustained = rates_.Add(key, time, rate, settings_.dos_packets_per_second);
  }
  if (sustained < settings_.dos_sustained_minutes) return;
  Occurrence occurrence = ConnectionOccurrence(FindFindingType(type_name), record, flow, "ACTOR");
  emitter.Emit(resource + "|" + std::string(flow.remote_ip), std::move(occurrence));
}

}  // namespace vigil
