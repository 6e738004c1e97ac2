#include "detect/rules.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <set>
#include <string_view>

#include "intel/list_parser.h"

namespace vigil {
namespace {

constexpr int64_t kStart = 1767225600;  // 2026-01-01T00:00:00Z, epoch seconds

// Text that lives as long as the test program, as records view their log text.
std::string_view Keep(const std::string& text) {
  static std::set<std::string, std::less<>> kept;
  return *kept.insert(text).first;
}

FlowRecord Flow(const std::string& source, const std::string& destination, int32_t source_port,
                int32_t destination_port, int64_t start, int64_t packets = 4) {
  FlowRecord record;
  record.interface_id = "eni-1";
  record.instance_id = "i-1";
  record.source = record.logged_source = Keep(source);
  record.destination = record.logged_destination = Keep(destination);
  record.source_v4 = ParseIpv4Address(source);
  record.destination_v4 = ParseIpv4Address(destination);
  record.source_port = source_port;
  record.destination_port = destination_port;
  record.protocol = 6;
  record.packets = packets;
  record.start = start;
  record.end = start + 2;
  record.accepted = true;
  return record;
}

std::shared_ptr<const ThreatSnapshot> Lists(const std::string& threats,
                                            const std::string& trusted = "") {
  std::vector<LoadedList> lists;
  if (!trusted.empty()) {
    lists.push_back(
        {{"t", "ours", true}, std::make_shared<ParsedList>(ParseList(ListFormat::kTxt, trusted))});
  }
  if (!threats.empty()) {
    lists.push_back(
        {{"b", "bad", false}, std::make_shared<ParsedList>(ParseList(ListFormat::kTxt, threats))});
  }
  return ThreatSnapshot::Build(lists);
}

std::vector<std::string> Types(const Emitter& emitter) {
  std::vector<std::string> types;
  for (const auto& [key, pending] : emitter.pending()) {
    types.emplace_back(pending.occurrence.type->type);
  }
  return types;
}

TEST(NetworkTest, PublicAddresses) {
  EXPECT_FALSE(IsPublicIpv4(*ParseIpv4Address("10.1.2.3")));
  EXPECT_FALSE(IsPublicIpv4(*ParseIpv4Address("172.16.0.1")));
  EXPECT_FALSE(IsPublicIpv4(*ParseIpv4Address("192.168.1.1")));
  EXPECT_FALSE(IsPublicIpv4(*ParseIpv4Address("169.254.169.254")));
  EXPECT_FALSE(IsPublicIpv4(*ParseIpv4Address("127.0.0.1")));
  EXPECT_TRUE(IsPublicIpv4(*ParseIpv4Address("52.94.1.1")));
  EXPECT_TRUE(IsPublicIpv4(*ParseIpv4Address("172.32.0.1")));
}

TEST(NetworkTest, PublicAddressesAgreeWithTheBlockList) {
  // IsPublicIpv4 decides most addresses by their first octet; every /24 (the longest
  // block prefix) against the blocks themselves, alternately its first and last address.
  struct Block {
    uint32_t network;
    int prefix;
  };
  constexpr Block kNonPublic[] = {
      {0x00000000, 8},  {0x0A000000, 8},  {0x64400000, 10}, {0x7F000000, 8},
      {0xA9FE0000, 16}, {0xAC100000, 12}, {0xC0000000, 24}, {0xC0A80000, 16},
      {0xC6120000, 15}, {0xE0000000, 4},  {0xF0000000, 4},
  };
  const auto reference = [&](uint32_t address) {
    for (const Block& block : kNonPublic) {
      const uint32_t mask = ~uint32_t{0} << (32 - block.prefix);
      if ((address & mask) == block.network) return false;
    }
    return true;
  };
  for (uint32_t network = 0; network < (uint32_t{1} << 24); ++network) {
    const uint32_t address = network << 8 | (network % 2 == 0 ? 0 : 255);
    ASSERT_EQ(IsPublicIpv4(address), reference(address)) << address;
  }
}

TEST(NetworkTest, OrientsAroundThePrivateSide) {
  const ThreatSnapshot no_lists;
  const OrientedFlow in = Orient(Flow("198.51.100.9", "10.0.0.6", 50000, 22, kStart), no_lists);
  EXPECT_TRUE(in.inbound);
  EXPECT_EQ(in.direction, "INBOUND");
  EXPECT_EQ(in.local_ip, "10.0.0.6");
  EXPECT_EQ(in.local_port, 22);
  const OrientedFlow out = Orient(Flow("10.0.0.6", "198.51.100.9", 50000, 443, kStart), no_lists);
  EXPECT_FALSE(out.inbound);
  EXPECT_EQ(out.direction, "OUTBOUND");
  EXPECT_EQ(out.remote_port, 443);
  FlowRecord logged = Flow("10.0.0.6", "10.0.0.7", 1, 2, kStart);
  logged.direction = FlowRecord::Direction::kEgress;
  EXPECT_EQ(Orient(logged, no_lists).direction, "OUTBOUND");
}

TEST(NetworkTest, OrientsABatchAsOneRecordAtATime) {
  const auto lists = Lists("198.51.100.0/24\n", "198.51.100.7\n");
  std::vector<FlowRecord> records = {
      Flow("198.51.100.9", "10.0.0.6", 50000, 22, kStart),
      Flow("10.0.0.6", "198.51.100.7", 50000, 443, kStart),
      Flow("10.0.0.6", "203.0.113.1", 50000, 443, kStart),
      Flow("2001:db8::1", "10.0.0.6", 50000, 443, kStart),
      Flow("10.0.0.6", "10.0.0.7", 1, 2, kStart),
  };
  for (int i = 0; i < 40; ++i) {  // past the lookups' prefetch distance
    records.push_back(Flow("198.51.100." + std::to_string(i), "10.0.0.6", 40000, 22, kStart));
  }
  std::vector<OrientedFlow> flows;
  Orient(records, *lists, flows);
  ASSERT_EQ(flows.size(), records.size());
  for (size_t i = 0; i < records.size(); ++i) {
    const OrientedFlow one = Orient(records[i], *lists);
    EXPECT_EQ(flows[i].local_ip, one.local_ip) << i;
    EXPECT_EQ(flows[i].remote_ip, one.remote_ip) << i;
    EXPECT_EQ(flows[i].local_v4, one.local_v4) << i;
    EXPECT_EQ(flows[i].remote_v4, one.remote_v4) << i;
    EXPECT_EQ(flows[i].direction, one.direction) << i;
    EXPECT_EQ(flows[i].remote_lists, one.remote_lists) << i;
  }
  EXPECT_TRUE(lists->NamesThreat(flows[0].remote_lists));
  EXPECT_TRUE(lists->IsTrusted(flows[1].remote_lists));
  EXPECT_EQ(flows[2].remote_lists, 0u);
  EXPECT_EQ(flows[3].remote_lists, 0u);  // IPv6: not looked up
}

TEST(ThreatListRulesTest, ListedRemoteAddressIsAFindingUnlessTrusted) {
  const auto lists = Lists("198.51.100.0/24\n", "198.51.100.7\n");
  Emitter emitter;
  const FlowRecord listed = Flow("10.0.0.6", "198.51.100.9", 40000, 443, kStart);
  MatchFlowThreats(listed, Orient(listed, *lists), *lists, emitter);
  const FlowRecord trusted = Flow("10.0.0.6", "198.51.100.7", 40000, 443, kStart);
  MatchFlowThreats(trusted, Orient(trusted, *lists), *lists, emitter);
  ASSERT_EQ(emitter.pending().size(), 1u);
  const Occurrence& found = emitter.pending().begin()->second.occurrence;
  EXPECT_EQ(found.type->type, "UnauthorizedAccess:EC2/MaliciousIPCaller.Custom");
  EXPECT_EQ(found.resource_role, "ACTOR");
  EXPECT_EQ(found.action.remote_ip, "198.51.100.9");
  EXPECT_EQ(found.threat_list_name, "bad");
  EXPECT_EQ(found.first_seen, kStart * 1000);
}

TEST(BruteForceRuleTest, ManyShortInboundAttemptsAreABruteForce) {
  DetectionSettings settings;
  BruteForceRule rule(settings);
  const auto lists = Lists("");
  Emitter emitter;
  for (int i = 0; i < 19; ++i) {
    const FlowRecord record = Flow("198.51.100.9", "10.0.0.6", 50000 + i, 22, kStart + i * 10);
    rule.Observe(record, Orient(record, *lists), *lists, emitter);
  }
  EXPECT_TRUE(emitter.pending().empty()) << "19 attempts are below the threshold";
  const FlowRecord twentieth = Flow("198.51.100.9", "10.0.0.6", 50019, 22, kStart + 190);
  rule.Observe(twentieth, Orient(twentieth, *lists), *lists, emitter);
  ASSERT_EQ(Types(emitter), std::vector<std::string>{"UnauthorizedAccess:EC2/SSHBruteForce"});
  const Occurrence& found = emitter.pending().begin()->second.occurrence;
  EXPECT_EQ(found.resource_role, "TARGET");
  EXPECT_FALSE(found.severity.has_value());  // the type's Low
}

TEST(BruteForceRuleTest, OutOfOrderAttemptsStillCountAndOutboundIsTheActor) {
  DetectionSettings settings;
  BruteForceRule rule(settings);
  const auto lists = Lists("");
  Emitter emitter;
  for (int i = 19; i >= 0; --i) {  // newest first
    const FlowRecord record = Flow("10.0.0.6", "203.0.113.5", 50000 + i, 3389, kStart + i * 10);
    rule.Observe(record, Orient(record, *lists), *lists, emitter);
  }
  ASSERT_EQ(Types(emitter), std::vector<std::string>{"UnauthorizedAccess:EC2/RDPBruteForce"});
  const Occurrence& found = emitter.pending().begin()->second.occurrence;
  EXPECT_EQ(found.resource_role, "ACTOR");
  EXPECT_EQ(found.severity, 8);
}

TEST(BruteForceRuleTest, SessionsSpreadOverTimeOrLongSessionsAreNotAttacks) {
  DetectionSettings settings;
  BruteForceRule rule(settings);
  const auto lists = Lists("", "198.51.100.50\n");
  Emitter emitter;
  for (int i = 0; i < 40; ++i) {  // one attempt a minute: never 20 within 10 minutes
    const FlowRecord record = Flow("198.51.100.9", "10.0.0.6", 50000 + i, 22, kStart + i * 60);
    rule.Observe(record, Orient(record, *lists), *lists, emitter);
  }
  for (int i = 0; i < 40; ++i) {  // real sessions: many packets each
    const FlowRecord record = Flow("198.51.100.10", "10.0.0.6", 50000 + i, 22, kStart + i, 500);
    rule.Observe(record, Orient(record, *lists), *lists, emitter);
  }
  for (int i = 0; i < 40; ++i) {  // a trusted address
    const FlowRecord record = Flow("198.51.100.50", "10.0.0.6", 50000 + i, 22, kStart + i);
    rule.Observe(record, Orient(record, *lists), *lists, emitter);
  }
  EXPECT_TRUE(emitter.pending().empty());
}

TEST(PortScanRuleTest, ManyPortsOfOneHostIsAScan) {
  DetectionSettings settings;
  PortScanRule rule(settings);
  const auto lists = Lists("");
  Emitter emitter;
  for (int port = 1; port <= 49; ++port) {
    const FlowRecord record = Flow("10.0.0.6", "203.0.113.5", 40000, port, kStart + port, 1);
    rule.Observe(record, Orient(record, *lists), *lists, emitter);
  }
  EXPECT_TRUE(emitter.pending().empty());
  const FlowRecord fiftieth = Flow("10.0.0.6", "203.0.113.5", 40000, 50, kStart + 50, 1);
  rule.Observe(fiftieth, Orient(fiftieth, *lists), *lists, emitter);
  EXPECT_EQ(Types(emitter), std::vector<std::string>{"Recon:EC2/Portscan"});
}

TEST(PortScanRuleTest, WorkingConnectionsToManyPortsAreNotProbes) {
  DetectionSettings settings;
  PortScanRule rule(settings);
  const auto lists = Lists("");
  Emitter emitter;
  for (int port = 1; port <= 80; ++port) {
    const FlowRecord record = Flow("10.0.0.6", "203.0.113.5", 40000, port, kStart + port, 40);
    rule.Observe(record, Orient(record, *lists), *lists, emitter);
  }
  EXPECT_TRUE(emitter.pending().empty());
}

TEST(PortSweepRuleTest, OnePortOnManyHostsIsASweep) {
  DetectionSettings settings;
  PortSweepRule rule(settings);
  const auto lists = Lists("");
  Emitter emitter;
  for (int host = 1; host <= 49; ++host) {
    const FlowRecord probe =
        Flow("10.0.0.6", "203.0.113." + std::to_string(host), 40000 + host, 445, kStart + host, 1);
    rule.Observe(probe, Orient(probe, *lists), *lists, emitter);
  }
  EXPECT_TRUE(emitter.pending().empty());
  const FlowRecord fiftieth = Flow("10.0.0.6", "203.0.113.50", 40050, 445, kStart + 50, 1);
  rule.Observe(fiftieth, Orient(fiftieth, *lists), *lists, emitter);
  EXPECT_EQ(Types(emitter), std::vector<std::string>{"Impact:EC2/PortSweep"});

  // A busy client talking HTTPS to many servers is not a sweep: real sessions.
  Emitter browsing;
  for (int host = 1; host <= 80; ++host) {
    const FlowRecord session =
        Flow("10.0.0.7", "198.51.100." + std::to_string(host), 40000 + host, 443, kStart, 40);
    rule.Observe(session, Orient(session, *lists), *lists, browsing);
  }
  EXPECT_TRUE(browsing.pending().empty());
}

TEST(PortProbeRuleTest, AcceptedProbesFromAScannerOrAListedAddress) {
  DetectionSettings settings;
  PortProbeRule rule(settings);
  const auto lists = Lists("203.0.113.66\n");
  Emitter emitter;
  // A listed prober reaching an open port: a finding at once.
  const FlowRecord listed = Flow("203.0.113.66", "10.0.0.6", 40000, 3306, kStart, 1);
  rule.Observe(listed, Orient(listed, *lists), *lists, emitter);
  EXPECT_EQ(Types(emitter), std::vector<std::string>{"Recon:EC2/PortProbeUnprotectedPort"});

  // An unlisted prober becomes a scanner at 10 distinct targets; before, nothing.
  Emitter scans;
  for (int host = 1; host <= 9; ++host) {
    const FlowRecord probe =
        Flow("198.51.100.77", "10.0.1." + std::to_string(host), 40000, 9200, kStart + host, 1);
    rule.Observe(probe, Orient(probe, *lists), *lists, scans);
  }
  EXPECT_TRUE(scans.pending().empty());
  const FlowRecord tenth = Flow("198.51.100.77", "10.0.1.10", 40000, 9200, kStart + 10, 1);
  rule.Observe(tenth, Orient(tenth, *lists), *lists, scans);
  ASSERT_EQ(scans.pending().size(), 1u);
  EXPECT_EQ(scans.pending().begin()->second.occurrence.severity, 8);  // Elasticsearch

  // Rejected probes are not unprotected ports; working connections are not probes.
  Emitter none;
  FlowRecord rejected = Flow("203.0.113.66", "10.0.0.7", 40000, 22, kStart, 1);
  rejected.accepted = false;
  rule.Observe(rejected, Orient(rejected, *lists), *lists, none);
  const FlowRecord session = Flow("203.0.113.66", "10.0.0.7", 40000, 443, kStart, 50);
  rule.Observe(session, Orient(session, *lists), *lists, none);
  EXPECT_TRUE(none.pending().empty());
}

TEST(PortProbeRuleTest, ProbesOfEmrServicesAreTheEmrType) {
  DetectionSettings settings;
  PortProbeRule rule(settings);
  const auto lists = Lists("203.0.113.66\n");
  Emitter emitter;
  const FlowRecord yarn = Flow("203.0.113.66", "10.0.0.6", 40000, 8088, kStart, 1);
  rule.Observe(yarn, Orient(yarn, *lists), *lists, emitter);
  ASSERT_EQ(Types(emitter), std::vector<std::string>{"Recon:EC2/PortProbeEMRUnprotectedPort"});
  EXPECT_EQ(emitter.pending().begin()->second.occurrence.action.local_port, 8088);
}

// An outbound flow of `packets` over one minute from the instance to `remote`.
FlowRecord Flood(const std::string& remote, int32_t protocol, int32_t port, int64_t start,
                 int64_t packets) {
  FlowRecord record = Flow("10.0.0.6", remote, 40000, port, start, packets);
  record.protocol = protocol;
  record.end = start + 60;
  return record;
}

TEST(DenialOfServiceRuleTest, ASustainedFloodIsDenialOfServiceByProtocol) {
  struct Case {
    int32_t protocol;
    int32_t port;
    std::string type;
  };
  const Case cases[] = {
      {6, 80, "Backdoor:EC2/DenialOfService.Tcp"},
      {17, 53, "Backdoor:EC2/DenialOfService.Dns"},
      {17, 443, "Backdoor:EC2/DenialOfService.UdpOnTcpPorts"},
      {17, 27015, "Backdoor:EC2/DenialOfService.Udp"},
      {47, -1, "Backdoor:EC2/DenialOfService.UnusualProtocol"},  // GRE
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.type);
    DetectionSettings settings;
    DenialOfServiceRule rule(settings);
    const auto lists = Lists("");
    Emitter emitter;
    // 150,000 packets/s for one minute is a burst, not yet a sustained flood.
    const FlowRecord first = Flood("198.51.100.9", c.protocol, c.port, kStart, 9'000'000);
    rule.Observe(first, Orient(first, *lists), *lists, emitter);
    EXPECT_TRUE(emitter.pending().empty());
    const FlowRecord second = Flood("198.51.100.9", c.protocol, c.port, kStart + 60, 9'000'000);
    rule.Observe(second, Orient(second, *lists), *lists, emitter);
    ASSERT_EQ(Types(emitter), std::vector<std::string>{c.type});
    EXPECT_EQ(emitter.pending().begin()->second.occurrence.resource_role, "ACTOR");
  }
}

TEST(DenialOfServiceRuleTest, ManyFlowsOfAMinuteAddUpAndBusyServersAreNotFloods) {
  DetectionSettings settings;
  DenialOfServiceRule rule(settings);
  const auto lists = Lists("", "198.51.100.10\n");
  Emitter emitter;
  // Four flows of 30,000 packets/s each in two minutes: 120,000 packets/s together.
  for (int minute = 0; minute < 2; ++minute) {
    for (int flow = 0; flow < 4; ++flow) {
      FlowRecord record = Flood("198.51.100.9", 17, 9999, kStart + minute * 60, 1'800'000);
      record.source_port = 50000 + flow;
      rule.Observe(record, Orient(record, *lists), *lists, emitter);
    }
  }
  EXPECT_EQ(Types(emitter), std::vector<std::string>{"Backdoor:EC2/DenialOfService.Udp"});

  Emitter none;
  for (int minute = 0; minute < 5; ++minute) {
    // Heavy but below the flood rate; a trusted address; a private address; inbound.
    const FlowRecord busy = Flood("198.51.100.20", 6, 443, kStart + minute * 60, 3'000'000);
    const FlowRecord trusted = Flood("198.51.100.10", 6, 80, kStart + minute * 60, 9'000'000);
    const FlowRecord internal = Flood("10.0.0.9", 6, 80, kStart + minute * 60, 9'000'000);
    FlowRecord inbound =
        Flow("198.51.100.30", "10.0.0.6", 40000, 80, kStart + minute * 60, 9'000'000);
    inbound.end = inbound.start + 60;
    for (const FlowRecord& record : {busy, trusted, internal, inbound}) {
      rule.Observe(record, Orient(record, *lists), *lists, none);
    }
  }
  EXPECT_TRUE(none.pending().empty());
}

TEST(SpambotRuleTest, AnInstanceWithoutMailHistoryMailingManyServersIsASpambot) {
  DetectionSettings settings;
  SpambotRule rule(settings);
  const auto lists = Lists("");
  const int64_t day = 24 * 60 * 60;
  Emitter emitter;
  const FlowRecord browsing = Flow("10.0.0.6", "198.51.100.1", 40000, 443, kStart, 20);
  rule.Observe(browsing, Orient(browsing, *lists), *lists, emitter);
  // Two days later it starts mailing one public server after another.
  for (int host = 1; host <= 12; ++host) {
    const FlowRecord mail = Flow("10.0.0.6", "203.0.113." + std::to_string(host), 41000 + host, 25,
                                 kStart + 2 * day + host * 30, 12);
    rule.Observe(mail, Orient(mail, *lists), *lists, emitter);
    EXPECT_EQ(emitter.pending().size(), host < 10 ? 0u : 1u) << host;
  }
  EXPECT_EQ(Types(emitter), std::vector<std::string>{"Backdoor:EC2/Spambot"});
}

TEST(SpambotRuleTest, AMailServerThatMailedFromTheStartIsNotASpambot) {
  DetectionSettings settings;
  SpambotRule rule(settings);
  const auto lists = Lists("");
  const int64_t day = 24 * 60 * 60;
  Emitter emitter;
  // Mail from its first record on, every few hours, for days: a mail server.
  for (int hour = 0; hour < 24 * 4; hour += 4) {
    for (int host = 1; host <= 15; ++host) {
      const FlowRecord mail = Flow("10.0.0.6", "203.0.113." + std::to_string(host), 41000 + host,
                                   25, kStart + hour * 3600 + host, 12);
      rule.Observe(mail, Orient(mail, *lists), *lists, emitter);
    }
  }
  EXPECT_TRUE(emitter.pending().empty());
  // An instance seen for a while that sends to only a few servers is not spamming either.
  SpambotRule other(settings);
  const FlowRecord browsing = Flow("10.0.0.7", "198.51.100.1", 40000, 443, kStart, 20);
  other.Observe(browsing, Orient(browsing, *lists), *lists, emitter);
  for (int host = 1; host <= 3; ++host) {
    const FlowRecord mail = Flow("10.0.0.7", "203.0.113." + std::to_string(host), 41000 + host, 25,
                                 kStart + 2 * day + host, 12);
    other.Observe(mail, Orient(mail, *lists), *lists, emitter);
  }
  EXPECT_TRUE(emitter.pending().empty());
}

CloudTrailEvent Event(const std::string& source, const std::string& name) {
  CloudTrailEvent event;
  event.event_id = "e";
  event.event_time = kStart * 1000;
  event.event_source = source;
  event.event_name = name;
  event.event_type = "AwsApiCall";
  event.identity_type = "IAMUser";
  event.access_key_id = "AKIAEXAMPLE";
  event.user_name = "alice";
  event.source_ip = "198.51.100.20";
  event.source_ip_v4 = ParseIpv4Address(event.source_ip);
  return event;
}

TEST(CloudTrailRulesTest, SignalsBecomeTheirFindingTypes) {
  struct Case {
    CloudTrailEvent event;
    std::string type;
  };
  CloudTrailEvent ssh = Event("ec2.amazonaws.com", "AuthorizeSecurityGroupIngress");
  ssh.request_parameters =
      R"({"groupId":"sg-1","ipPermissions":{"items":[{"ipProtocol":"tcp","fromPort": 22,"toPort":22,"ipRanges":{"items":[{"cidrIp":"0.0.0.0/0"}]}}]}})";
  CloudTrailEvent admin = Event("iam.amazonaws.com", "AttachUserPolicy");
  admin.request_parameters = R"({"policyArn":"arn:aws:iam::aws:policy/AdministratorAccess"})";
  CloudTrailEvent login = Event("signin.amazonaws.com", "ConsoleLogin");
  login.console_login_result = "Success";
  login.mfa_used = "No";
  CloudTrailEvent root = Event("iam.amazonaws.com", "ListUsers");
  root.identity_type = "Root";
  CloudTrailEvent kali = Event("s3.amazonaws.com", "ListBuckets");
  kali.user_agent = "aws-cli/2.13 Python/3.11 Linux/6.5.0-kali3-amd64";
  const Case cases[] = {
      {Event("cloudtrail.amazonaws.com", "StopLogging"),
       "Stealth:IAMUser/CloudTrailLoggingDisabled"},
      {Event("iam.amazonaws.com", "DeleteAccountPasswordPolicy"),
       "Stealth:IAMUser/PasswordPolicyChange"},
      {Event("ec2.amazonaws.com", "DeleteFlowLogs"), "DefenseImpairment:EC2/DisableOrModifyTools"},
      {ssh, "Persistence:EC2/ExternalRemoteServices"},
      {admin, "PrivilegeEscalation:IAM/AccountManipulation"},
      {login, "InitialAccess:IAM/ValidAccounts"},
      {root, "Policy:IAMUser/RootCredentialUsage"},
      {kali, "PenTest:IAMUser/KaliLinux"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.type);
    Emitter emitter;
    ApplyCloudTrailRules(c.event, nullptr, emitter);
    EXPECT_EQ(Types(emitter), std::vector<std::string>{c.type});
  }
}

TEST(CloudTrailRulesTest, OrdinaryOrFailedCallsAreNotFindings) {
  CloudTrailEvent failed = Event("cloudtrail.amazonaws.com", "StopLogging");
  failed.error_code = "AccessDenied";
  CloudTrailEvent narrow = Event("ec2.amazonaws.com", "AuthorizeSecurityGroupIngress");
  narrow.request_parameters =
      R"({"ipPermissions":{"items":[{"fromPort":443,"toPort":443,"cidrIp":"0.0.0.0/0"}]}})";
  CloudTrailEvent service_root = Event("iam.amazonaws.com", "ListUsers");
  service_root.identity_type = "Root";
  service_root.invoked_by = "support.amazonaws.com";
  for (const CloudTrailEvent& event :
       {Event("ec2.amazonaws.com", "DescribeInstances"), failed, narrow, service_root}) {
    Emitter emitter;
    ApplyCloudTrailRules(event, nullptr, emitter);
    EXPECT_TRUE(emitter.pending().empty()) << event.event_name;
  }
}

TEST(CloudTrailRulesTest, ServiceSignalsRecogniseTheirRequests) {
  struct Case {
    std::string source;
    std::string name;
    std::string request;
    std::string type;  // "" for no finding
    double severity = 0;
  };
  const Case cases[] = {
      {"rds.amazonaws.com", "ModifyDBInstance",
       R"({"dBInstanceIdentifier":"db1","masterUserPassword":"HIDDEN_DUE_TO_SECURITY_REASONS"})",
       "CredentialAccess:RDS/ModifyAuthenticationProcess", 8},
      {"rds.amazonaws.com", "ModifyDBInstance", R"({"enableIAMDatabaseAuthentication":false})",
       "DefenseImpairment:RDS/ModifyAuthenticationProcess", 5},
      {"rds.amazonaws.com", "ModifyDBInstance", R"({"enableIAMDatabaseAuthentication":true})", ""},
      {"rds.amazonaws.com", "CreateDBInstance", R"({"publiclyAccessible":true})",
       "InitialAccess:RDS/ExploitPublicFacingApplication", 8},
      {"rds.amazonaws.com", "ModifyDBSnapshotAttribute",
       R"({"attributeName":"restore","valuesToAdd":["all"]})",
       "Exfiltration:RDS/TransferDataToCloudAccount", 8},
      {"rds.amazonaws.com", "ModifyDBSnapshotAttribute",
       R"({"attributeName":"restore","valuesToAdd":["111122223333"]})", ""},
      {"lambda.amazonaws.com", "AddPermission20150331v2",
       R"({"functionName":"f","principal":"*","action":"lambda:InvokeFunction"})",
       "Persistence:Lambda/AccountManipulation", 8},
      {"lambda.amazonaws.com", "AddPermission20150331v2",
       R"({"functionName":"f","principal":"s3.amazonaws.com"})", ""},
      {"lambda.amazonaws.com", "CreateFunctionUrlConfig20211031", R"({"authType":"NONE"})",
       "Persistence:Lambda/ModifyAuthenticationProcess", 8},
      {"lambda.amazonaws.com", "CreateFunctionUrlConfig20211031", R"({"authType":"AWS_IAM"})", ""},
      {"ses.amazonaws.com", "UpdateAccountSendingEnabled", R"({"enabled":true})",
       "Impact:SES/ResourceHijacking", 2},
      {"ses.amazonaws.com", "PutAccountDetails", R"({"productionAccessEnabled":true})",
       "Impact:SES/ResourceHijacking", 5},
      {"ses.amazonaws.com", "VerifyDomainIdentity", R"({"domain":"example.com"})",
       "ResourceDevelopment:SES/CompromiseAccounts", 5},
      {"ses.amazonaws.com", "CreateEmailIdentity", R"({"emailIdentity":"me@example.com"})", ""},
      {"s3.amazonaws.com", "PutBucketPolicy",
       R"({"bucketName":"b","bucketPolicy":{"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::999988887777:root"},"Action":"s3:GetObject"}]}})",
       "Exfiltration:S3/TransferDataToCloudAccount", 8},
      {"s3.amazonaws.com", "PutBucketPolicy",
       R"({"bucketName":"b","bucketPolicy":{"Statement":{"Effect":"Allow","Principal":"*","Action":"s3:GetObject"}}})",
       "Exfiltration:S3/TransferDataToCloudAccount", 8},
      {"s3.amazonaws.com", "PutBucketPolicy",
       R"({"bucketName":"b","bucketPolicy":{"Statement":[{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::123456789012:role/app"]}},{"Effect":"Deny","Principal":"*"}]}})",
       ""},
      {"s3.amazonaws.com", "PutBucketLifecycle",
       R"({"bucketName":"b","LifecycleConfiguration":{"Rule":{"Status":"Enabled","Expiration":{"Days":1}}}})",
       "Impact:S3/DataDestruction", 5},
      {"s3.amazonaws.com", "PutBucketLifecycle",
       R"({"bucketName":"b","LifecycleConfiguration":{"Rule":[{"Status":"Enabled","Expiration":{"Days":90}}]}})",
       ""},
      {"organizations.amazonaws.com", "DisablePolicyType",
       R"({"policyType":"SERVICE_CONTROL_POLICY"})",
       "DefenseImpairment:Organizations/DisableOrModifyTools", 8},
      {"ec2.amazonaws.com", "ModifyInstanceAttribute",
       R"({"instanceId":"i-1","disableApiTermination":{"value":true}})",
       "DefenseImpairment:EC2/DisableOrModifyTools", 2},
      {"iam.amazonaws.com", "AttachRolePolicy",
       R"({"roleName":"r","policyArn":"arn:aws:iam::aws:policy/AmazonSESFullAccess"})",
       "PrivilegeEscalation:IAM/AccountManipulation", 5},
      {"guardduty.amazonaws.com", "DeleteDetector", R"({"detectorId":"d"})",
       "Stealth:IAMUser/CloudTrailLoggingDisabled", 0},
      {"guardduty.amazonaws.com", "UpdateDetector", R"({"detectorId":"d","enable":false})",
       "Stealth:IAMUser/CloudTrailLoggingDisabled", 0},
      {"guardduty.amazonaws.com", "UpdateDetector", R"({"detectorId":"d","enable":true})", ""},
      {"rolesanywhere.amazonaws.com", "CreateTrustAnchor", "{}",
       "Persistence:RolesAnywhere/AccountManipulation", 5},
      {"sagemaker.amazonaws.com", "UpdateNotebookInstanceLifecycleConfig", "{}",
       "Execution:SageMaker/CommandAndScriptingInterpreter", 5},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name + " " + c.request);
    CloudTrailEvent event = Event(c.source, c.name);
    event.recipient_account_id = "123456789012";
    event.request_parameters = c.request;
    Emitter emitter;
    ApplyCloudTrailRules(event, nullptr, emitter);
    if (c.type.empty()) {
      EXPECT_TRUE(emitter.pending().empty());
      continue;
    }
    ASSERT_EQ(Types(emitter), std::vector<std::string>{c.type});
    const Occurrence& occurrence = emitter.pending().begin()->second.occurrence;
    if (c.severity > 0) {
      EXPECT_EQ(occurrence.severity, c.severity);
    }
    EXPECT_EQ(occurrence.action.api, c.name);
  }
}

