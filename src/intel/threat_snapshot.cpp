#include "intel/threat_snapshot.h"

#include <algorithm>
#include <bit>

namespace vigil {

namespace {

// A ListMask has one bit per list. GuardDuty allows 1 trusted + 6 threat lists per
// detector (a few more with entity lists), far below this.
constexpr size_t kMaxLists = 32;

}  // namespace

std::shared_ptr<const ThreatSnapshot> ThreatSnapshot::Build(const std::vector<LoadedList>& lists) {
  auto snapshot = std::make_shared<ThreatSnapshot>();
  std::vector<IpMatcher::Entry> ip_entries;
  std::vector<DomainMatcher::Entry> domain_entries;
  size_t ip_entry_count = 0;
  size_t domain_entry_count = 0;
  for (const LoadedList& list : lists) {
    if (!list.content) continue;
    ip_entry_count += list.content->ranges.size();
    domain_entry_count += list.content->domains.size();
  }
  ip_entries.reserve(ip_entry_count);
  domain_entries.reserve(domain_entry_count);

  // Lists past the 32nd have no bit to carry them and are left out; the API's quotas
  // keep a detector well below that, so this only guards against misuse.
  const size_t list_count = std::min(lists.size(), kMaxLists);
  snapshot->lists_.reserve(list_count);
  for (uint32_t index = 0; index < list_count; ++index) {
    const LoadedList& list = lists[index];
    snapshot->lists_.push_back(list.identity);
    if (list.identity.trusted) snapshot->trusted_mask_ |= ListMask{1} << index;
    if (!list.content) continue;
    for (const Ipv4Range& range : list.content->ranges) ip_entries.push_back({range, index});
    for (const std::string& domain : list.content->domains) {
      domain_entries.push_back({domain, index});
    }
  }
  snapshot->ips_ = IpMatcher::Build(ip_entries);
  snapshot->domains_ = DomainMatcher::Build(domain_entries);
  return snapshot;
}

std::vector<const ListIdentity*> ThreatSnapshot::ThreatListsForIp(uint32_t address) const {
  return ThreatLists(ips_.Lookup(address));
}

std::vector<const ListIdentity*> ThreatSnapshot::ThreatListsForDomain(
    std::string_view domain) const {
  return ThreatLists(domains_.Lookup(domain));
}

std::vector<const ListIdentity*> ThreatSnapshot::ThreatLists(ListMask mask) const {
  std::vector<const ListIdentity*> threat_lists;
  if (mask == 0 || (mask & trusted_mask_) != 0) return threat_lists;  // trusted wins
  for (; mask != 0; mask &= mask - 1) threat_lists.push_back(&lists_[std::countr_zero(mask)]);
  return threat_lists;
}

}  // namespace vigil
