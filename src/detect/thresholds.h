// Every number the behavioural rules use, in one place. GuardDuty does not publish its
// thresholds; these are Vigil's (reference/guardduty-detection.md section 3) and each
// can be changed here.
#pragma once

#include <cstddef>
#include <cstdint>

namespace vigil {

struct DetectionSettings {
  // Events may arrive this late (flow logs reach S3 ~10 minutes after the fact);
  // window state is kept this long past its window.
  int64_t out_of_order_millis = 15 * 60 * 1000;

  // SSH / RDP / WinRM brute force: at least `brute_force_attempts` short connection
  // records between one remote address and one interface on the service port within
  // `brute_force_window_millis`. A record with more packets than
  // `brute_force_max_packets` is a working session, not an attempt.
  size_t brute_force_attempts = 20;
  int64_t brute_force_window_millis = 10 * 60 * 1000;
  int64_t brute_force_max_packets = 30;

  // Port scan: one interface probing (records of at most `port_scan_max_packets`
  // packets) at least `port_scan_ports` distinct ports of one remote address within
  // `port_scan_window_millis`.
  size_t port_scan_ports = 50;
  int64_t port_scan_max_packets = 3;  // more packets: a working connection, not a probe
  int64_t port_scan_window_millis = 5 * 60 * 1000;

  // Port sweep: one interface probing the same port on at least `port_sweep_hosts`
  // distinct public addresses within `port_sweep_window_millis`.
  size_t port_sweep_hosts = 50;
  int64_t port_sweep_window_millis = 5 * 60 * 1000;

  // Port probe: a remote address is a scanner once its short inbound records
  // (at most `port_scan_max_packets` packets) reach `port_probe_targets` distinct local
  // addresses within `port_probe_window_millis`.
  size_t port_probe_targets = 10;
  int64_t port_probe_window_millis = 10 * 60 * 1000;

  // Denial of service: an interface sending one public address at least
  // `dos_packets_per_second` (all its flows of one protocol class summed, per minute of
  // event time) in at least `dos_sustained_minutes` minutes. Flows slower than
  // `dos_min_flow_packets_per_second` are not looked at (keeps the rule cheap; a flood
  // spread over thousands of slow flows is missed).
  double dos_packets_per_second = 100000;
  double dos_min_flow_packets_per_second = 1000;
  size_t dos_sustained_minutes = 2;

  // Spambot: an interface known for `spambot_baseline_millis` without sending mail
  // (TCP to port 25), or quiet for `spambot_quiet_millis`, that starts mailing at least
  // `spambot_hosts` distinct public mail servers within `spambot_window_millis`. The
  // baseline is what Vigil has seen since it started (not kept across restarts).
  int64_t spambot_baseline_millis = 24 * 60 * 60 * 1000;
  int64_t spambot_quiet_millis = int64_t{7} * 24 * 60 * 60 * 1000;
  size_t spambot_hosts = 10;
  int64_t spambot_window_millis = 60 * 60 * 1000;

  // DNS exfiltration: at least `dns_exfiltration_names` distinct long, random-looking
  // first labels (length >= `dns_exfiltration_label_length`, Shannon entropy >=
  // `dns_exfiltration_entropy` bits/char) under one registered domain from one source
  // within `dns_exfiltration_window_millis`.
  size_t dns_exfiltration_names = 50;
  size_t dns_exfiltration_label_length = 30;
  double dns_exfiltration_entropy = 3.0;  // random hex averages ~3.7 at 32 characters
  int64_t dns_exfiltration_window_millis = 5 * 60 * 1000;

  // Domain generation algorithm: one source asking for at least `dga_domains` distinct
  // registered domains that do not exist (NXDOMAIN) and look machine-made within
  // `dga_window_millis`. Machine-made: a second-level label of at least
  // `dga_label_length` characters with entropy >= `dga_entropy` bits/char and few
  // vowels, a long consonant run or several digits among the letters (see dns_rules.cpp).
  size_t dga_domains = 10;
  int64_t dga_window_millis = 10 * 60 * 1000;
  size_t dga_label_length = 8;
  double dga_entropy = 2.5;

  // Bounded memory: at most this many window keys per detector and rule; the ones
  // idle longest are dropped first.
  size_t max_window_keys = 200000;
};

}  // namespace vigil