TEST(CloudTrailRulesTest, InstanceCredentialsUsedOutsideAwsAreExfiltration) {
  auto ranges = AwsIpRanges::Parse(
      R"({"syncToken":"1","prefixes":[{"ip_prefix":"3.5.140.0/22","region":"us-east-1","service":"AMAZON"}],)"
      R"("ipv6_prefixes":[{"ipv6_prefix":"2600:1f18::/36","service":"EC2"}]})");
  ASSERT_TRUE(ranges.ok()) << ranges.status().message();
  auto stolen = [](const std::string& ip) {
    CloudTrailEvent event = Event("ec2.amazonaws.com", "DescribeInstances");
    event.identity_type = "AssumedRole";
    event.principal_id = "AROAEXAMPLEID:i-0123456789abcdef0";
    event.access_key_id = "ASIAEXAMPLE";
    event.source_ip = ip;
    event.source_ip_v4 = ParseIpv4Address(ip);
    return event;
  };
  const std::string type = "UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS";
  Emitter outside;
  ApplyCloudTrailRules(stolen("198.51.100.20"), &*ranges, outside);
  EXPECT_EQ(Types(outside), std::vector<std::string>{type});
  Emitter outside_v6;
  ApplyCloudTrailRules(stolen("2001:db8::1"), &*ranges, outside_v6);
  EXPECT_EQ(Types(outside_v6), std::vector<std::string>{type});

  // From inside AWS, by a service, from a private address, a user's own session, or
  // without ip-ranges.json: nothing.
  Emitter none;
  ApplyCloudTrailRules(stolen("3.5.141.7"), &*ranges, none);
  ApplyCloudTrailRules(stolen("2600:1f18:0abc::9"), &*ranges, none);
  ApplyCloudTrailRules(stolen("10.0.0.6"), &*ranges, none);
  CloudTrailEvent by_service = stolen("198.51.100.20");
  by_service.invoked_by = "ec2.amazonaws.com";
  ApplyCloudTrailRules(by_service, &*ranges, none);
  CloudTrailEvent person = stolen("198.51.100.20");
  person.principal_id = "AROAEXAMPLEID:alice@example.com";
  ApplyCloudTrailRules(person, &*ranges, none);
  ApplyCloudTrailRules(stolen("198.51.100.20"), nullptr, none);
  EXPECT_TRUE(none.pending().empty());
}

