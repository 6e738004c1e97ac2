#include <algorithm>
#include <cctype>
#include <string_view>

#include "detect/cloudtrail_signals.h"
#include "detect/rules.h"
#include "findings/finding_types.h"
#include "intel/aws_ip_ranges.h"
#include "intel/list_parser.h"

namespace vigil {

namespace {

std::string Lowercase(std::string_view text) {
  std::string lower(text);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return lower;
}

// The credential a call was made with: its access key, else its principal.
std::string CallerKey(const CloudTrailEvent& event) {
  return event.access_key_id.empty() ? event.principal_id : event.access_key_id;
}

// One AWS_API_CALL occurrence. `key` names the finding it aggregates into.
void EmitCall(const CloudTrailEvent& event, const FindingTypeInfo* type, double severity,
              const std::string& key, Emitter& emitter) {
  if (type == nullptr) return;
  Occurrence occurrence;
  occurrence.type = type;
  if (severity > 0) occurrence.severity = severity;
  occurrence.resource_type = "AccessKey";
  occurrence.access_key = AccessKeyOf(event);
  occurrence.action.action_type = "AWS_API_CALL";
  occurrence.action.api = event.event_name;
  occurrence.action.service_name = event.event_source;
  occurrence.action.caller_type = event.invoked_by.empty() ? "Remote IP" : "AWS Service";
  occurrence.action.user_agent = event.user_agent;
  occurrence.action.error_code = event.error_code;
  // Debian's GuardDuty model has no ipAddressV6: IPv6 callers carry no remoteIpDetails.
  if (event.source_ip_v4) occurrence.action.remote_ip = event.source_ip;
  occurrence.first_seen = occurrence.last_seen = event.event_time;
  emitter.Emit(key, std::move(occurrence));
}

// Instance-role credentials: an assumed role whose session name is the instance id
// (principalId "AROA...:i-0123456789abcdef0").
bool IsInstanceCredential(const CloudTrailEvent& event) {
  if (event.identity_type != "AssumedRole") return false;
  const size_t colon = event.principal_id.rfind(':');
  if (colon == std::string::npos) return false;
  const std::string_view session = std::string_view(event.principal_id).substr(colon + 1);
  return session.starts_with("i-") && session.size() > 2 &&
         session.substr(2).find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

}  // namespace

void ApplyCloudTrailRules(const CloudTrailEvent& event, const AwsIpRanges* aws_ip_ranges,
                          Emitter& emitter) {
  if (const CloudTrailSignal signal = SignalOf(event); signal.type != nullptr) {
    EmitCall(event, FindFindingType(signal.type), signal.severity,
             CallerKey(event) + "|" + event.event_name, emitter);
  }
  // Root credentials used directly (not by a service on the account's behalf).
  if (event.identity_type == "Root" && event.invoked_by.empty() &&
      event.event_type != "AwsServiceEvent") {
    const bool short_term = event.access_key_id.starts_with("ASIA") || event.has_session_context;
    EmitCall(event,
             FindFindingType(short_term ? "Policy:IAMUser/ShortTermRootCredentialUsage"
                                        : "Policy:IAMUser/RootCredentialUsage"),
             0, CallerKey(event) + "|" + event.event_name, emitter);
  }
  // SDK user agents carry the kernel release, e.g. "Linux/6.5.0-kali3-amd64".
  const std::string agent = Lowercase(event.user_agent);
  for (const auto& [marker, type] : {std::pair{"kali", "PenTest:IAMUser/KaliLinux"},
                                     std::pair{"parrot", "PenTest:IAMUser/ParrotLinux"},
                                     std::pair{"pentoo", "PenTest:IAMUser/PentooLinux"}}) {
    if (agent.find(marker) != std::string::npos) {
      EmitCall(event, FindFindingType(type), 0, CallerKey(event) + "|" + event.event_name, emitter);
    }
  }
  // An instance's role credentials called from an address outside AWS: taken off the
  // instance. Calls a service makes on the role's behalf come from AWS names, not IPs.
  if (aws_ip_ranges != nullptr && event.invoked_by.empty() && IsInstanceCredential(event)) {
    const bool public_v4 = event.source_ip_v4 && IsPublicIpv4(*event.source_ip_v4);
    if ((public_v4 || LooksLikeIpv6(event.source_ip)) &&
        !aws_ip_ranges->Contains(event.source_ip)) {
      EmitCall(
          event,
          FindFindingType("UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS"),
          0, CallerKey(event), emitter);  // one finding per stolen credential
    }
  }
}

}  // namespace vigil
