#include <algorithm>
#include <cctype>
#include <optional>
#include <string_view>

#include "detect/rules.h"
#include "findings/finding_types.h"

namespace vigil {

namespace {

bool Contains(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

// The integer after the first `"key"` in a JSON text, tolerating spaces ("fromPort": 22).
std::optional<int64_t> NumberAfter(std::string_view json, std::string_view key) {
  const std::string quoted = "\"" + std::string(key) + "\"";
  size_t at = json.find(quoted);
  if (at == std::string_view::npos) return std::nullopt;
  at += quoted.size();
  while (at < json.size() && (json[at] == ' ' || json[at] == ':')) ++at;
  int64_t value = 0;
  bool digits = false;
  while (at < json.size() && std::isdigit(static_cast<unsigned char>(json[at]))) {
    value = value * 10 + (json[at++] - '0');
    digits = true;
  }
  return digits ? std::optional<int64_t>(value) : std::nullopt;
}

// An ingress rule opening port 22 to the whole internet.
bool OpensSshToTheWorld(std::string_view request) {
  if (!Contains(request, "0.0.0.0/0")) return false;
  const std::optional<int64_t> from = NumberAfter(request, "fromPort");
  const std::optional<int64_t> to = NumberAfter(request, "toPort");
  return from && to && *from <= 22 && 22 <= *to;
}

std::string Lowercase(std::string_view text) {
  std::string lower(text);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return lower;
}

// The finding type and severity a CloudTrail event signals, if any. Attempts that
// failed (an errorCode) count only where GuardDuty counts attempts.
struct Signal {
  const char* type = nullptr;
  double severity = 0;  // 0: the type's default
};

Signal SignalOf(const CloudTrailEvent& event) {
  const std::string& name = event.event_name;
  const std::string& source = event.event_source;
  const bool succeeded = event.error_code.empty();
  const std::string_view request = event.request_parameters;

  if (source == "cloudtrail.amazonaws.com" && succeeded &&
      (name == "StopLogging" || name == "DeleteTrail")) {
    return {"Stealth:IAMUser/CloudTrailLoggingDisabled"};
  }
  if (source == "iam.amazonaws.com" &&
      (name == "DeleteAccountPasswordPolicy" || name == "UpdateAccountPasswordPolicy")) {
    return {"Stealth:IAMUser/PasswordPolicyChange"};  // attempts too, as GuardDuty
  }
  if (!succeeded) return {};
  if (source == "ec2.amazonaws.com") {
    if (name == "DeleteFlowLogs") return {"DefenseImpairment:EC2/DisableOrModifyTools", 8};
    if (name == "GetPasswordData") return {"CredentialAccess:EC2/UnsecuredCredentials", 5};
    if (name == "AuthorizeSecurityGroupIngress" && OpensSshToTheWorld(request)) {
      return {"Persistence:EC2/ExternalRemoteServices", 5};
    }
    if ((name == "ModifyImageAttribute" || name == "ModifySnapshotAttribute") &&
        (Contains(request, "\"add\"") || Contains(request, "createVolumePermission") ||
         Contains(request, "launchPermission"))) {
      return {"Exfiltration:EC2/TransferDataToCloudAccount", 8};
    }
    if (name == "ModifyInstanceAttribute" && Contains(request, "userData")) {
      return {"Persistence:EC2/BootOrLogonInitializationScripts", 8};
    }
  }
  if (source == "ec2-instance-connect.amazonaws.com" && name == "SendSSHPublicKey") {
    return {"LateralMovement:EC2/RemoteServices", 5};
  }
  if (source == "route53resolver.amazonaws.com" && name == "DeleteResolverQueryLogConfig") {
    return {"DefenseImpairment:Route53Resolver/DisableOrModifyTools", 5};
  }
  if (source == "organizations.amazonaws.com" && name == "LeaveOrganization") {
    return {"DefenseImpairment:Organizations/ModifyCloudResourceHierarchy", 8};
  }
  if (source == "iam.amazonaws.com") {
    if (name == "CreateAccessKey") return {"Persistence:IAM/AccountManipulation", 2};
    if (name == "CreateLoginProfile") return {"Persistence:IAM/AccountManipulation", 8};
    if (name == "UpdateLoginProfile") return {"Persistence:IAM/AccountManipulation", 5};
    if (name == "UpdateAssumeRolePolicy") return {"Persistence:IAM/AccountManipulation", 5};
    if ((name == "AttachRolePolicy" || name == "AttachUserPolicy" || name == "AttachGroupPolicy") &&
        Contains(request, "AdministratorAccess")) {
      return {"PrivilegeEscalation:IAM/AccountManipulation", 8};
    }
  }
  if (source == "signin.amazonaws.com" && name == "ConsoleLogin" &&
      event.console_login_result == "Success" && event.mfa_used == "No") {
    return {"InitialAccess:IAM/ValidAccounts", 5};
  }
  return {};
}

void EmitCall(const CloudTrailEvent& event, const FindingTypeInfo* type, double severity,
              Emitter& emitter) {
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
  if (event.source_ip_v4) occurrence.action.remote_ip = event.source_ip;
  occurrence.first_seen = occurrence.last_seen = event.event_time;
  const std::string principal =
      event.access_key_id.empty() ? event.principal_id : event.access_key_id;
  emitter.Emit(principal + "|" + event.event_name, std::move(occurrence));
}

}  // namespace

void ApplyCloudTrailRules(const CloudTrailEvent& event, Emitter& emitter) {
  if (const Signal signal = SignalOf(event); signal.type != nullptr) {
    EmitCall(event, FindFindingType(signal.type), signal.severity, emitter);
  }
  // Root credentials used directly (not by a service on the account's behalf).
  if (event.identity_type == "Root" && event.invoked_by.empty() &&
      event.event_type != "AwsServiceEvent") {
    const bool short_term = event.access_key_id.starts_with("ASIA") || event.has_session_context;
    EmitCall(event,
             FindFindingType(short_term ? "Policy:IAMUser/ShortTermRootCredentialUsage"
                                        : "Policy:IAMUser/RootCredentialUsage"),
             0, emitter);
  }
  // SDK user agents carry the kernel release, e.g. "Linux/6.5.0-kali3-amd64".
  const std::string agent = Lowercase(event.user_agent);
  for (const auto& [marker, type] : {std::pair{"kali", "PenTest:IAMUser/KaliLinux"},
                                     std::pair{"parrot", "PenTest:IAMUser/ParrotLinux"},
                                     std::pair{"pentoo", "PenTest:IAMUser/PentooLinux"}}) {
    if (Contains(agent, marker)) EmitCall(event, FindFindingType(type), 0, emitter);
  }
}

}  // namespace vigil
