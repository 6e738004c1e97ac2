#include "detect/network.h"

#include <array>

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
  // Most addresses are decided by their first octet (two per flow record): whether the
  // blocks cover all of its /8, none of it, or part of it.
  enum class Octet : uint8_t { kPublic, kNonPublic, kSome };
  static constexpr auto kFirstOctets = [] {
    std::array<Octet, 256> octets{};
    for (const Block& block : kNonPublic) {
      const uint32_t first = block.network >> 24;
      const uint32_t count = block.prefix >= 8 ? 1 : uint32_t{1} << (8 - block.prefix);
      for (uint32_t octet = first; octet < first + count; ++octet) {
        octets[octet] = block.prefix <= 8 ? Octet::kNonPublic : Octet::kSome;
      }
    }
    return octets;
  }();
  switch (kFirstOctets[address >> 24]) {
    case Octet::kPublic:
      return true;
    case Octet::kNonPublic:
      return false;
    case Octet::kSome:
      break;
  }
  for (const Block& block : kNonPublic) {
    if (InRange(address, block.network, block.prefix)) return false;
  }
  return true;
}

namespace {

// Orient without the list lookup.
OrientedFlow OrientAddresses(const FlowRecord& record) {
  const bool source_public = record.source_v4 && IsPublicIpv4(*record.source_v4);
  const bool destination_public = record.destination_v4 && IsPublicIpv4(*record.destination_v4);
  bool inbound;
  std::string_view direction = "UNKNOWN";
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
    flow.local_v4 = record.destination_v4;
    flow.remote_v4 = record.source_v4;
    flow.local_port = record.destination_port;
    flow.remote_port = record.source_port;
  } else {
    flow.local_ip = record.source;
    flow.remote_ip = record.destination;
    flow.local_v4 = record.source_v4;
    flow.remote_v4 = record.destination_v4;
    flow.local_port = record.source_port;
    flow.remote_port = record.destination_port;
  }
  return flow;
}

}  // namespace

OrientedFlow Orient(const FlowRecord& record, const ThreatSnapshot& lists) {
  OrientedFlow flow = OrientAddresses(record);
  if (flow.remote_v4) flow.remote_lists = lists.ListsForIp(*flow.remote_v4);
  return flow;
}

void Orient(std::span<const FlowRecord> records, const ThreatSnapshot& lists,
            std::vector<OrientedFlow>& flows) {
  flows.clear();
  flows.reserve(records.size());
  std::vector<uint32_t> remotes(records.size());  // 0 where not IPv4 (its mask is unused)
  for (size_t i = 0; i < records.size(); ++i) {
    const OrientedFlow& flow = flows.emplace_back(OrientAddresses(records[i]));
    remotes[i] = flow.remote_v4.value_or(0);
  }
  if (lists.list_count() == 0) return;
  std::vector<ListMask> masks(flows.size());
  lists.ListsForIps(remotes, masks);
  for (size_t i = 0; i < flows.size(); ++i) {
    if (flows[i].remote_v4) flows[i].remote_lists = masks[i];
  }
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
