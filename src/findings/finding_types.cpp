// The finding-type catalogue. Rows follow guardduty-detection.md section 3: first the
// types reproducible from flow logs, DNS logs and CloudTrail (table rows 1-29, in table
// order), then GuardDuty's "Custom Detection Rules" types (one row per type, carrying the
// highest severity among its signals). Severities use the values AWS's samples show:
// Low 2, Medium 5, High 8; types whose severity depends on the resource's role default
// to the TARGET value.
#include "findings/finding_types.h"

#include <unordered_map>

namespace vigil {

namespace {

constexpr double kLow = 2;
constexpr double kMedium = 5;
constexpr double kHigh = 8;

// One helper per data source, so each row states only what varies within the source.

// VPC Flow Logs: an instance connecting, or being connected to / probed.
constexpr FindingTypeInfo FlowLogType(std::string_view type, double severity,
                                      std::string_view action_type, std::string_view resource_role,
                                      std::string_view title, std::string_view description) {
  return FindingTypeInfo{.type = type,
                         .severity = severity,
                         .resource_type = "Instance",
                         .action_type = action_type,
                         .feature_name = "FlowLogs",
                         .resource_role = resource_role,
                         .title = title,
                         .description = description};
}

// Route 53 Resolver query logs: the instance is always the one asking.
constexpr FindingTypeInfo DnsType(std::string_view type, double severity, std::string_view title,
                                  std::string_view description) {
  return FindingTypeInfo{.type = type,
                         .severity = severity,
                         .resource_type = "Instance",
                         .action_type = "DNS_REQUEST",
                         .feature_name = "DnsLogs",
                         .resource_role = "ACTOR",
                         .title = title,
                         .description = description};
}

// CloudTrail management events: the credentials used are the resource under attack.
constexpr FindingTypeInfo CloudTrailType(std::string_view type, double severity,
                                         std::string_view title, std::string_view description) {
  return FindingTypeInfo{.type = type,
                         .severity = severity,
                         .resource_type = "AccessKey",
                         .action_type = "AWS_API_CALL",
                         .feature_name = "CloudTrail",
                         .resource_role = "TARGET",
                         .title = title,
                         .description = description};
}

// CloudTrail S3 data events: the bucket is the resource.
constexpr FindingTypeInfo S3DataEventType(std::string_view type, double severity,
                                          std::string_view title, std::string_view description) {
  return FindingTypeInfo{.type = type,
                         .severity = severity,
                         .resource_type = "S3Bucket",
                         .action_type = "AWS_API_CALL",
                         .feature_name = "S3DataEvents",
                         .resource_role = "TARGET",
                         .title = title,
                         .description = description};
}

// Custom Detection Rules: CloudTrail management events about a resource of the named
// service (Instance for EC2, S3Bucket for S3, the caller's AccessKey otherwise).
constexpr FindingTypeInfo CustomRuleType(std::string_view type, double severity,
                                         std::string_view resource_type, std::string_view title,
                                         std::string_view description) {
  return FindingTypeInfo{.type = type,
                         .severity = severity,
                         .resource_type = resource_type,
                         .action_type = "AWS_API_CALL",
                         .feature_name = "CloudTrail",
                         .resource_role = "TARGET",
                         .title = title,
                         .description = description};
}

constexpr FindingTypeInfo kFindingTypes[] = {
    // 1-6: indicators on the detector's custom threat lists.
    FlowLogType("UnauthorizedAccess:EC2/MaliciousIPCaller.Custom", kMedium, "NETWORK_CONNECTION",
                "ACTOR",
                "EC2 instance {instanceId} is communicating with a disallowed IP address "
                "{remoteIp} on the custom threat list {threatListName}.",
                "EC2 instance {instanceId} is communicating with {remoteIp}, an IP address on "
                "your custom threat list {threatListName}. Traffic with a listed address can "
                "indicate a compromised instance or an attacker's infrastructure."),
    CloudTrailType("Recon:IAMUser/MaliciousIPCaller.Custom", kMedium,
                   "Reconnaissance API {api} was invoked from an IP address {remoteIp} on the "
                   "custom threat list {threatListName}.",
                   "API {api} of {serviceName}, commonly used in reconnaissance, was invoked by "
                   "{userName} from {remoteIp}, an IP address on your custom threat list "
                   "{threatListName}. An attacker with stolen credentials may be mapping your "
                   "environment."),
    CloudTrailType("UnauthorizedAccess:IAMUser/MaliciousIPCaller.Custom", kMedium,
                   "API {api} was invoked from an IP address {remoteIp} on the custom threat "
                   "list {threatListName}.",
                   "API {api} of {serviceName} was invoked by {userName} from {remoteIp}, an IP "
                   "address on your custom threat list {threatListName}. The credentials of "
                   "access key {accessKeyId} may be compromised."),
    S3DataEventType("Discovery:S3/MaliciousIPCaller.Custom", kHigh,
                    "The S3 API {api} was invoked against bucket {bucketName} from an IP address "
                    "{remoteIp} on the custom threat list {threatListName}.",
                    "S3 API {api} was invoked against bucket {bucketName} by {userName} from "
                    "{remoteIp}, an IP address on your custom threat list {threatListName}. "
                    "Listing and reading objects is often how an attacker finds data worth "
                    "stealing."),
    S3DataEventType("UnauthorizedAccess:S3/MaliciousIPCaller.Custom", kHigh,
                    "The S3 API {api} was invoked against bucket {bucketName} from an IP address "
                    "{remoteIp} on the custom threat list {threatListName}.",
                    "S3 API {api} was invoked against bucket {bucketName} by {userName} from "
                    "{remoteIp}, an IP address on your custom threat list {threatListName}. "
                    "Changes made from a listed address may be unauthorized."),
    DnsType("Impact:EC2/MaliciousDomainRequest.Custom", kMedium,
            "EC2 instance {instanceId} queried a domain {domain} on the custom threat list "
            "{threatListName}.",
            "EC2 instance {instanceId} is querying {domain}, a domain on your custom threat list "
            "{threatListName}. The instance may be compromised and contacting an attacker's "
            "infrastructure."),

    // 7-9: brute force against remote-access services.
    FlowLogType("UnauthorizedAccess:EC2/SSHBruteForce", kLow, "NETWORK_CONNECTION", "TARGET",
                "{remoteIp} is performing SSH brute force attacks against {instanceId}.",
                "{remoteIp} is performing SSH brute force attacks against {instanceId}. Brute "
                "force attacks are used to gain unauthorized access to your instance by guessing "
                "the SSH password."),
    FlowLogType("UnauthorizedAccess:EC2/RDPBruteForce", kLow, "NETWORK_CONNECTION", "TARGET",
                "{remoteIp} is performing RDP brute force attacks against {instanceId}.",
                "{remoteIp} is performing RDP brute force attacks against {instanceId}. Brute "
                "force attacks are used to gain unauthorized access to your instance by guessing "
                "the RDP password."),
    FlowLogType("Impact:EC2/WinRMBruteForce", kLow, "NETWORK_CONNECTION", "TARGET",
                "{remoteIp} is performing WinRM brute force attacks against {instanceId}.",
                "{remoteIp} is performing Windows Remote Management brute force attacks against "
                "{instanceId}. Brute force attacks are used to gain unauthorized access to your "
                "instance by guessing the WinRM password."),

    // 10-13: probing and scanning.
    FlowLogType("Recon:EC2/PortProbeUnprotectedPort", kLow, "PORT_PROBE", "TARGET",
                "Unprotected port on EC2 instance {instanceId} is being probed.",
                "EC2 instance {instanceId} has an unprotected port {port} which is being probed by "
                "{remoteIp}. An open port that is probed may be the first step of an attack."),
    FlowLogType("Recon:EC2/PortProbeEMRUnprotectedPort", kHigh, "PORT_PROBE", "TARGET",
                "Unprotected EMR-related port on EC2 instance {instanceId} is being probed.",
                "EC2 instance {instanceId}, part of an EMR cluster, has an unprotected port {port} "
                "which is being probed by {remoteIp}. Exposed EMR services can let an attacker "
                "run code on the cluster."),
    FlowLogType("Recon:EC2/Portscan", kMedium, "NETWORK_CONNECTION", "ACTOR",
                "EC2 instance {instanceId} is performing outbound port scans against remote host "
                "{remoteIp}.",
                "EC2 instance {instanceId} is probing many ports of remote host {remoteIp}. This "
                "can indicate a compromised instance looking for services to attack."),
    FlowLogType("Impact:EC2/PortSweep", kHigh, "NETWORK_CONNECTION", "ACTOR",
                "EC2 instance {instanceId} is performing a port sweep on port {port}.",
                "EC2 instance {instanceId} is probing port {port} on a large number of remote "
                "hosts. This can indicate a compromised instance searching for vulnerable "
                "services."),

    // 14: outbound denial of service, by protocol.
    FlowLogType("Backdoor:EC2/DenialOfService.Tcp", kHigh, "NETWORK_CONNECTION", "ACTOR",
                "EC2 instance {instanceId} is behaving in a manner that may indicate it is being "
                "used to perform a Denial of Service (DoS) attack using the TCP protocol.",
                "EC2 instance {instanceId} is sending an unusually high volume of TCP traffic to "
                "{remoteIp}. The instance may be compromised and used in a DoS attack."),
    FlowLogType("Backdoor:EC2/DenialOfService.Udp", kHigh, "NETWORK_CONNECTION", "ACTOR",
                "EC2 instance {instanceId} is behaving in a manner that may indicate it is being "
                "used to perform a Denial of Service (DoS) attack using the UDP protocol.",
                "EC2 instance {instanceId} is sending an unusually high volume of UDP traffic to "
                "{remoteIp}. The instance may be compromised and used in a DoS attack."),
    FlowLogType("Backdoor:EC2/DenialOfService.UdpOnTcpPorts", kHigh, "NETWORK_CONNECTION", "ACTOR",
                "EC2 instance {instanceId} is behaving in a manner that may indicate it is being "
                "used to perform a Denial of Service (DoS) attack using the UDP protocol on a TCP "
                "port.",
                "EC2 instance {instanceId} is sending an unusually high volume of UDP traffic to "
                "TCP port {port} of {remoteIp}. The instance may be compromised and used in a DoS "
                "attack."),
    FlowLogType("Backdoor:EC2/DenialOfService.Dns", kHigh, "NETWORK_CONNECTION", "ACTOR",
                "EC2 instance {instanceId} is behaving in a manner that may indicate it is being "
                "used to perform a Denial of Service (DoS) attack using the DNS protocol.",
                "EC2 instance {instanceId} is sending an unusually high volume of DNS traffic to "
                "{remoteIp}. The instance may be compromised and used in a DoS attack."),
    FlowLogType("Backdoor:EC2/DenialOfService.UnusualProtocol", kHigh, "NETWORK_CONNECTION",
                "ACTOR",
                "EC2 instance {instanceId} is behaving in a manner that may indicate it is being "
                "used to perform a Denial of Service (DoS) attack using an unusual protocol.",
                "EC2 instance {instanceId} is sending an unusually high volume of traffic of an "
                "uncommon IP protocol to {remoteIp}. The instance may be compromised and used in "
                "a DoS attack."),

    // 15-17: unusual outbound traffic.
    FlowLogType("Backdoor:EC2/Spambot", kMedium, "NETWORK_CONNECTION", "ACTOR",
                "EC2 instance {instanceId} is behaving in a manner indicating it is being used to "
                "send spam.",
                "EC2 instance {instanceId} started communicating with {remoteIp} on port {port} "
                "(SMTP) without any history of doing so. The instance may be compromised and "
                "sending spam."),
    FlowLogType("Behavior:EC2/NetworkPortUnusual", kMedium, "NETWORK_CONNECTION", "ACTOR",
                "EC2 instance {instanceId} is communicating on an unusual server port {port}.",
                "EC2 instance {instanceId} is communicating with {remoteIp} on server port {port}, "
                "which it has not used before. This can indicate a compromised instance talking "
                "to a command and control server."),
    FlowLogType("UnauthorizedAccess:EC2/TorClient", kHigh, "NETWORK_CONNECTION", "ACTOR",
                "EC2 instance {instanceId} is communicating with Tor Entry node {remoteIp}.",
                "EC2 instance {instanceId} is making connections to {remoteIp}, a Tor entry node. "
                "Tor can be used to hide the origin of unauthorized access to your resources."),
    FlowLogType("UnauthorizedAccess:EC2/TorRelay", kHigh, "NETWORK_CONNECTION", "ACTOR",
                "EC2 instance {instanceId} is communicating with Tor network {remoteIp} as a Tor "
                "relay.",
                "EC2 instance {instanceId} is relaying traffic for the Tor network through "
                "{remoteIp}. Running a relay without your knowledge indicates a compromised "
                "instance."),

    // 18-21: suspicious DNS queries.
    DnsType("UnauthorizedAccess:EC2/MetadataDNSRebind", kHigh,
            "EC2 instance {instanceId} is performing DNS lookups that resolve to the instance "
            "metadata service.",
            "EC2 instance {instanceId} queried {domain}, which resolves to the instance metadata "
            "address 169.254.169.254. DNS rebinding can trick an application into handing the "
            "instance's credentials to an attacker."),
    DnsType("Trojan:EC2/DNSDataExfiltration", kHigh,
            "Data exfiltration through DNS queries from EC2 instance {instanceId}.",
            "EC2 instance {instanceId} is sending many long, random-looking DNS queries under "
            "{domain}. Encoding data into DNS queries is a way to move it out of your network "
            "unnoticed."),
    DnsType("CryptoCurrency:EC2/BitcoinTool.B!DNS", kHigh,
            "EC2 instance {instanceId} is querying a domain name associated with Bitcoin-related "
            "activity.",
            "EC2 instance {instanceId} is querying {domain}, a domain associated with "
            "cryptocurrency mining. Unless you mine intentionally, the instance may be "
            "compromised."),
    DnsType("Trojan:EC2/DGADomainRequest.C!DNS", kHigh,
            "EC2 instance {instanceId} is querying algorithmically generated domains.",
            "EC2 instance {instanceId} is querying domains such as {domain} that look generated "
            "by a domain generation algorithm. Malware uses such domains to reach its command "
            "and control servers."),

    // 22-29: suspicious use of AWS credentials.
    CloudTrailType("Stealth:IAMUser/CloudTrailLoggingDisabled", kLow,
                   "AWS CloudTrail trail was disabled by {userName}.",
                   "{userName} invoked {api} to stop or change a CloudTrail trail. Disabling "
                   "logging is a common way for an attacker to hide their activity."),
    CloudTrailType("Stealth:IAMUser/PasswordPolicyChange", kLow,
                   "Account password policy was weakened by {userName}.",
                   "{userName} invoked {api} and weakened the account's password policy. A weaker "
                   "policy makes it easier for an attacker to guess or keep passwords."),
    CloudTrailType("Policy:IAMUser/RootCredentialUsage", kLow,
                   "API {api} was invoked using root credentials.",
                   "API {api} of {serviceName} was invoked with the account's root credentials "
                   "from {remoteIp}. AWS recommends not using root credentials for everyday "
                   "tasks."),
    CloudTrailType("Policy:IAMUser/ShortTermRootCredentialUsage", kLow,
                   "API {api} was invoked using temporary root credentials.",
                   "API {api} of {serviceName} was invoked with temporary root credentials "
                   "{accessKeyId} from {remoteIp}. AWS recommends not using root credentials for "
                   "everyday tasks."),
    CloudTrailType("PenTest:IAMUser/KaliLinux", kMedium,
                   "API {api} was invoked from a Kali Linux computer.",
                   "API {api} of {serviceName} was invoked by {userName} from a Kali Linux "
                   "computer at {remoteIp}. Kali Linux is a penetration testing distribution; "
                   "unless this is an authorized test, the credentials may be in an attacker's "
                   "hands."),
    CloudTrailType("PenTest:IAMUser/ParrotLinux", kMedium,
                   "API {api} was invoked from a Parrot Security Linux computer.",
                   "API {api} of {serviceName} was invoked by {userName} from a Parrot Security "
                   "Linux computer at {remoteIp}. Parrot is a penetration testing distribution; "
                   "unless this is an authorized test, the credentials may be in an attacker's "
                   "hands."),
    CloudTrailType("PenTest:IAMUser/PentooLinux", kMedium,
                   "API {api} was invoked from a Pentoo Linux computer.",
                   "API {api} of {serviceName} was invoked by {userName} from a Pentoo Linux "
                   "computer at {remoteIp}. Pentoo is a penetration testing distribution; unless "
                   "this is an authorized test, the credentials may be in an attacker's hands."),
    CloudTrailType("UnauthorizedAccess:IAMUser/ConsoleLoginSuccess.B", kMedium,
                   "Multiple worldwide successful console logins for {userName}.",
                   "{userName} signed in to the console successfully from places too far apart to "
                   "travel between in the time observed, most recently from {remoteIp}. The "
                   "password may be shared or stolen."),
    CloudTrailType("UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS", kHigh,
                   "Credentials for instance role {userName} used from external IP address "
                   "{remoteIp}.",
                   "Temporary credentials {accessKeyId} created for an EC2 instance role were used "
                   "to invoke {api} from {remoteIp}, an address outside AWS. The instance's "
                   "credentials may have been stolen."),
    CloudTrailType("Recon:IAMUser/TorIPCaller", kMedium,
                   "Reconnaissance API {api} was invoked from a Tor exit node {remoteIp}.",
                   "API {api} of {serviceName}, commonly used in reconnaissance, was invoked by "
                   "{userName} from {remoteIp}, a Tor exit node. Tor hides the caller's true "
                   "location, which can indicate unauthorized access."),
    CloudTrailType("UnauthorizedAccess:IAMUser/TorIPCaller", kMedium,
                   "API {api} was invoked from a Tor exit node {remoteIp}.",
                   "API {api} of {serviceName} was invoked by {userName} from {remoteIp}, a Tor "
                   "exit node. Tor hides the caller's true location, which can indicate "
                   "unauthorized access."),

    // Custom Detection Rules.
    CustomRuleType("CredentialAccess:EC2/UnsecuredCredentials", kMedium, "Instance",
                   "The Windows password data of EC2 instance {instanceId} was retrieved.",
                   "{userName} invoked {api} to retrieve the encrypted administrator password of "
                   "EC2 instance {instanceId}. Anyone holding the key pair can use it to sign in "
                   "to the instance."),
    CustomRuleType("CredentialAccess:RDS/ModifyAuthenticationProcess", kHigh, "AccessKey",
                   "The master password of an RDS database was reset by {userName}.",
                   "{userName} invoked {api} to reset the master user password of an RDS "
                   "database. An attacker can use this to take over the database."),
    CustomRuleType("DefenseImpairment:EC2/DisableOrModifyTools", kHigh, "Instance",
                   "EC2 security monitoring was disabled or modified by {userName}.",
                   "{userName} invoked {api}, which disables or modifies EC2 monitoring such as "
                   "VPC Flow Logs. Attackers impair defenses to hide later activity."),
    CustomRuleType("DefenseImpairment:Route53Resolver/DisableOrModifyTools", kMedium, "AccessKey",
                   "Route 53 Resolver query logging was deleted by {userName}.",
                   "{userName} invoked {api} and deleted a Route 53 Resolver query logging "
                   "configuration. Without DNS logs, malicious domain lookups go unseen."),
    CustomRuleType("DefenseImpairment:Organizations/ModifyCloudResourceHierarchy", kHigh,
                   "AccessKey", "An attempt was made to leave the organization by {userName}.",
                   "{userName} invoked {api} to remove the account from its AWS Organization. "
                   "Leaving the organization removes its guardrails and central monitoring."),
    CustomRuleType("DefenseImpairment:Organizations/DisableOrModifyTools", kHigh, "AccessKey",
                   "An organization policy type was disabled by {userName}.",
                   "{userName} invoked {api} and disabled an AWS Organizations policy type. "
                   "Disabling policies removes guardrails that protect member accounts."),
    CustomRuleType("DefenseImpairment:RDS/ModifyAuthenticationProcess", kMedium, "AccessKey",
                   "IAM database authentication was disabled on an RDS database by {userName}.",
                   "{userName} invoked {api} and disabled IAM authentication on an RDS database. "
                   "The database then relies on passwords alone."),
    CustomRuleType("DefenseImpairment:S3/DisableOrModifyTools", kHigh, "S3Bucket",
                   "Customer-provided encryption keys were enabled on bucket {bucketName}.",
                   "{userName} invoked {api} and allowed customer-provided encryption keys (SSE-C) "
                   "on bucket {bucketName}. Attackers use SSE-C to encrypt data with keys only "
                   "they hold."),
    CustomRuleType("Execution:SageMaker/CommandAndScriptingInterpreter", kMedium, "AccessKey",
                   "A SageMaker lifecycle configuration was modified by {userName}.",
                   "{userName} invoked {api} and changed a SageMaker lifecycle configuration. "
                   "Lifecycle scripts run on notebook instances and can execute an attacker's "
                   "code."),
    CustomRuleType("Exfiltration:EC2/TransferDataToCloudAccount", kHigh, "Instance",
                   "An EC2 image or snapshot was shared with an external account by {userName}.",
                   "{userName} invoked {api} and granted another AWS account access to an AMI or "
                   "EBS snapshot. Sharing images and snapshots is a way to copy data out of your "
                   "account."),
    CustomRuleType("Exfiltration:RDS/TransferDataToCloudAccount", kHigh, "AccessKey",
                   "An RDS snapshot was shared publicly by {userName}.",
                   "{userName} invoked {api} and made an RDS snapshot public. Anyone can restore a "
                   "public snapshot and read its data."),
    CustomRuleType("Exfiltration:S3/TransferDataToCloudAccount", kHigh, "S3Bucket",
                   "Bucket {bucketName} was shared with an external account by {userName}.",
                   "{userName} invoked {api} and changed the policy of bucket {bucketName} to "
                   "grant access to an external AWS account. This is a way to copy data out of "
                   "your account."),
    CustomRuleType("Impact:S3/DataDestruction", kMedium, "S3Bucket",
                   "A lifecycle rule that rapidly expires objects was set on bucket {bucketName}.",
                   "{userName} invoked {api} and set a lifecycle rule on bucket {bucketName} that "
                   "expires objects almost at once. Attackers use expiration to destroy data."),
    CustomRuleType("Impact:SES/ResourceHijacking", kMedium, "AccessKey",
                   "Amazon SES sending was enabled by {userName}.",
                   "{userName} invoked {api} and enabled email sending or production access in "
                   "Amazon SES. Attackers hijack SES accounts to send spam and phishing mail."),
    CustomRuleType("InitialAccess:IAM/ValidAccounts", kMedium, "AccessKey",
                   "{userName} signed in to the console without MFA.",
                   "{userName} signed in to the AWS Management Console from {remoteIp} without "
                   "multi-factor authentication. A stolen password is enough to take over an "
                   "account without MFA."),
    CustomRuleType("InitialAccess:RDS/ExploitPublicFacingApplication", kHigh, "AccessKey",
                   "An RDS database was made publicly accessible by {userName}.",
                   "{userName} invoked {api} and made an RDS database publicly accessible. A "
                   "database reachable from the internet is exposed to attacks."),
    CustomRuleType("LateralMovement:EC2/RemoteServices", kMedium, "Instance",
                   "An SSH public key was pushed to EC2 instance {instanceId} by {userName}.",
                   "{userName} invoked {api} to push an SSH public key to EC2 instance "
                   "{instanceId}. Attackers use EC2 Instance Connect to move to other instances."),
    CustomRuleType("Persistence:EC2/BootOrLogonInitializationScripts", kHigh, "Instance",
                   "The user data of EC2 instance {instanceId} was modified by {userName}.",
                   "{userName} invoked {api} and changed the user data of EC2 instance "
                   "{instanceId}. User data runs at boot and can give an attacker persistent code "
                   "execution."),
    CustomRuleType("Persistence:EC2/ExternalRemoteServices", kMedium, "Instance",
                   "A security group was opened to SSH from the internet by {userName}.",
                   "{userName} invoked {api} and allowed SSH (port 22) from 0.0.0.0/0 in a "
                   "security group. Internet-facing SSH lets an attacker keep access to "
                   "instances."),
    CustomRuleType("Persistence:IAM/AccountManipulation", kHigh, "AccessKey",
                   "IAM credentials or trust were changed by {userName}.",
                   "{userName} invoked {api}, creating or changing access keys, console "
                   "passwords or role trust policies. Attackers add credentials to keep access to "
                   "an account."),
    CustomRuleType("Persistence:Lambda/AccountManipulation", kHigh, "AccessKey",
                   "A Lambda function was made publicly invocable by {userName}.",
                   "{userName} invoked {api} and granted public access to a Lambda function. A "
                   "public function can be invoked by anyone."),
    CustomRuleType("Persistence:Lambda/ModifyAuthenticationProcess", kHigh, "AccessKey",
                   "A Lambda function URL was made public by {userName}.",
                   "{userName} invoked {api} and configured a Lambda function URL without "
                   "authentication. Anyone who knows the URL can run the function."),
    CustomRuleType("Persistence:RolesAnywhere/AccountManipulation", kMedium, "AccessKey",
                   "An IAM Roles Anywhere trust anchor was created by {userName}.",
                   "{userName} invoked {api} and created an IAM Roles Anywhere trust anchor. A "
                   "trust anchor under an attacker's control lets them obtain credentials from "
                   "outside AWS."),
    CustomRuleType("PrivilegeEscalation:IAM/AccountManipulation", kHigh, "AccessKey",
                   "A powerful policy was attached by {userName}.",
                   "{userName} invoked {api} and attached an administrator or full-access policy "
                   "to a role or user, or created service credentials. Attackers escalate "
                   "privileges this way."),
    CustomRuleType("ResourceDevelopment:SES/CompromiseAccounts", kMedium, "AccessKey",
                   "An Amazon SES domain identity was verified by {userName}.",
                   "{userName} invoked {api} and verified a domain identity in Amazon SES. An "
                   "attacker can send mail as that domain from your account."),
};

}  // namespace

std::span<const FindingTypeInfo> FindingTypes() { return kFindingTypes; }

const FindingTypeInfo* FindFindingType(std::string_view type) {
  // Built once, on first use; the detection engine looks types up per finding.
  static const auto* const kByType = [] {
    auto* index = new std::unordered_map<std::string_view, const FindingTypeInfo*>();
    for (const FindingTypeInfo& info : kFindingTypes) index->emplace(info.type, &info);
    return index;
  }();
  const auto found = kByType->find(type);
  return found == kByType->end() ? nullptr : found->second;
}

std::string RenderTemplate(std::string_view text,
                           const std::map<std::string, std::string>& values) {
  std::string rendered;
  rendered.reserve(text.size() + 64);
  size_t position = 0;
  while (position < text.size()) {
    const size_t open = text.find('{', position);
    if (open == std::string_view::npos) break;
    rendered.append(text.substr(position, open - position));
    const size_t close = text.find('}', open + 1);
    if (close == std::string_view::npos) {
      position = open;
      break;
    }
    const std::string_view name = text.substr(open + 1, close - open - 1);
    if (name.find('{') != std::string_view::npos) {
      // "{{name}": the first brace is text; the placeholder starts at the later one.
      rendered.push_back('{');
      position = open + 1;
      continue;
    }
    const auto value = values.find(std::string(name));
    if (value == values.end()) {
      rendered.append(text.substr(open, close - open + 1));
    } else {
      rendered.append(value->second);
    }
    position = close + 1;
  }
  rendered.append(text.substr(position));
  return rendered;
}

}  // namespace vigil
