// The detection rules, one .cpp file per family. Each reads parsed records and puts
// what it finds into an Emitter; stateful rules keep bounded event-time windows.
// Types that need AWS-internal intelligence or machine learning are never emitted.
#pragma once

#include <boost/unordered/unordered_flat_map.hpp>
#include <functional>
#include <string>

#include "detect/emitter.h"
#include "detect/event_window.h"
#include "detect/network.h"
#include "detect/rate_window.h"
#include "detect/thresholds.h"
#include "ingest/records.h"
#include "intel/aws_ip_ranges.h"
#include "intel/threat_snapshot.h"

namespace vigil {

// Flow rules see each record with its OrientedFlow, which carries the threat-list lookup
// of the remote address (flow.remote_lists): test it with lists.IsTrusted / NamesThreat /
// ThreatLists instead of looking the address up again. Records and flows view the log
// text; copy what outlives Observe (EventWindow copies its keys, the helpers below
// build findings).
//
// occurrences.cpp — what every rule family fills in the same way.
// The finding resource of a flow record's interface.
InstanceResource InstanceOf(const FlowRecord& record, const OrientedFlow& flow);
// The instance a flow record belongs to, else its interface: the resource part of keys.
std::string_view FlowResourceKey(const FlowRecord& record);
// A NETWORK_CONNECTION occurrence of `type` for a flow record, times from the record.
Occurrence ConnectionOccurrence(const FindingTypeInfo* type, const FlowRecord& record,
                                const OrientedFlow& flow, std::string resource_role);
// The finding resource of a CloudTrail event's caller.
AccessKeyResource AccessKeyOf(const CloudTrailEvent& event);

// threat_list_rules.cpp — traffic with addresses or domains on an ACTIVE threat list
// (never when a trusted list names them):
//   UnauthorizedAccess:EC2/MaliciousIPCaller.Custom (flow logs, either direction),
//   Recon:IAMUser/ and UnauthorizedAccess:IAMUser/MaliciousIPCaller.Custom (CloudTrail,
//   read-only calls vs others), Discovery:S3/ and UnauthorizedAccess:S3/
//   MaliciousIPCaller.Custom (S3 data events), Impact:EC2/MaliciousDomainRequest.Custom
//   (DNS queries for a listed domain or a subdomain of one).
void MatchFlowThreats(const FlowRecord& record, const OrientedFlow& flow,
                      const ThreatSnapshot& lists, Emitter& emitter);
void MatchCloudTrailThreats(const CloudTrailEvent& event, const ThreatSnapshot& lists,
                            Emitter& emitter);
void MatchDnsThreats(const DnsQuery& query, const ThreatSnapshot& lists, Emitter& emitter);

// brute_force_rules.cpp — UnauthorizedAccess:EC2/SSHBruteForce, RDPBruteForce and
// Impact:EC2/WinRMBruteForce: many short connections on the service port between one
// remote address and one interface. Inbound: the instance is the TARGET (Low);
// outbound: the instance attacks others, ACTOR (High).
class BruteForceRule {
 public:
  explicit BruteForceRule(const DetectionSettings& settings);
  void Observe(const FlowRecord& record, const OrientedFlow& flow, const ThreatSnapshot& lists,
               Emitter& emitter);

 private:
  const DetectionSettings& settings_;
  EventWindow attempts_;
};

// port_scan_rules.cpp — Recon:EC2/Portscan: an interface reaching many distinct ports
// of one remote address (the instance is the ACTOR).
class PortScanRule {
 public:
  explicit PortScanRule(const DetectionSettings& settings);
  void Observe(const FlowRecord& record, const OrientedFlow& flow, const ThreatSnapshot& lists,
               Emitter& emitter);

 private:
  const DetectionSettings& settings_;
  EventWindow ports_;
};

// port_sweep_rules.cpp — Impact:EC2/PortSweep: an interface probing one port on many
// public addresses (the instance is the ACTOR, High).
class PortSweepRule {
 public:
  explicit PortSweepRule(const DetectionSettings& settings);
  void Observe(const FlowRecord& record, const OrientedFlow& flow, const ThreatSnapshot& lists,
               Emitter& emitter);