TEST(AwsIpRangesTest, BadDocumentsAreClearErrors) {
  EXPECT_FALSE(AwsIpRanges::Parse("not json").ok());
  EXPECT_FALSE(AwsIpRanges::Parse(R"({"something":"else"})").ok());
  auto bad = AwsIpRanges::Parse(R"({"prefixes":[{"ip_prefix":"3.5.140.0/22"},{"ip_prefix":"x"}]})");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("'x'"), std::string::npos) << bad.status().message();
  EXPECT_FALSE(AwsIpRanges::Parse(R"({"ipv6_prefixes":[{"ipv6_prefix":"2600::/200"}]})").ok());
  auto empty = AwsIpRanges::Parse(R"({"prefixes":[],"ipv6_prefixes":[]})");
  ASSERT_TRUE(empty.ok());
  EXPECT_FALSE(empty->Contains("3.5.140.1"));
}

DnsQuery Query(const std::string& name, int64_t time = kStart * 1000) {
  DnsQuery query;
  query.query_name = name;
  query.query_time = time;
  query.instance_id = "i-1";
  query.source = "10.0.0.6";
  return query;
}

TEST(DnsRulesTest, MiningPoolsAndMetadataRebinding) {
  DetectionSettings settings;
  DnsRules rules(settings);
  Emitter emitter;
  rules.Observe(Query("eu.pool.supportxmr.com"), emitter);
  rules.Observe(Query("notsupportxmr.com"), emitter);
  DnsQuery rebind = Query("attacker.example");
  rebind.answers = {"169.254.169.254"};
  rules.Observe(rebind, emitter);
  DnsQuery metadata = Query("instance-data.ec2.internal");
  metadata.answers = {"169.254.169.254"};
  rules.Observe(metadata, emitter);
  std::vector<std::string> types = Types(emitter);
  std::sort(types.begin(), types.end());
  EXPECT_EQ(types, (std::vector<std::string>{"CryptoCurrency:EC2/BitcoinTool.B!DNS",
                                             "UnauthorizedAccess:EC2/MetadataDNSRebind"}));
}

