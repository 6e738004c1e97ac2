#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <cctype>
#include <charconv>
#include <optional>
#include <string_view>
#include <vector>

#include "detect/rules.h"
#include "findings/finding_types.h"

namespace vigil {

namespace {

namespace json = boost::json;

bool Contains(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

// The JSON object of a requestParameters text, or null.
json::value ParseParameters(std::string_view text) {
  boost::system::error_code ec;
  json::value value = json::parse(text, ec);
  return ec ? json::value() : value;
}

const json::value* Member(const json::value& object, std::string_view key) {
  return object.is_object() ? object.as_object().if_contains(key) : nullptr;
}

std::vector<const json::value*> Items(const json::value* list) {
  std::vector<const json::value*> items;
  if (list == nullptr) return items;
  if (const json::value* wrapped = Member(*list, "items")) list = wrapped;  // EC2's {"items":[]}
  if (list->is_array()) {
    for (const json::value& item : list->as_array()) items.push_back(&item);
  }
  return items;
}

std::optional<int64_t> Integer(const json::value* value) {
  if (value == nullptr) return std::nullopt;
  if (value->is_int64()) return value->as_int64();
  if (value->is_string()) {
    int64_t number = 0;
    const auto& text = value->as_string();
    if (std::from_chars(text.data(), text.data() + text.size(), number).ec == std::errc()) {
      return number;
    }
  }
  return std::nullopt;
}

// An ingress permission that opens port 22 (TCP or all protocols) to the whole internet.
bool OpensSshToTheWorld(std::string_view request) {
  const json::value parameters = ParseParameters(request);
  for (const json::value* permission : Items(Member(parameters, "ipPermissions"))) {
    const json::value* protocol = Member(*permission, "ipProtocol");
    const bool any_protocol = protocol != nullptr && protocol->is_string() &&
                              (protocol->as_string() == "-1" || protocol->as_string() == "all");
    const std::optional<int64_t> from = Integer(Member(*permission, "fromPort"));
    const std::optional<int64_t> to = Integer(Member(*permission, "toPort"));
    const bool covers_ssh = any_protocol || (from && to && *from <= 22 && 22 <= *to);
    if (!covers_ssh) continue;
    for (const char* ranges : {"ipRanges", "ipv6Ranges"}) {
      for (const json::value* range : Items(Member(*permission, ranges))) {
        for (const char* field : {"cidrIp", "cidrIpv6"}) {
          const json::value* cidr = Member(*range, field);
          if (cidr != nullptr && cidr->is_string() &&
              (cidr->as_string() == "0.0.0.0/0" || cidr->as_string() == "::/0")) {
            return true;
          }
        }
      }
    }
  }
  return false;
}

// Attaching the AWS-managed AdministratorAccess policy itself (not e.g.
// AdministratorAccess-Amplify).
bool AttachesAdministratorAccess(std::string_view request) {
  const json::value parameters = ParseParameters(request);
  const json::value* arn = Member(parameters, "policyArn");
  return arn != nullptr && arn->is_string() &&
         std::string_view(arn->as_string()).ends_with(":policy/AdministratorAccess");
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
        AttachesAdministratorAccess(request)) {
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
