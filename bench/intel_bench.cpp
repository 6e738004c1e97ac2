// Threat-intel matching at GuardDuty's largest list sizes: 6 threat lists of 250,000
// entries each. IP lookups run twice per flow-log record, so their rate bounds how much
// matching adds to ingest; the snapshot's build time is the delay between a list turning
// ACTIVE and detection using it.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "intel/domain_matcher.h"
#include "intel/ip_matcher.h"
#include "intel/threat_snapshot.h"

namespace {

using namespace vigil;

constexpr int kThreatLists = 6;
constexpr int kEntriesPerList = 250'000;
constexpr size_t kQueryCount = size_t{1} << 20;  // a power of two: the loop masks its index

// Half single addresses, half CIDRs from /16 to /32, uniformly over the address space.
std::vector<LoadedList> RandomIpLists() {
  std::mt19937_64 random(42);
  std::vector<LoadedList> lists;
  for (int list = 0; list < kThreatLists; ++list) {
    auto content = std::make_shared<ParsedList>();
    content->ranges.reserve(kEntriesPerList);
    for (int entry = 0; entry < kEntriesPerList; ++entry) {
      const int prefix_length = entry % 2 == 0 ? 32 : 16 + static_cast<int>(random() % 17);
      const uint32_t netmask = ~uint32_t{0} << (32 - prefix_length);
      const uint32_t first = static_cast<uint32_t>(random()) & netmask;
      content->ranges.push_back({first, first | ~netmask});
    }
    content->lines = kEntriesPerList;
    lists.push_back({{"id" + std::to_string(list), "threats" + std::to_string(list), false},
                     std::move(content)});
  }
  return lists;
}

std::vector<uint32_t> RandomAddresses() {
  std::mt19937 random(7);
  std::vector<uint32_t> addresses(kQueryCount);
  for (uint32_t& address : addresses) address = random();
  return addresses;
}

std::vector<IpMatcher::Entry> IpEntries(const std::vector<LoadedList>& lists) {
  std::vector<IpMatcher::Entry> entries;
  for (uint32_t list = 0; list < lists.size(); ++list) {
    for (const Ipv4Range& range : lists[list].content->ranges) entries.push_back({range, list});
  }
  return entries;
}

void BM_IpLookup(benchmark::State& state) {
  const IpMatcher matcher = IpMatcher::Build(IpEntries(RandomIpLists()));
  const std::vector<uint32_t> addresses = RandomAddresses();
  size_t next = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(matcher.Lookup(addresses[next++ & (kQueryCount - 1)]));
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["intervals"] = static_cast<double>(matcher.interval_count());
  state.counters["memory_bytes"] = static_cast<double>(matcher.memory_bytes());
}
BENCHMARK(BM_IpLookup);

// A random hostname of `labels` lowercase labels under one of a few top-level domains.
std::string RandomDomain(std::mt19937& random, int labels) {
  static constexpr std::string_view kTopLevelDomains[] = {"com", "net", "org", "io", "ru"};
  std::string domain;
  for (int label = 0; label < labels; ++label) {
    const int length = 3 + static_cast<int>(random() % 10);
    for (int i = 0; i < length; ++i) domain += static_cast<char>('a' + random() % 26);
    domain += '.';
  }
  domain += kTopLevelDomains[random() % std::size(kTopLevelDomains)];
  return domain;
}

// 250,000 list domains (one in ten a wildcard) and queries like DNS logs carry: half a
// subdomain of a listed domain, half an unlisted name, some in capitals with the root dot.
void BM_DomainLookup(benchmark::State& state) {
  std::mt19937 random(11);
  std::vector<DomainMatcher::Entry> entries;
  std::vector<std::string> listed;
  for (int i = 0; i < kEntriesPerList; ++i) {
    listed.push_back(RandomDomain(random, 1 + static_cast<int>(random() % 2)));
    entries.push_back({i % 10 == 0 ? "*." + listed.back() : listed.back(),
                       static_cast<uint32_t>(i % kThreatLists)});
  }
  const DomainMatcher matcher = DomainMatcher::Build(entries);
  std::vector<std::string> queries;
  for (size_t i = 0; i < kQueryCount / 16; ++i) {
    std::string query = i % 2 == 0 ? "www." + listed[random() % listed.size()]
                                   : RandomDomain(random, 2 + static_cast<int>(random() % 2));
    if (i % 8 == 1) query = "API.EXAMPLE." + query + ".";
    queries.push_back(std::move(query));
  }
  size_t next = 0;
  size_t matches = 0;
  for (auto _ : state) {
    const ListMask mask = matcher.Lookup(queries[next++ % queries.size()]);
    matches += mask != 0;
    benchmark::DoNotOptimize(mask);
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["hit_ratio"] = static_cast<double>(matches) / state.iterations();
  state.counters["memory_bytes"] = static_cast<double>(matcher.memory_bytes());
}
BENCHMARK(BM_DomainLookup);

void BM_SnapshotBuild(benchmark::State& state) {
  const std::vector<LoadedList> lists = RandomIpLists();
  size_t memory_bytes = 0;
  for (auto _ : state) {
    const auto snapshot = ThreatSnapshot::Build(lists);
    memory_bytes = snapshot->memory_bytes();
    benchmark::DoNotOptimize(snapshot);
  }
  state.SetItemsProcessed(state.iterations() * kThreatLists * kEntriesPerList);
  state.counters["memory_bytes"] = static_cast<double>(memory_bytes);
}
BENCHMARK(BM_SnapshotBuild)->Unit(benchmark::kMillisecond);

// Loading lists: a 250,000-line TXT file (GuardDuty's threat-list quota) and a 35 MB
// FIRE_EYE file (its size quota), parsed as the ThreatIntelService does on activation.
std::string TxtList(size_t lines) {
  std::mt19937 random(11);
  std::string text;
  for (size_t i = 0; i < lines; ++i) {
    const uint32_t address = random();
    text += std::to_string(address >> 24) + "." + std::to_string((address >> 16) & 255) + "." +
            std::to_string((address >> 8) & 255) + "." + std::to_string(address & 255);
    text += i % 4 == 0 ? "/24\n" : "\n";
  }
  return text;
}

void BM_ParseTxt250k(benchmark::State& state) {
  const std::string text = TxtList(250000);
  for (auto _ : state) benchmark::DoNotOptimize(ParseList(ListFormat::kTxt, text));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
}
BENCHMARK(BM_ParseTxt250k)->Unit(benchmark::kMillisecond);

void BM_ParseFireEye35MB(benchmark::State& state) {
  std::string text =
      "reportId, title, threatScape, audience, intelligenceType, publishDate, reportLink, "
      "webLink, emailIdentifier, senderAddress, senderName, sourceDomain, sourceIp, subject, "
      "recipient, emailLanguage, fileName, fileSize, fuzzyHash, fileIdentifier, md5, sha1, "
      "sha256, description, fileType, packer, userAgent, registry, fileCompilationDateTime, "
      "filePath, asn, cidr, domain, domainTimeOfLookup, networkIdentifier, ip, port, protocol, "
      "registrantEmail, registrantName, networkType, url, malwareFamily, malwareFamilyId, actor, "
      "actorId, observationTime\n";
  std::mt19937 random(12);
  while (text.size() < 35 * 1000 * 1000 - 400) {
    const uint32_t address = random();
    text +=
        "01-00000002, Example report with a long title, Cyber Crime, Operational, threat, "
        "1494944400, https://www.example.com/report/01-00000002, "
        "https://www.example.com/report/01-00000002, , , , , , , , , , , , , , , , , , , , "
        ", , , , , , bad" +
        std::to_string(address % 100000) + ".example.net, , Related, " +
        std::to_string(address >> 24) + "." + std::to_string((address >> 16) & 255) + "." +
        std::to_string((address >> 8) & 255) + "." + std::to_string(address & 255) +
        ", , , , , network, , Ursnif, 12ab7bc4-62ed-49fa-99e3-14b92afc41bf, , ,1494944400\n";
  }
  for (auto _ : state) benchmark::DoNotOptimize(ParseList(ListFormat::kFireEye, text));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
}
BENCHMARK(BM_ParseFireEye35MB)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