TEST(DnsRulesTest, ManyRandomLabelsUnderOneDomainIsExfiltration) {
  DetectionSettings settings;
  DnsRules rules(settings);
  Emitter emitter;
  std::mt19937 random(5);
  const std::string alphabet = "abcdefghijklmnopqrstuvwxyz234567";
  for (int i = 0; i < 60; ++i) {
    std::string label;
    for (int c = 0; c < 40; ++c) label += alphabet[random() % alphabet.size()];
    rules.Observe(Query(label + ".exfil.example", kStart * 1000 + i * 1000), emitter);
  }
  rules.Observe(Query("www.example.com"), emitter);
  EXPECT_EQ(Types(emitter), std::vector<std::string>{"Trojan:EC2/DNSDataExfiltration"});
}

DnsQuery Missing(const std::string& name, int64_t time) {
  DnsQuery query = Query(name, time);
  query.rcode = "NXDOMAIN";
  return query;
}

TEST(DnsRulesTest, ABurstOfMadeUpMissingDomainsIsDga) {
  DetectionSettings settings;
  DnsRules rules(settings);
  Emitter emitter;
  const char* generated[] = {"xjw3kd9qplmz.com",  "qzvbnrtkwpls.net",  "h7g2kq9xv4tm.org",
                             "mnbvcxzlkjhg.info", "pqwrtzxcvbnm.biz",  "k3j9x7q2w8zv.ru",
                             "trgbnhyjmkqw.com",  "zxq8v7b6n5m4.net",  "lkjhgfdsqwrt.org",
                             "bcdfghjklmnp.com",  "wq9z8x7c6v5b.info", "vbnmqwrtzpkl.co"};
  int64_t time = kStart * 1000;
  for (int i = 0; i < 9; ++i) rules.Observe(Missing(generated[i], time += 1000), emitter);
  EXPECT_TRUE(emitter.pending().empty());
  rules.Observe(Missing(generated[9], time += 1000), emitter);
  EXPECT_EQ(Types(emitter), std::vector<std::string>{"Trojan:EC2/DGADomainRequest.C!DNS"});
}

