#include <algorithm>

#include "detect/idle_eviction.h"
#include "detect/rules.h"
#include "findings/finding_types.h"

namespace vigil {

SpambotRule::SpambotRule(const DetectionSettings& settings)
    : settings_(settings),
      mail_hosts_(settings.spambot_window_millis, settings.out_of_order_millis,
                  settings.max_window_keys, settings.spambot_hosts * 4) {}

void SpambotRule::Observe(const FlowRecord& record, const OrientedFlow& flow,
                          const ThreatSnapshot& lists, Emitter& emitter) {
  if (flow.inbound || flow.direction == "UNKNOWN") return;
  const int64_t time = record.start * 1000;
  const bool smtp = record.protocol == 6 && flow.remote_port == 25 && flow.remote_v4 &&
                    IsPublicIpv4(*flow.remote_v4) && flow.local_port != 25;
  const std::string_view resource = FlowResourceKey(record);
  auto it = profiles_.find(resource);
  if (it == profiles_.end()) {
    if (profiles_.size() >= settings_.max_window_keys) {
      EvictIdle(profiles_, INT64_MIN, settings_.max_window_keys);
    }
    it = profiles_.emplace(std::string(resource), Profile{time, 0, 0, time}).first;
  }
  Profile& profile = it->second;
  profile.first_seen = std::min(profile.first_seen, time);
  profile.newest = std::max(profile.newest, time);
  if (!smtp || lists.IsTrusted(flow.remote_lists)) return;

  // A new run of mail after a quiet spell (or ever) starts at this record.
  if (profile.mail_since == 0 || time - profile.last_mail > settings_.spambot_quiet_millis) {
    profile.mail_since = time;
  }
  profile.mail_since = std::min(profile.mail_since, time);
  profile.last_mail = std::max(profile.last_mail, time);
  // Only an instance known without mail for the baseline period is suspect: a mail
  // server sends from the start.
  if (profile.mail_since - profile.first_seen < settings_.spambot_baseline_millis) return;
  if (mail_hosts_.Add(resource, time, *flow.remote_v4) < settings_.spambot_hosts) return;
  Occurrence occurrence =
      ConnectionOccurrence(FindFindingType("Backdoor:EC2/Spambot"), record, flow, "ACTOR");
  emitter.Emit(std::string(resource), std::move(occurrence));
}

}  // namespace vigil
