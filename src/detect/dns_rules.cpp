#include <array>
#include <cmath>
#include <functional>

#include "detect/rules.h"
#include "findings/finding_types.h"

namespace vigil {

namespace {

// Public mining pools (from the pools' own documentation); a query for one of these or
// a subdomain is CryptoCurrency:EC2/BitcoinTool.B!DNS.
constexpr std::array<std::string_view, 24> kMiningPools = {
    "2miners.com",       "antpool.com",        "btc.com",        "ethermine.org", "f2pool.com",
    "flexpool.io",       "hashvault.pro",      "herominers.com", "minergate.com", "minexmr.com",
    "miningpoolhub.com", "moneroocean.stream", "nanopool.org",   "nicehash.com",  "poolin.com",
    "slushpool.com",     "supportxmr.com",     "unmineable.com", "viabtc.com",    "xmrpool.eu",
    "c3pool.com",        "dwarfpool.com",      "p2pool.io",      "braiins.com",
};

bool IsOrUnder(std::string_view name, std::string_view domain) {
  return name == domain || (name.size() > domain.size() && name.ends_with(domain) &&
                            name[name.size() - domain.size() - 1] == '.');
}

// The last two labels ("example.com" of "a.b.example.com"): the unit exfiltration
// aggregates on. Good enough without the public suffix list for the common cases.
std::string_view RegisteredDomain(std::string_view name) {
  const size_t last = name.rfind('.');
  if (last == std::string_view::npos || last == 0) return name;
  const size_t second = name.rfind('.', last - 1);
  return second == std::string_view::npos ? name : name.substr(second + 1);
}

double ShannonEntropy(std::string_view text) {
  std::array<int, 256> counts{};
  for (unsigned char c : text) ++counts[c];
  double entropy = 0;
  for (int count : counts) {
    if (count == 0) continue;
    const double p = static_cast<double>(count) / static_cast<double>(text.size());
    entropy -= p * std::log2(p);
  }
  return entropy;
}

Occurrence DnsOccurrence(const DnsQuery& query, const char* type_name) {
  Occurrence occurrence;
  occurrence.type = FindFindingType(type_name);
  occurrence.resource_role = "ACTOR";
  occurrence.instance = InstanceResource{query.instance_id, "", query.source, query.vpc_id, ""};
  occurrence.action.action_type = "DNS_REQUEST";
  occurrence.action.domain = query.query_name;
  occurrence.action.protocol = query.transport;
  occurrence.first_seen = occurrence.last_seen = query.query_time;
  return occurrence;
}

std::string ResourceKey(const DnsQuery& query) {
  return query.instance_id.empty() ? query.source : query.instance_id;
}

}  // namespace

DnsRules::DnsRules(const DetectionSettings& settings)
    : settings_(settings),
      labels_(settings.dns_exfiltration_window_millis, settings.out_of_order_millis,
              settings.max_window_keys, settings.dns_exfiltration_names * 4) {}

void DnsRules::Observe(const DnsQuery& query, Emitter& emitter) {
  const std::string_view name = query.query_name;
  if (name.empty()) return;

  for (std::string_view pool : kMiningPools) {
    if (IsOrUnder(name, pool)) {
      emitter.Emit(ResourceKey(query) + "|" + std::string(pool),
                   DnsOccurrence(query, "CryptoCurrency:EC2/BitcoinTool.B!DNS"));
      break;
    }
  }

  // DNS rebinding to the instance metadata service: an outside name answering with it.
  const bool aws_name = name.ends_with(".amazonaws.com") || name.ends_with(".internal");
  for (const std::string& answer : query.answers) {
    if (!aws_name && (answer == "169.254.169.254" || answer == "fd00:ec2::254")) {
      emitter.Emit(ResourceKey(query) + "|" + std::string(name),
                   DnsOccurrence(query, "UnauthorizedAccess:EC2/MetadataDNSRebind"));
      break;
    }
  }

  // Exfiltration: many distinct long random first labels under one registered domain.
  const size_t first_dot = name.find('.');
  if (first_dot == std::string_view::npos) return;
  const std::string_view label = name.substr(0, first_dot);
  if (label.size() < settings_.dns_exfiltration_label_length ||
      ShannonEntropy(label) < settings_.dns_exfiltration_entropy) {
    return;
  }
  const std::string_view domain = RegisteredDomain(name);
  const size_t names = labels_.Add(ResourceKey(query) + "|" + std::string(domain), query.query_time,
                                   std::hash<std::string_view>{}(label));
  if (names < settings_.dns_exfiltration_names) return;
  Occurrence occurrence = DnsOccurrence(query, "Trojan:EC2/DNSDataExfiltration");
  emitter.Emit(ResourceKey(query) + "|" + std::string(domain), std::move(occurrence));
}

}  // namespace vigil
