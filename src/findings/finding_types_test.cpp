#include "findings/finding_types.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace vigil {
namespace {

TEST(FindingTypeCatalogueTest, EveryRowIsComplete) {
  const std::set<std::string_view> resource_types = {"Instance", "AccessKey", "S3Bucket"};
  const std::set<std::string_view> action_types = {"NETWORK_CONNECTION", "PORT_PROBE",
                                                   "DNS_REQUEST", "AWS_API_CALL"};
  const std::set<std::string_view> feature_names = {"FlowLogs", "CloudTrail", "DnsLogs",
                                                    "S3DataEvents"};
  const std::set<std::string_view> resource_roles = {"TARGET", "ACTOR"};
  ASSERT_FALSE(FindingTypes().empty());
  for (const FindingTypeInfo& info : FindingTypes()) {
    SCOPED_TRACE(std::string(info.type));
    EXPECT_FALSE(info.type.empty());
    // GuardDuty's format: ThreatPurpose:ResourceTypeAffected/ThreatFamilyName.
    EXPECT_NE(info.type.find(':'), std::string_view::npos);
    EXPECT_NE(info.type.find('/'), std::string_view::npos);
    EXPECT_GE(info.severity, 1.0);
    EXPECT_LE(info.severity, 8.9);
    EXPECT_TRUE(resource_types.contains(info.resource_type)) << info.resource_type;
    EXPECT_TRUE(action_types.contains(info.action_type)) << info.action_type;
    EXPECT_TRUE(feature_names.contains(info.feature_name)) << info.feature_name;
    EXPECT_TRUE(resource_roles.contains(info.resource_role)) << info.resource_role;
    EXPECT_FALSE(info.title.empty());
    EXPECT_FALSE(info.description.empty());
  }
}

TEST(FindingTypeCatalogueTest, SourcesAgreeWithResourcesAndActions) {
  for (const FindingTypeInfo& info : FindingTypes()) {
    SCOPED_TRACE(std::string(info.type));
    if (info.feature_name == "FlowLogs") {
      EXPECT_EQ(info.resource_type, "Instance");
      EXPECT_TRUE(info.action_type == "NETWORK_CONNECTION" || info.action_type == "PORT_PROBE");
    } else if (info.feature_name == "DnsLogs") {
      EXPECT_EQ(info.resource_type, "Instance");
      EXPECT_EQ(info.action_type, "DNS_REQUEST");
    } else if (info.feature_name == "S3DataEvents") {
      EXPECT_EQ(info.resource_type, "S3Bucket");
      EXPECT_EQ(info.action_type, "AWS_API_CALL");
    } else {
      EXPECT_EQ(info.action_type, "AWS_API_CALL");
    }
    if (info.type.find("IAMUser/") != std::string_view::npos) {
      EXPECT_EQ(info.resource_type, "AccessKey");
    }
    if (info.type.find(":S3/") != std::string_view::npos) {
      EXPECT_EQ(info.resource_type, "S3Bucket");
    }
    if (info.type.starts_with("Recon:EC2/PortProbe")) {
      EXPECT_EQ(info.action_type, "PORT_PROBE");
    }
  }
}

TEST(FindingTypeCatalogueTest, TypeStringsAreUnique) {
  std::set<std::string_view> seen;
  for (const FindingTypeInfo& info : FindingTypes()) {
    EXPECT_TRUE(seen.insert(info.type).second) << "duplicate " << info.type;
  }
}

TEST(FindingTypeCatalogueTest, ContainsEveryDocumentedType) {
  // guardduty-detection.md section 3, rows 1-29, expanded.
  const std::string_view documented[] = {
      "UnauthorizedAccess:EC2/MaliciousIPCaller.Custom",
      "Recon:IAMUser/MaliciousIPCaller.Custom",
      "UnauthorizedAccess:IAMUser/MaliciousIPCaller.Custom",
      "Discovery:S3/MaliciousIPCaller.Custom",
      "UnauthorizedAccess:S3/MaliciousIPCaller.Custom",
      "Impact:EC2/MaliciousDomainRequest.Custom",
      "UnauthorizedAccess:EC2/SSHBruteForce",
      "UnauthorizedAccess:EC2/RDPBruteForce",
      "Impact:EC2/WinRMBruteForce",
      "Recon:EC2/PortProbeUnprotectedPort",
      "Recon:EC2/PortProbeEMRUnprotectedPort",
      "Recon:EC2/Portscan",
      "Impact:EC2/PortSweep",
      "Backdoor:EC2/DenialOfService.Tcp",
      "Backdoor:EC2/DenialOfService.Udp",
      "Backdoor:EC2/DenialOfService.UdpOnTcpPorts",
      "Backdoor:EC2/DenialOfService.Dns",
      "Backdoor:EC2/DenialOfService.UnusualProtocol",
      "Backdoor:EC2/Spambot",
      "Behavior:EC2/NetworkPortUnusual",
      "UnauthorizedAccess:EC2/TorClient",
      "UnauthorizedAccess:EC2/TorRelay",
      "UnauthorizedAccess:EC2/MetadataDNSRebind",
      "Trojan:EC2/DNSDataExfiltration",
      "CryptoCurrency:EC2/BitcoinTool.B!DNS",
      "Trojan:EC2/DGADomainRequest.C!DNS",
      "Stealth:IAMUser/CloudTrailLoggingDisabled",
      "Stealth:IAMUser/PasswordPolicyChange",
      "Policy:IAMUser/RootCredentialUsage",
      "Policy:IAMUser/ShortTermRootCredentialUsage",
      "PenTest:IAMUser/KaliLinux",
      "PenTest:IAMUser/ParrotLinux",
      "PenTest:IAMUser/PentooLinux",
      "UnauthorizedAccess:IAMUser/ConsoleLoginSuccess.B",
      "UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS",
      "Recon:IAMUser/TorIPCaller",
      "UnauthorizedAccess:IAMUser/TorIPCaller",
  };
  for (std::string_view type : documented) {
    EXPECT_NE(FindFindingType(type), nullptr) << type;
  }
  // ...and the Custom Detection Rules table (one row per type).
  const std::string_view custom_rules[] = {
      "CredentialAccess:EC2/UnsecuredCredentials",
      "CredentialAccess:RDS/ModifyAuthenticationProcess",
      "DefenseImpairment:EC2/DisableOrModifyTools",
      "DefenseImpairment:Route53Resolver/DisableOrModifyTools",
      "DefenseImpairment:Organizations/ModifyCloudResourceHierarchy",
      "DefenseImpairment:Organizations/DisableOrModifyTools",
      "DefenseImpairment:RDS/ModifyAuthenticationProcess",
      "DefenseImpairment:S3/DisableOrModifyTools",
      "Execution:SageMaker/CommandAndScriptingInterpreter",
      "Exfiltration:EC2/TransferDataToCloudAccount",
      "Exfiltration:RDS/TransferDataToCloudAccount",
      "Exfiltration:S3/TransferDataToCloudAccount",
      "Impact:S3/DataDestruction",
      "Impact:SES/ResourceHijacking",
      "InitialAccess:IAM/ValidAccounts",
      "InitialAccess:RDS/ExploitPublicFacingApplication",
      "LateralMovement:EC2/RemoteServices",
      "Persistence:EC2/BootOrLogonInitializationScripts",
      "Persistence:EC2/ExternalRemoteServices",
      "Persistence:IAM/AccountManipulation",
      "Persistence:Lambda/AccountManipulation",
      "Persistence:Lambda/ModifyAuthenticationProcess",
      "Persistence:RolesAnywhere/AccountManipulation",
      "PrivilegeEscalation:IAM/AccountManipulation",
      "ResourceDevelopment:SES/CompromiseAccounts",
  };
  for (std::string_view type : custom_rules) {
    const FindingTypeInfo* info = FindFindingType(type);
    ASSERT_NE(info, nullptr) << type;
    EXPECT_EQ(info->feature_name, "CloudTrail") << type;
    EXPECT_EQ(info->action_type, "AWS_API_CALL") << type;
  }
  EXPECT_EQ(FindingTypes().size(), std::size(documented) + std::size(custom_rules));
}

TEST(FindingTypeCatalogueTest, DefaultsFollowTheReference) {
  const FindingTypeInfo* ssh = FindFindingType("UnauthorizedAccess:EC2/SSHBruteForce");
  ASSERT_NE(ssh, nullptr);
  EXPECT_EQ(ssh->severity, 2);
  EXPECT_EQ(ssh->resource_type, "Instance");
  EXPECT_EQ(ssh->action_type, "NETWORK_CONNECTION");
  EXPECT_EQ(ssh->feature_name, "FlowLogs");
  EXPECT_EQ(ssh->resource_role, "TARGET");
  EXPECT_EQ(ssh->title, "{remoteIp} is performing SSH brute force attacks against {instanceId}.");

  const FindingTypeInfo* probe = FindFindingType("Recon:EC2/PortProbeUnprotectedPort");
  ASSERT_NE(probe, nullptr);
  EXPECT_EQ(probe->action_type, "PORT_PROBE");
  EXPECT_EQ(probe->severity, 2);

  const FindingTypeInfo* dns = FindFindingType("Trojan:EC2/DNSDataExfiltration");
  ASSERT_NE(dns, nullptr);
  EXPECT_EQ(dns->action_type, "DNS_REQUEST");
  EXPECT_EQ(dns->feature_name, "DnsLogs");
  EXPECT_EQ(dns->severity, 8);

  const FindingTypeInfo* s3 = FindFindingType("Discovery:S3/MaliciousIPCaller.Custom");
  ASSERT_NE(s3, nullptr);
  EXPECT_EQ(s3->resource_type, "S3Bucket");
  EXPECT_EQ(s3->feature_name, "S3DataEvents");
  EXPECT_EQ(s3->severity, 8);

  const FindingTypeInfo* kali = FindFindingType("PenTest:IAMUser/KaliLinux");
  ASSERT_NE(kali, nullptr);
  EXPECT_EQ(kali->resource_type, "AccessKey");
  EXPECT_EQ(kali->action_type, "AWS_API_CALL");
  EXPECT_EQ(kali->feature_name, "CloudTrail");
  EXPECT_EQ(kali->severity, 5);

  // A custom rule type takes the highest severity among its signals (LOW and HIGH here).
  const FindingTypeInfo* tools = FindFindingType("DefenseImpairment:EC2/DisableOrModifyTools");
  ASSERT_NE(tools, nullptr);
  EXPECT_EQ(tools->severity, 8);
  const FindingTypeInfo* ses = FindFindingType("Impact:SES/ResourceHijacking");
  ASSERT_NE(ses, nullptr);
  EXPECT_EQ(ses->severity, 5);
}

TEST(FindFindingTypeTest, IsAnExactLookup) {
  const FindingTypeInfo* found = FindFindingType("Recon:EC2/Portscan");
  ASSERT_NE(found, nullptr);
  EXPECT_EQ(found->type, "Recon:EC2/Portscan");
  EXPECT_EQ(FindFindingType(""), nullptr);
  EXPECT_EQ(FindFindingType("recon:ec2/portscan"), nullptr);
  EXPECT_EQ(FindFindingType("Recon:EC2/Portscan "), nullptr);
  EXPECT_EQ(FindFindingType("Recon:EC2/Port"), nullptr);
  EXPECT_EQ(FindFindingType("UnauthorizedAccess:EC2/MaliciousIPCaller"), nullptr);
  EXPECT_EQ(FindFindingType("Backdoor:EC2/C&CActivity.B!DNS"), nullptr);
}

TEST(FindFindingTypeTest, FindsEveryCatalogueRowAtItsOwnAddress) {
  for (const FindingTypeInfo& info : FindingTypes()) {
    EXPECT_EQ(FindFindingType(info.type), &info) << info.type;
  }
}

TEST(FindingTypeTemplateTest, ReplacesKnownPlaceholders) {
  EXPECT_EQ(RenderTemplate("{remoteIp} is performing SSH brute force attacks against {instanceId}.",
                           {{"remoteIp", "198.51.100.0"}, {"instanceId", "i-99999999"}}),
            "198.51.100.0 is performing SSH brute force attacks against i-99999999.");
  EXPECT_EQ(RenderTemplate("{a}{a}{b}", {{"a", "x"}, {"b", "yz"}}), "xxyz");
}

TEST(FindingTypeTemplateTest, LeavesUnknownPlaceholdersAsWritten) {
  EXPECT_EQ(RenderTemplate("port {port} on {instanceId}", {{"port", "22"}}),
            "port 22 on {instanceId}");
  EXPECT_EQ(RenderTemplate("{}", {}), "{}");
}

TEST(FindingTypeTemplateTest, HandlesTextWithoutOrWithBrokenPlaceholders) {
  EXPECT_EQ(RenderTemplate("", {{"a", "x"}}), "");
  EXPECT_EQ(RenderTemplate("no placeholders", {{"a", "x"}}), "no placeholders");
  EXPECT_EQ(RenderTemplate("open {a and never closed", {{"a", "x"}}), "open {a and never closed");
  EXPECT_EQ(RenderTemplate("closing } alone", {{"a", "x"}}), "closing } alone");
  EXPECT_EQ(RenderTemplate("{{a}}", {{"a", "x"}}), "{x}");
}

TEST(FindingTypeTemplateTest, DoesNotRenderValuesTwice) {
  EXPECT_EQ(RenderTemplate("{a} {b}", {{"a", "{b}"}, {"b", "x"}}), "{b} x");
}

TEST(FindingTypeTemplateTest, EveryCatalogueTemplateUsesOnlyDocumentedPlaceholders) {
  const std::map<std::string, std::string> all{
      {"remoteIp", ""},   {"instanceId", ""}, {"accessKeyId", ""},
      {"userName", ""},   {"api", ""},        {"serviceName", ""},
      {"domain", ""},     {"port", ""},       {"threatListName", ""},
      {"bucketName", ""},
  };
  for (const FindingTypeInfo& info : FindingTypes()) {
    EXPECT_EQ(RenderTemplate(info.title, all).find('{'), std::string::npos) << info.type;
    EXPECT_EQ(RenderTemplate(info.description, all).find('{'), std::string::npos) << info.type;
  }
}

TEST(FindingTypeTemplateTest, PlaceholdersFitTheRowsResourceAndAction) {
  // A placeholder is only meaningful when the finding carries the value it names.
  for (const FindingTypeInfo& info : FindingTypes()) {
    SCOPED_TRACE(std::string(info.type));
    const std::string text = std::string(info.title) + " " + std::string(info.description);
    const auto uses = [&](std::string_view placeholder) {
      return text.find(placeholder) != std::string::npos;
    };
    if (uses("{instanceId}")) {
      EXPECT_EQ(info.resource_type, "Instance");
    }
    if (uses("{bucketName}")) {
      EXPECT_EQ(info.resource_type, "S3Bucket");
    }
    if (uses("{domain}")) {
      EXPECT_EQ(info.action_type, "DNS_REQUEST");
    }
    if (uses("{remoteIp}")) {
      EXPECT_NE(info.action_type, "DNS_REQUEST");
    }
    if (uses("{port}")) {
      EXPECT_TRUE(info.action_type == "NETWORK_CONNECTION" || info.action_type == "PORT_PROBE");
    }
    for (std::string_view api_placeholder :
         {"{api}", "{serviceName}", "{userName}", "{accessKeyId}"}) {
      if (uses(api_placeholder)) {
        EXPECT_EQ(info.action_type, "AWS_API_CALL") << api_placeholder;
      }
    }
    if (uses("{threatListName}")) {
      EXPECT_TRUE(info.type.ends_with(".Custom"));
    }
  }
}

}  // namespace
}  // namespace vigil
