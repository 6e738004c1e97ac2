// ThreatSnapshot: everything one detector's ACTIVE lists say, compiled. Immutable once
// built; a new one replaces it atomically when a list changes, so readers never lock.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "intel/domain_matcher.h"
#include "intel/ip_matcher.h"
#include "intel/list_parser.h"

namespace vigil {

struct ListIdentity {
  std::string id;        // IPSet or ThreatIntelSet id
  std::string name;      // its name; findings report it as threatListName
  bool trusted = false;  // an IPSet
};

// One ACTIVE list's parsed content, shared between snapshots.
struct LoadedList {
  ListIdentity identity;
  std::shared_ptr<const ParsedList> content;
};

class ThreatSnapshot {
 public:
  ThreatSnapshot() = default;
  // Compiles up to 32 lists (GuardDuty allows 1 trusted + 6 threat per detector).
  static std::shared_ptr<const ThreatSnapshot> Build(const std::vector<LoadedList>& lists);

  // The threat lists naming `address` — none when a trusted list names it (trusted wins).
  std::vector<const ListIdentity*> ThreatListsForIp(uint32_t address) const;
  // The threat lists naming `domain` or a parent — none when a trusted list names it.
  std::vector<const ListIdentity*> ThreatListsForDomain(std::string_view domain) const;

  // True when a trusted list names `address` (rules then raise nothing about it).
  bool IsTrustedIp(uint32_t address) const { return IsTrusted(ListsForIp(address)); }

  // The same questions in two steps, for callers that ask several about one address (the
  // flow rules): ListsForIp looks the address up once (bit i: the i-th list, trusted ones
  // included), and the others answer from its mask.
  ListMask ListsForIp(uint32_t address) const { return ips_.Lookup(address); }
  // ListsForIp of each address, faster than one at a time (IpMatcher::LookupAll).
  void ListsForIps(std::span<const uint32_t> addresses, std::span<ListMask> lists) const {
    ips_.LookupAll(addresses, lists);
  }
  bool IsTrusted(ListMask lists) const { return (lists & trusted_mask_) != 0; }
  // True when ThreatLists(lists) would name any list.
  bool NamesThreat(ListMask lists) const { return lists != 0 && !IsTrusted(lists); }
  std::vector<const ListIdentity*> ThreatLists(ListMask lists) const;

  size_t list_count() const { return lists_.size(); }
  size_t memory_bytes() const { return ips_.memory_bytes() + domains_.memory_bytes(); }

 private:
  std::vector<ListIdentity> lists_;
  ListMask trusted_mask_ = 0;
  IpMatcher ips_;
  DomainMatcher domains_;
};

}  // namespace vigil