TEST(DnsRulesTest, TyposAndMissingRealNamesAreNotDga) {
  DetectionSettings settings;
  DnsRules rules(settings);
  Emitter emitter;
  const char* typos[] = {"gooogle.com",   "stackoverflw.com", "amazonaws.co",  "microsfot.com",
                         "wikipedai.org", "githubb.com",      "internal.corp", "printer-3.lan",
                         "facebok.com",   "cloudfare.com",    "ubunto.com",    "debain.org",
                         "pythn.org",     "exampel.com",      "localhost.lan", "wpad.home"};
  int64_t time = kStart * 1000;
  for (const char* name : typos) rules.Observe(Missing(name, time += 1000), emitter);
  // Generated-looking names that resolve are not evidence either.
  for (const char* name :
       {"xjw3kd9qplmz.com", "qzvbnrtkwpls.net", "h7g2kq9xv4tm.org", "mnbvcxzlkjhg.info",
        "pqwrtzxcvbnm.biz", "k3j9x7q2w8zv.ru", "trgbnhyjmkqw.com", "zxq8v7b6n5m4.net",
        "lkjhgfdsqwrt.org", "bcdfghjklmnp.com", "wq9z8x7c6v5b.info"}) {
    rules.Observe(Query(name, time += 1000), emitter);
  }
  EXPECT_TRUE(emitter.pending().empty());
}

