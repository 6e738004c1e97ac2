// Which side of a flow record is the instance: GuardDuty findings speak of the local
// (interface) side and the remote side, and of INBOUND or OUTBOUND connections.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ingest/records.h"
#include "intel/threat_snapshot.h"

namespace vigil {

// RFC 1918, loopback, link-local, CGNAT, multicast and reserved ranges: addresses threat
// lists and behaviour rules do not apply to (GuardDuty uses lists for public IPs only).
bool IsPublicIpv4(uint32_t address);

// A flow record seen from its interface. The addresses view the record's text, so a flow
// lives no longer than its record.
struct OrientedFlow {
  std::string_view local_ip;
  std::string_view remote_ip;
  std::optional<uint32_t> local_v4;
  std::optional<uint32_t> remote_v4;
  int32_t local_port = -1;
  int32_t remote_port = -1;
  bool inbound = false;        // the remote side started it (as far as the record tells)
  std::string_view direction;  // "INBOUND", "OUTBOUND" or "UNKNOWN"
  // The lists naming remote_v4 (ThreatSnapshot::ListsForIp; 0 when not IPv4), looked up
  // once for all the rules: ask lists.IsTrusted(flow.remote_lists) and
  // lists.ThreatLists(flow.remote_lists) rather than looking the address up again.
  ListMask remote_lists = 0;
};

// Orients `record` around its interface: flow-direction when logged; otherwise the
// private side is local (both private or both public: the destination is local, and
// the direction UNKNOWN). Looks the remote address up in `lists`.
OrientedFlow Orient(const FlowRecord& record, const ThreatSnapshot& lists);

// Orient for a batch, into `flows` (one per record, same order). The list lookups, each a
// few cache misses, run back to back so that the CPU overlaps them; interleaved with the
// rules they were the largest cost of a record.
void Orient(std::span<const FlowRecord> records, const ThreatSnapshot& lists,
            std::vector<OrientedFlow>& flows);

// "TCP", "UDP", "ICMP" or "Unknown" for an IANA protocol number.
std::string ProtocolName(int32_t protocol);

}  // namespace vigil
