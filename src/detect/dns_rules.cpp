#include <algorithm>
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

// A second-level label a domain generation algorithm could have made: long, varied, and
// unlike words (few vowels, a run of consonants, or digits mixed into the letters).
bool LooksGenerated(std::string_view label, const DetectionSettings& settings) {
  if (label.size() < settings.dga_label_length) return false;
  if (ShannonEntropy(label) < settings.dga_entropy) return false;
  size_t letters = 0, vowels = 0, digits = 0, run = 0, longest_run = 0;
  for (const char c : label) {
    if (c >= '0' && c <= '9') {
      ++digits;
      run = 0;
    } else if (c >= 'a' && c <= 'z') {
      ++letters;
      const bool vowel = c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u' || c == 'y';
      vowels += vowel ? 1 : 0;
      run = vowel ? 0 : run + 1;
      longest_run = std::max(longest_run, run);
    } else {
      run = 0;  // hyphens: word separators in real names
    }
  }
  if (letters == 0) return false;  // all digits: numbered hosts, not generated names
  const bool few_vowels = vowels * 4 < letters;
  return few_vowels || longest_run >= 5 || (digits >= 2 && letters >= 4);
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
              settings.max_window_keys, settings.dns_exfiltration_names * 4),
      generated_(settings.dga_window_millis, settings.out_of_order_millis, settings.max_window_keys,
                 settings.dga_domains * 4) {}

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

  // Domain generation: a burst of made-up names that do not exist.
  if (query.rcode == "NXDOMAIN") {
    const std::string_view domain = RegisteredDomain(name);
    const std::string_view second_level = domain.substr(0, domain.find('.'));
    if (LooksGenerated(second_level, settings_) &&
        generated_.Add(ResourceKey(query), query.query_time,
                       std::hash<std::string_view>{}(domain)) >= settings_.dga_domains) {
      emitter.Emit(ResourceKey(query), DnsOccurrence(query, "Trojan:EC2/DGADomainRequest.C!DNS"));
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