TEST(DnsRulesTest, DomainThreatListsMatchSubdomains) {
  const auto lists = Lists("evil.example\n");
  Emitter emitter;
  MatchDnsThreats(Query("a.evil.example"), *lists, emitter);
  MatchDnsThreats(Query("good.example"), *lists, emitter);
  EXPECT_EQ(Types(emitter), std::vector<std::string>{"Impact:EC2/MaliciousDomainRequest.Custom"});
}

TEST(EmitterTest, OneIssueInABatchIsOneOccurrenceWithACount) {
  const auto lists = Lists("198.51.100.0/24\n");
  Emitter emitter;
  for (int i = 0; i < 5; ++i) {
    const FlowRecord record = Flow("10.0.0.6", "198.51.100.9", 40000 + i, 443, kStart + i);
    MatchFlowThreats(record, Orient(record, *lists), *lists, emitter);
  }
  ASSERT_EQ(emitter.pending().size(), 1u);
  const Emitter::Pending& pending = emitter.pending().begin()->second;
  EXPECT_EQ(pending.count, 5);
  EXPECT_EQ(pending.occurrence.first_seen, kStart * 1000);
  EXPECT_EQ(pending.occurrence.last_seen, (kStart + 4 + 2) * 1000);
}

TEST(EmitterTest, PendingIsInKeyOrderWhateverTheOrderOfEmits) {
  const FindingTypeInfo* type = FindFindingType("Recon:EC2/Portscan");
  ASSERT_NE(type, nullptr);
  const auto occurrence = [&](int64_t seen) {
    Occurrence found;
    found.type = type;
    found.first_seen = found.last_seen = seen;
    return found;
  };
  Emitter emitter;
  for (const std::string key : {"m", "b", "z", "b", "a"}) emitter.Emit(key, occurrence(10));
  std::vector<std::string> keys;
  for (const auto& [key, pending] : emitter.pending()) keys.push_back(key);
  const std::string prefix = std::string(type->type) + "|";
  EXPECT_EQ(keys,
            (std::vector<std::string>{prefix + "a", prefix + "b", prefix + "m", prefix + "z"}));
  EXPECT_EQ(emitter.pending().at(prefix + "b").count, 2);

  // Emitting after pending() was read: known keys are updated, new ones join in order.
  emitter.Emit("b", occurrence(5));
  emitter.Emit("c", occurrence(20));
  emitter.Emit("0", occurrence(20));
  keys.clear();
  for (const auto& [key, pending] : emitter.pending()) keys.push_back(key);
  EXPECT_EQ(keys, (std::vector<std::string>{prefix + "0", prefix + "a", prefix + "b", prefix + "c",
                                            prefix + "m", prefix + "z"}));
  const Emitter::Pending& b = emitter.pending().at(prefix + "b");
  EXPECT_EQ(b.count, 3);
  EXPECT_EQ(b.occurrence.first_seen, 5);
  EXPECT_EQ(b.occurrence.last_seen, 10);
}

}  // namespace
}  // namespace vigil