 private:
  const DetectionSettings& settings_;
  EventWindow hosts_;  // per interface and port: the remote addresses probed
};

// port_probe_rules.cpp — Recon:EC2/PortProbeUnprotectedPort: an inbound probe the
// security group let through (ACCEPT) from a remote address that is on a threat list or
// is probing many of this detector's addresses (GuardDuty's "known scanner" intelligence
// is AWS-internal; Vigil substitutes what it sees). High for Elasticsearch's 9200/9300;
// Recon:EC2/PortProbeEMRUnprotectedPort (High) on the ports of EMR's web services.
class PortProbeRule {
 public:
  explicit PortProbeRule(const DetectionSettings& settings);
  void Observe(const FlowRecord& record, const OrientedFlow& flow, const ThreatSnapshot& lists,
               Emitter& emitter);

 private:
  const DetectionSettings& settings_;
  EventWindow targets_;  // per remote address: the local addresses it probed
};

// dos_rules.cpp — Backdoor:EC2/DenialOfService.Tcp / .Udp / .UdpOnTcpPorts / .Dns /
// .UnusualProtocol: an instance sending a sustained flood of packets to one public
// address (the instance is the ACTOR, High).
class DenialOfServiceRule {
 public:
  explicit DenialOfServiceRule(const DetectionSettings& settings);
  void Observe(const FlowRecord& record, const OrientedFlow& flow, const ThreatSnapshot& lists,
               Emitter& emitter);

 private:
  const DetectionSettings& settings_;
  RateWindow rates_;  // per interface, remote address and variant: packets/s per minute
};

// spambot_rules.cpp — Backdoor:EC2/Spambot: an instance with no mail history that starts
// sending to many public mail servers on port 25 (first-seen baseline, not ML).
class SpambotRule {
 public:
  explicit SpambotRule(const DetectionSettings& settings);
  void Observe(const FlowRecord& record, const OrientedFlow& flow, const ThreatSnapshot& lists,
               Emitter& emitter);

 private:
  struct Profile {
    int64_t first_seen = 0;  // earliest outbound traffic seen (epoch ms)
    int64_t mail_since = 0;  // start of the current run of mail (0: none yet)
    int64_t last_mail = 0;
    int64_t newest = 0;  // latest traffic (for eviction)
  };
  const DetectionSettings& settings_;
  // Per instance or interface (bounded), found by a view: no string made per record.
  boost::unordered_flat_map<std::string, Profile, TextHash, std::equal_to<>> profiles_;
  EventWindow mail_hosts_;  // per interface: the mail servers reached
};

// cloudtrail_rules.cpp — deterministic CloudTrail rules: root credential use,
// penetration-testing distributions in the user agent, instance credentials used from
// outside AWS (only with `aws_ip_ranges`; may be null), and the signals of
// cloudtrail_signals.h (CloudTrail logging disabled, password policy changed, public SSH
// ingress, flow logs deleted, admin policy attached, RDS / Lambda / SES / S3 /
// Organizations changes, console login without MFA, ...).
void ApplyCloudTrailRules(const CloudTrailEvent& event, const AwsIpRanges* aws_ip_ranges,
                          Emitter& emitter);

// dns_rules.cpp — Trojan:EC2/DNSDataExfiltration (many long random labels under one
// domain), UnauthorizedAccess:EC2/MetadataDNSRebind (a name answering 169.254.169.254),
// CryptoCurrency:EC2/BitcoinTool.B!DNS (a shipped list of public mining pools) and
// Trojan:EC2/DGADomainRequest.C!DNS (a burst of made-up names that do not exist).
class DnsRules {
 public:
  explicit DnsRules(const DetectionSettings& settings);
  void Observe(const DnsQuery& query, Emitter& emitter);

 private:
  const DetectionSettings& settings_;
  EventWindow labels_;     // per source and domain: the long random labels asked for
  EventWindow generated_;  // per source: the made-up domains that did not exist
};

}  // namespace vigil
