#include "detect/network.h"

namespace vigil {

namespace {

bool InRange(uint32_t address, uint32_t network, int prefix) {
  const uint32_t mask = prefix == 0 ? 0 : ~uint32_t{0} << (32 - prefix);
  return (address & mask) == network;
}

}  // namespace

bool IsPublicIpv4(uint32_t address) {
  struct Block {
    uint32_t network;
    int prefix;
  };
  static constexpr Block kNonPublic[] = {
      {0x00000000, 8},  {0x0A000000, 8},  {0x64400000, 10}, {0x7F000000, 8},
      {0xA9FE0000, 16}, {0xAC100000, 12}, {0xC0000000, 24}, {0xC0A80000, 16},
      {0xC6120000, 15}, {0xE0000000, 4},  {0xF0000000, 4},
  };
  for (const Block& block : kNonPublic) {
    if (InRange(address, block.network, block.prefix)) return false;
  }
  return true;
}

OrientedFlow Orient(const FlowRecord& record) {
  const bool source_public = record.source_v4 && IsPublicIpv4(*record.source_v4);
  const bool destination_public = record.destination_v4 && IsPublicIpv4(*record.destination_v4);
  bool inbound;
  std::string direction = "UNKNOWN";
  if (record.direction == FlowRecord::Direction::kIngress) {
    inbound = true;
    direction = "INBOUND";
  } else if (record.direction == FlowRecord::Direction::kEgress) {
    inbound = false;
    direction = "OUTBOUND";
  } else if (source_public != destination_public) {
    inbound = source_public;
    direction = inbound ? "INBOUND" : "OUTBOUND";
  } else {
    inbound = true;  // the destination is taken as the local side
  }
  OrientedFlow flow;
  flow.inbound = inbound;
  flow.direction = direction;
  if (inbound) {
    flow.local_ip = record.destination;
    flow.remote_ip = record.source;
    flow.remote_v4 = record.source_v4;
    flow.local_port = record.destination_port;
    flow.remote_port = record.source_port;
  } else {
    flow.local_ip = record.source;
    flow.remote_ip = record.destination;
    flow.remote_v4 = record.destination_v4;
    flow.local_port = record.source_port;
    flow.remote_port = record.destination_port;
  }
  return flow;
}

std::string ProtocolName(int32_t protocol) {
  switch (protocol) {
    case 6:
      return "TCP";
    case 17:
      return "UDP";
    case 1:
      return "ICMP";
    default:
      return "Unknown";
  }
}

}  // namespace vigil
