#include "detect/cloudtrail_signals.h"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <charconv>
#include <optional>
#include <string_view>
#include <vector>

namespace vigil {

namespace {

namespace json = boost::json;

constexpr double kLow = 2;
constexpr double kMedium = 5;
constexpr double kHigh = 8;

bool Contains(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

// requestParameters / responseElements as JSON, or null when absent or malformed.
json::value ParseParameters(std::string_view text) {
  boost::system::error_code ec;
  json::value value = json::parse(text, ec);
  return ec ? json::value() : value;
}

const json::value* Member(const json::value* object, std::string_view key) {
  return object != nullptr && object->is_object() ? object->as_object().if_contains(key) : nullptr;
}

// The elements of a list that CloudTrail may log as an array, as EC2's {"items":[...]},
// or (for a single element) as the element itself.
std::vector<const json::value*> Items(const json::value* list) {
  std::vector<const json::value*> items;
  if (list == nullptr) return items;
  if (const json::value* wrapped = Member(list, "items")) list = wrapped;
  if (list->is_array()) {
    for (const json::value& item : list->as_array()) items.push_back(&item);
  } else if (!list->is_null()) {
    items.push_back(list);
  }
  return items;
}

std::optional<int64_t> Integer(const json::value* value) {
  if (value == nullptr) return std::nullopt;
  if (value->is_int64()) return value->as_int64();
  if (value->is_uint64()) return static_cast<int64_t>(value->as_uint64());
  if (value->is_string()) {
    int64_t number = 0;
    const auto& text = value->as_string();
    if (std::from_chars(text.data(), text.data() + text.size(), number).ec == std::errc()) {
      return number;
    }
  }
  return std::nullopt;
}

// true / false, also as EC2's {"value": true} and as the strings "true" / "false".
std::optional<bool> Boolean(const json::value* value) {
  if (const json::value* wrapped = Member(value, "value")) value = wrapped;
  if (value == nullptr) return std::nullopt;
  if (value->is_bool()) return value->as_bool();
  if (value->is_string()) {
    if (value->as_string() == "true") return true;
    if (value->as_string() == "false") return false;
  }
  return std::nullopt;
}

std::string_view Text(const json::value* value) {
  return value != nullptr && value->is_string() ? std::string_view(value->as_string())
                                                : std::string_view();
}

// An ingress permission that opens port 22 (TCP or all protocols) to the whole internet.
bool OpensSshToTheWorld(const json::value& parameters) {
  for (const json::value* permission : Items(Member(&parameters, "ipPermissions"))) {
    const std::string_view protocol = Text(Member(permission, "ipProtocol"));
    const bool any_protocol = protocol == "-1" || protocol == "all";
    const std::optional<int64_t> from = Integer(Member(permission, "fromPort"));
    const std::optional<int64_t> to = Integer(Member(permission, "toPort"));
    const bool covers_ssh = any_protocol || (from && to && *from <= 22 && 22 <= *to);
    if (!covers_ssh) continue;
    for (const char* ranges : {"ipRanges", "ipv6Ranges"}) {
      for (const json::value* range : Items(Member(permission, ranges))) {
        for (const char* field : {"cidrIp", "cidrIpv6"}) {
          const std::string_view cidr = Text(Member(range, field));
          if (cidr == "0.0.0.0/0" || cidr == "::/0") return true;
        }
      }
    }
  }
  return false;
}

// Attaching the AWS-managed policy `name` itself (AdministratorAccess, not e.g.
// AdministratorAccess-Amplify).
bool AttachesManagedPolicy(const json::value& parameters, std::string_view name) {
  const std::string_view arn = Text(Member(&parameters, "policyArn"));
  return arn.starts_with("arn:aws:iam::aws:policy/") && arn.ends_with("/" + std::string(name));
}

// The account a policy principal names: "*" for anyone, an account id, or "" when it is a
// service or cannot be told.
std::string_view PrincipalAccount(std::string_view principal) {
  if (principal == "*") return principal;
  if (principal.size() == 12 &&
      principal.find_first_not_of("0123456789") == std::string_view::npos) {
    return principal;
  }
  if (principal.starts_with("arn:")) {  // arn:aws:iam::ACCOUNT:...
    size_t start = 0;
    for (int colon = 0; colon < 4; ++colon) {
      start = principal.find(':', start);
      if (start == std::string_view::npos) return "";
      ++start;
    }
    const size_t end = principal.find(':', start);
    return end == std::string_view::npos ? "" : principal.substr(start, end - start);
  }
  return "";
}

// A bucket policy that allows anyone, or an account other than the bucket's own.
bool GrantsAccessOutsideTheAccount(const json::value& parameters, std::string_view own_account) {
  for (const json::value* statement :
       Items(Member(Member(&parameters, "bucketPolicy"), "Statement"))) {
    if (Text(Member(statement, "Effect")) != "Allow") continue;
    const json::value* principal = Member(statement, "Principal");
    std::vector<const json::value*> principals;
    if (principal != nullptr && principal->is_string()) {
      principals.push_back(principal);
    } else {
      principals = Items(Member(principal, "AWS"));
    }
    for (const json::value* named : principals) {
      const std::string_view account = PrincipalAccount(Text(named));
      if (!account.empty() && account != own_account) return true;
    }
  }
  return false;
}

// A lifecycle rule that deletes objects within a day of their creation.
bool ExpiresObjectsRapidly(const json::value& parameters) {
  for (const json::value* rule :
       Items(Member(Member(&parameters, "LifecycleConfiguration"), "Rule"))) {
    if (Text(Member(rule, "Status")) == "Disabled") continue;
    const std::optional<int64_t> days = Integer(Member(Member(rule, "Expiration"), "Days"));
    if (days && *days <= 1) return true;
  }
  return false;
}

CloudTrailSignal Ec2Signal(const CloudTrailEvent& event) {
  const std::string& name = event.event_name;
  if (name == "DeleteFlowLogs") return {"DefenseImpairment:EC2/DisableOrModifyTools", kHigh};
  if (name == "GetPasswordData") return {"CredentialAccess:EC2/UnsecuredCredentials", kMedium};
  if (name == "AuthorizeSecurityGroupIngress" &&
      OpensSshToTheWorld(ParseParameters(event.request_parameters))) {
    return {"Persistence:EC2/ExternalRemoteServices", kMedium};
  }
  const std::string_view request = event.request_parameters;
  if ((name == "ModifyImageAttribute" || name == "ModifySnapshotAttribute") &&
      (Contains(request, "\"add\"") || Contains(request, "createVolumePermission") ||
       Contains(request, "launchPermission"))) {
    return {"Exfiltration:EC2/TransferDataToCloudAccount", kHigh};
  }
  if (name == "ModifyInstanceAttribute") {
    const json::value parameters = ParseParameters(request);
    if (Member(&parameters, "userData") != nullptr) {
      return {"Persistence:EC2/BootOrLogonInitializationScripts", kHigh};
    }
    if (Boolean(Member(&parameters, "disableApiTermination")) == true) {
      return {"DefenseImpairment:EC2/DisableOrModifyTools", kLow};
    }
  }
  return {};
}

CloudTrailSignal IamSignal(const CloudTrailEvent& event) {
  const std::string& name = event.event_name;
  if (name == "CreateAccessKey") return {"Persistence:IAM/AccountManipulation", kLow};
  if (name == "CreateLoginProfile") return {"Persistence:IAM/AccountManipulation", kHigh};
  if (name == "UpdateLoginProfile") return {"Persistence:IAM/AccountManipulation", kMedium};
  if (name == "UpdateAssumeRolePolicy") return {"Persistence:IAM/AccountManipulation", kMedium};
  if (name == "AttachRolePolicy" || name == "AttachUserPolicy" || name == "AttachGroupPolicy") {
    const json::value parameters = ParseParameters(event.request_parameters);
    if (AttachesManagedPolicy(parameters, "AdministratorAccess")) {
      return {"PrivilegeEscalation:IAM/AccountManipulation", kHigh};
    }
    if (AttachesManagedPolicy(parameters, "AmazonSESFullAccess")) {
      return {"PrivilegeEscalation:IAM/AccountManipulation", kMedium};
    }
  }
  if (name == "CreateServiceSpecificCredential" &&
      Contains(event.request_parameters, "bedrock.amazonaws.com")) {
    return {"PrivilegeEscalation:IAM/AccountManipulation", kMedium};
  }
  return {};
}

CloudTrailSignal RdsSignal(const CloudTrailEvent& event) {
  const std::string& name = event.event_name;
  const json::value parameters = ParseParameters(event.request_parameters);
  const bool creates_or_modifies = name == "CreateDBInstance" || name == "ModifyDBInstance" ||
                                   name == "CreateDBCluster" || name == "ModifyDBCluster";
  if (creates_or_modifies && Boolean(Member(&parameters, "publiclyAccessible")) == true) {
    return {"InitialAccess:RDS/ExploitPublicFacingApplication", kHigh};
  }
  if (name == "ModifyDBInstance" || name == "ModifyDBCluster") {
    if (Member(&parameters, "masterUserPassword") != nullptr) {
      return {"CredentialAccess:RDS/ModifyAuthenticationProcess", kHigh};
    }
    if (Boolean(Member(&parameters, "enableIAMDatabaseAuthentication")) == false) {
      return {"DefenseImpairment:RDS/ModifyAuthenticationProcess", kMedium};
    }
  }
  if ((name == "ModifyDBSnapshotAttribute" || name == "ModifyDBClusterSnapshotAttribute") &&
      Text(Member(&parameters, "attributeName")) == "restore") {
    for (const json::value* value : Items(Member(&parameters, "valuesToAdd"))) {
      if (Text(value) == "all") return {"Exfiltration:RDS/TransferDataToCloudAccount", kHigh};
    }
  }
  return {};
}

CloudTrailSignal LambdaSignal(const CloudTrailEvent& event) {
  // Lambda's event names carry the API version: AddPermission20150331v2, ...
  const std::string& name = event.event_name;
  const json::value parameters = ParseParameters(event.request_parameters);
  if (name.starts_with("AddPermission") && Text(Member(&parameters, "principal")) == "*") {
    return {"Persistence:Lambda/AccountManipulation", kHigh};
  }
  if ((name.starts_with("CreateFunctionUrlConfig") ||
       name.starts_with("UpdateFunctionUrlConfig")) &&
      Text(Member(&parameters, "authType")) == "NONE") {
    return {"Persistence:Lambda/ModifyAuthenticationProcess", kHigh};
  }
  return {};
}

CloudTrailSignal SesSignal(const CloudTrailEvent& event) {
  const std::string& name = event.event_name;
  const json::value parameters = ParseParameters(event.request_parameters);
  if (name == "UpdateAccountSendingEnabled" && Boolean(Member(&parameters, "enabled")) == true) {
    return {"Impact:SES/ResourceHijacking", kLow};
  }
  if (name == "PutAccountDetails" &&
      Boolean(Member(&parameters, "productionAccessEnabled")) == true) {
    return {"Impact:SES/ResourceHijacking", kMedium};
  }
  const bool domain_identity =
      name == "VerifyDomainIdentity" ||
      (name == "CreateEmailIdentity" && !Contains(Text(Member(&parameters, "emailIdentity")), "@"));
  if (domain_identity) return {"ResourceDevelopment:SES/CompromiseAccounts", kMedium};
  return {};
}

CloudTrailSignal S3Signal(const CloudTrailEvent& event) {
  const std::string& name = event.event_name;
  if (name == "PutBucketPolicy" &&
      GrantsAccessOutsideTheAccount(ParseParameters(event.request_parameters),
                                    event.recipient_account_id)) {
    return {"Exfiltration:S3/TransferDataToCloudAccount", kHigh};
  }
  if (name == "PutBucketLifecycle" &&
      ExpiresObjectsRapidly(ParseParameters(event.request_parameters))) {
    return {"Impact:S3/DataDestruction", kMedium};
  }
  // Inferred: encryption with customer-provided keys (SSE-C) allowed again, i.e. the
  // bucket's BlockedEncryptionTypes set to NONE.
  if (name == "PutBucketEncryption" &&
      Contains(event.request_parameters, "BlockedEncryptionTypes") &&
      Contains(event.request_parameters, "\"NONE\"")) {
    return {"DefenseImpairment:S3/DisableOrModifyTools", kHigh};
  }
  return {};
}

}  // namespace

CloudTrailSignal SignalOf(const CloudTrailEvent& event) {
  const std::string& name = event.event_name;
  const std::string& source = event.event_source;

  if (source == "cloudtrail.amazonaws.com" && event.error_code.empty() &&
      (name == "StopLogging" || name == "DeleteTrail")) {
    return {"Stealth:IAMUser/CloudTrailLoggingDisabled"};
  }
  if (source == "iam.amazonaws.com" &&
      (name == "DeleteAccountPasswordPolicy" || name == "UpdateAccountPasswordPolicy")) {
    return {"Stealth:IAMUser/PasswordPolicyChange"};  // attempts too, as GuardDuty
  }
  if (!event.error_code.empty()) return {};  // the other signals are successful calls
  if (source == "ec2.amazonaws.com") return Ec2Signal(event);
  if (source == "iam.amazonaws.com") return IamSignal(event);
  if (source == "rds.amazonaws.com") return RdsSignal(event);
  if (source == "lambda.amazonaws.com") return LambdaSignal(event);
  if (source == "ses.amazonaws.com") return SesSignal(event);
  if (source == "s3.amazonaws.com") return S3Signal(event);
  if (source == "ec2-instance-connect.amazonaws.com" && name == "SendSSHPublicKey") {
    return {"LateralMovement:EC2/RemoteServices", kMedium};
  }
  if (source == "route53resolver.amazonaws.com" && name == "DeleteResolverQueryLogConfig") {
    return {"DefenseImpairment:Route53Resolver/DisableOrModifyTools", kMedium};
  }
  if (source == "organizations.amazonaws.com") {
    if (name == "LeaveOrganization") {
      return {"DefenseImpairment:Organizations/ModifyCloudResourceHierarchy", kHigh};
    }
    if (name == "DisablePolicyType") {
      return {"DefenseImpairment:Organizations/DisableOrModifyTools", kHigh};
    }
  }
  if (source == "sagemaker.amazonaws.com" && name == "UpdateNotebookInstanceLifecycleConfig") {
    return {"Execution:SageMaker/CommandAndScriptingInterpreter", kMedium};
  }
  if (source == "rolesanywhere.amazonaws.com" && name == "CreateTrustAnchor") {
    return {"Persistence:RolesAnywhere/AccountManipulation", kMedium};
  }
  // GuardDuty has no finding type for its own detector being switched off; Vigil reports
  // it with the logging-disabled type (action.api names the call).
  if (source == "guardduty.amazonaws.com") {
    const json::value parameters = ParseParameters(event.request_parameters);
    if (name == "DeleteDetector" ||
        (name == "UpdateDetector" && Boolean(Member(&parameters, "enable")) == false)) {
      return {"Stealth:IAMUser/CloudTrailLoggingDisabled"};
    }
  }
  if (source == "signin.amazonaws.com" && name == "ConsoleLogin" &&
      event.console_login_result == "Success" && event.mfa_used == "No") {
    return {"InitialAccess:IAM/ValidAccounts", kMedium};
  }
  return {};
}

}  // namespace vigil
