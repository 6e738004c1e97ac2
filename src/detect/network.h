// Which side of a flow record is the instance: GuardDuty findings speak of the local
// (interface) side and the remote side, and of INBOUND or OUTBOUND connections.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "ingest/records.h"

namespace vigil {

// RFC 1918, loopback, link-local, CGNAT, multicast and reserved ranges: addresses threat
// lists and behaviour rules do not apply to (GuardDuty uses lists for public IPs only).
bool IsPublicIpv4(uint32_t address);

struct OrientedFlow {
  std::string local_ip;
  std::string remote_ip;
  std::optional<uint32_t> remote_v4;
  int32_t local_port = -1;
  int32_t remote_port = -1;
  bool inbound = false;   // the remote side started it (as far as the record tells)
  std::string direction;  // "INBOUND", "OUTBOUND" or "UNKNOWN"
};

// Orients `record` around its interface: flow-direction when logged; otherwise the
// private side is local (both private or both public: the destination is local, and
// the direction UNKNOWN).
OrientedFlow Orient(const FlowRecord& record);

// "TCP", "UDP", "ICMP" or "Unknown" for an IANA protocol number.
std::string ProtocolName(int32_t protocol);

}  // namespace vigil
