#include "findings/criteria.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <string>
#include <vector>

namespace vigil {
namespace {

namespace json = boost::json;

// GuardDuty's SSH brute-force sample finding (reference/guardduty-detection.md section 4)
// with two network interfaces, security groups and tags, and a threat list name.
constexpr const char* kFindingJson = R"({
  "schemaVersion": "2.0", "accountId": "111122223333", "region": "us-east-1", "partition": "aws",
  "id": "16afba5c5c43e07c9e3e5e2e544e95df",
  "arn": "arn:aws:guardduty:us-east-1:111122223333:detector/12abc34d567e8fa901bc2d34e56789f0/finding/16afba5c5c43e07c9e3e5e2e544e95df",
  "type": "UnauthorizedAccess:EC2/SSHBruteForce",
  "resource": {
    "resourceType": "Instance",
    "instanceDetails": {
      "instanceId": "i-99999999", "instanceType": "m3.xlarge", "launchTime": "2016-08-02T02:05:06Z",
      "iamInstanceProfile": {"arn": "arn:aws:iam::111122223333:instance-profile/web", "id": "AIPAEXAMPLE"},
      "networkInterfaces": [
        {"ipv6Addresses": [], "networkInterfaceId": "eni-bfcffe88", "privateIpAddress": "10.0.0.1",
         "privateIpAddresses": [{"privateDnsName": "ip-10-0-0-1", "privateIpAddress": "10.0.0.1"}],
         "subnetId": "subnet-11111111", "vpcId": "vpc-11111111",
         "securityGroups": [{"groupName": "web", "groupId": "sg-11111111"},
                            {"groupName": "ssh", "groupId": "sg-22222222"}],
         "publicDnsName": "ec2-198-51-100-1.compute-1.amazonaws.com", "publicIp": "198.51.100.1"},
        {"ipv6Addresses": ["2001:db8::1"], "networkInterfaceId": "eni-22222222",
         "privateIpAddress": "10.1.0.5",
         "privateIpAddresses": [{"privateIpAddress": "10.1.0.5"}, {"privateIpAddress": "10.1.0.6"}],
         "subnetId": "subnet-22222222", "vpcId": "vpc-22222222",
         "securityGroups": [{"groupName": "db", "groupId": "sg-33333333"}]}],
      "tags": [{"key": "Name", "value": "bastion"}, {"key": "env", "value": "prod"}],
      "instanceState": "running", "imageId": "ami-99999999"}
  },
  "service": {
    "serviceName": "guardduty", "detectorId": "12abc34d567e8fa901bc2d34e56789f0",
    "featureName": "FlowLogs",
    "action": {
      "actionType": "NETWORK_CONNECTION",
      "networkConnectionAction": {
        "connectionDirection": "INBOUND",
        "remoteIpDetails": {"ipAddressV4": "198.51.100.0",
                            "organization": {"asn": "64496", "asnOrg": "ExampleOrg"},
                            "country": {"countryName": "Netherlands"},
                            "city": {"cityName": "Amsterdam"}},
        "remotePortDetails": {"port": 32794, "portName": "Unknown"},
        "localPortDetails": {"port": 22, "portName": "SSH"},
        "protocol": "TCP", "blocked": false}},
    "resourceRole": "TARGET",
    "additionalInfo": {"value": "{\"threatListName\":\"CorpBlocklist\"}", "type": "default"},
    "eventFirstSeen": "2018-01-23T21:50:00.000Z", "eventLastSeen": "2018-01-23T21:53:32.815Z",
    "archived": false, "count": 14
  },
  "severity": 8, "confidence": 5,
  "createdAt": "2018-01-23T21:50:00.000Z", "updatedAt": "2018-01-23T21:53:32.815Z"
})";

constexpr int64_t kUpdatedAtMillis = 1516744412815;  // 2018-01-23T21:53:32.815Z

json::object Finding() { return json::parse(kFindingJson).as_object(); }

FindingCriteria ParseOrDie(std::string_view criteria_json) {
  StatusOr<FindingCriteria> criteria =
      FindingCriteria::Parse(json::parse(criteria_json).as_object(), "findingCriteria");
  EXPECT_TRUE(criteria.ok()) << criteria_json << ": " << criteria.status().ToString();
  return criteria.ok() ? std::move(criteria).value() : FindingCriteria();
}

bool Matches(std::string_view criteria_json, const json::object& finding = Finding()) {
  const std::string encoded = FindingProjection::Encode(finding);
  return ParseOrDie(criteria_json).Matches(FindingProjection(encoded));
}

// {"criterion": {attribute: condition}}
std::string One(std::string_view attribute, std::string_view condition) {
  return R"({"criterion": {")" + std::string(attribute) + R"(": )" + std::string(condition) + "}}";
}

Status ParseError(std::string_view criteria_json) {
  StatusOr<FindingCriteria> criteria =
      FindingCriteria::Parse(json::parse(criteria_json).as_object(), "findingCriteria");
  EXPECT_FALSE(criteria.ok()) << criteria_json;
  return criteria.ok() ? Status::Ok() : criteria.status();
}

void ExpectInvalid(std::string_view criteria_json, std::string_view mentioned) {
  SCOPED_TRACE(criteria_json);
  const Status status = ParseError(criteria_json);
  EXPECT_EQ(status.code(), StatusCode::kInvalidInput);
  EXPECT_NE(status.message().find(mentioned), std::string::npos)
      << status.message() << " does not mention " << mentioned;
}

constexpr std::string_view kLocalPort =
    "service.action.networkConnectionAction.localPortDetails.port";
constexpr std::string_view kRemotePort =
    "service.action.networkConnectionAction.remotePortDetails.port";

// ---- Parsing ----

TEST(FindingCriteriaParseTest, AcceptsEveryDocumentedAttribute) {
  // reference/guardduty-api.md 7b, "Documented criterion attributes" and sortable ones.
  const std::vector<std::string_view> documented = {
      "accountId",
      "region",
      "confidence",
      "id",
      "resource.accessKeyDetails.accessKeyId",
      "resource.accessKeyDetails.principalId",
      "resource.accessKeyDetails.userName",
      "resource.accessKeyDetails.userType",
      "resource.instanceDetails.iamInstanceProfile.id",
      "resource.instanceDetails.imageId",
      "resource.instanceDetails.instanceId",
      "resource.instanceDetails.outpostArn",
      "resource.instanceDetails.networkInterfaces.ipv6Addresses",
      "resource.instanceDetails.networkInterfaces.privateIpAddresses.privateIpAddress",
      "resource.instanceDetails.networkInterfaces.publicDnsName",
      "resource.instanceDetails.networkInterfaces.publicIp",
      "resource.instanceDetails.networkInterfaces.securityGroups.groupId",
      "resource.instanceDetails.networkInterfaces.securityGroups.groupName",
      "resource.instanceDetails.networkInterfaces.subnetId",
      "resource.instanceDetails.networkInterfaces.vpcId",
      "resource.instanceDetails.tags.key",
      "resource.instanceDetails.tags.value",
      "resource.resourceType",
      "service.action.actionType",
      "service.action.awsApiCallAction.api",
      "service.action.awsApiCallAction.callerType",
      "service.action.awsApiCallAction.errorCode",
      "service.action.awsApiCallAction.userAgent",
      "service.action.awsApiCallAction.serviceName",
      "service.action.awsApiCallAction.remoteIpDetails.city.cityName",
      "service.action.awsApiCallAction.remoteIpDetails.country.countryName",
      "service.action.awsApiCallAction.remoteIpDetails.ipAddressV4",
      "service.action.awsApiCallAction.remoteIpDetails.organization.asn",
      "service.action.awsApiCallAction.remoteIpDetails.organization.asnOrg",
      "service.action.dnsRequestAction.domain",
      "service.action.networkConnectionAction.blocked",
      "service.action.networkConnectionAction.connectionDirection",
      "service.action.networkConnectionAction.localPortDetails.port",
      "service.action.networkConnectionAction.protocol",
      "service.action.networkConnectionAction.localIpDetails.ipAddressV4",
      "service.action.networkConnectionAction.remoteIpDetails.city.cityName",
      "service.action.networkConnectionAction.remoteIpDetails.country.countryName",
      "service.action.networkConnectionAction.remoteIpDetails.ipAddressV4",
      "service.action.networkConnectionAction.remoteIpDetails.organization.asn",
      "service.action.networkConnectionAction.remoteIpDetails.organization.asnOrg",
      "service.action.networkConnectionAction.remotePortDetails.port",
      "service.additionalInfo.threatListName",
      "resource.s3BucketDetails.publicAccess.effectivePermissions",
      "resource.s3BucketDetails.name",
      "resource.s3BucketDetails.tags.key",
      "resource.s3BucketDetails.tags.value",
      "resource.s3BucketDetails.type",
      "service.archived",
      "service.resourceRole",
      "severity",
      "type",
      "updatedAt",
      // Sortable.
      "service.eventFirstSeen",
      "service.eventLastSeen",
      "createdAt",
      "service.count",
  };
  for (std::string_view attribute : documented) {
    SCOPED_TRACE(attribute);
    const CriterionAttribute* found = FindCriterionAttribute(attribute);
    ASSERT_NE(found, nullptr);
    // A value every kind accepts in a comparison.
    const FindingCriteria criteria = ParseOrDie(One(attribute, R"({"gte": 0})"));
    ASSERT_EQ(criteria.conditions().size(), 1u);
    EXPECT_EQ(criteria.conditions()[0].attribute, found);
  }
}

TEST(FindingCriteriaParseTest, AcceptsEveryCatalogueAttribute) {
  for (const CriterionAttribute& attribute : CriterionAttributes()) {
    SCOPED_TRACE(attribute.path);
    EXPECT_FALSE(ParseOrDie(One(attribute.path, R"({"neq": []})")).empty());
  }
}

TEST(FindingCriteriaParseTest, AbsentOrEmptyCriterionMatchesEverything) {
  for (const char* text : {"{}", R"({"criterion": {}})", R"({"criterion": null})"}) {
    SCOPED_TRACE(text);
    const FindingCriteria criteria = ParseOrDie(text);
    EXPECT_TRUE(criteria.empty());
    EXPECT_TRUE(Matches(text));
  }
}

TEST(FindingCriteriaParseTest, MergesBothSpellingsOfAnOperator) {
  const FindingCriteria criteria = ParseOrDie(R"({"criterion": {"type": {
      "eq": ["Recon:EC2/Portscan", "A"], "equals": ["A", "UnauthorizedAccess:EC2/SSHBruteForce"],
      "neq": ["B"], "notEquals": ["C"]}}})");
  ASSERT_EQ(criteria.conditions().size(), 1u);
  const Condition& condition = criteria.conditions()[0];
  EXPECT_EQ(condition.equals, (std::vector<std::string>{"Recon:EC2/Portscan", "A",
                                                        "UnauthorizedAccess:EC2/SSHBruteForce"}));
  EXPECT_EQ(condition.not_equals, (std::vector<std::string>{"B", "C"}));

  // Two spellings of one bound: both must hold, so the stricter one is kept.
  const FindingCriteria severity = ParseOrDie(R"({"criterion": {"severity": {
      "gt": 2, "greaterThan": 4, "gte": 3, "greaterThanOrEqual": 1,
      "lt": 9, "lessThan": 8, "lte": 7, "lessThanOrEqual": 10}}})");
  const Condition& bounds = severity.conditions()[0];
  EXPECT_EQ(bounds.greater_than, 4);
  EXPECT_EQ(bounds.greater_than_or_equal, 3);
  EXPECT_EQ(bounds.less_than, 8);
  EXPECT_EQ(bounds.less_than_or_equal, 7);
}

TEST(FindingCriteriaParseTest, NormalizesBooleanAndTimestampValues) {
  EXPECT_EQ(
      ParseOrDie(One("service.archived", R"({"eq": ["FALSE", "True"]})")).conditions()[0].equals,
      (std::vector<std::string>{"false", "true"}));
  EXPECT_EQ(ParseOrDie(One("updatedAt", R"({"equals": ["2018-01-23T21:53:32.815Z"]})"))
                .conditions()[0]
                .equals,
            std::vector<std::string>{"1516744412815"});
  EXPECT_EQ(ParseOrDie(One("updatedAt", R"({"notEquals": ["1516744412815"]})"))
                .conditions()[0]
                .not_equals,
            std::vector<std::string>{"1516744412815"});
}

// ---- Errors: each names the parameter and the attribute ----

TEST(FindingCriteriaParseTest, RejectsUnknownAttributes) {
  const Status status = ParseError(One("resource.instanceDetails.colour", R"({"eq": ["red"]})"));
  EXPECT_EQ(status.code(), StatusCode::kInvalidInput);
  EXPECT_EQ(status.message(),
            "The request is rejected because the parameter "
            "findingCriteria.criterion.resource.instanceDetails.colour has an invalid value: "
            "unknown attribute 'resource.instanceDetails.colour'.");
  ExpectInvalid(One("Severity", R"({"eq": ["8"]})"), "unknown attribute 'Severity'");
  // The model's spelling is not the documented criterion name.
  ExpectInvalid(
      One("resource.s3BucketDetails.publicAccess.effectivePermission", R"({"eq": ["PUBLIC"]})"),
      "findingCriteria.criterion.resource.s3BucketDetails.publicAccess");
}

TEST(FindingCriteriaParseTest, RejectsUnknownOperators) {
  ExpectInvalid(One("severity", R"({"between": [1, 2]})"), "findingCriteria.criterion.severity");
  ExpectInvalid(One("severity", R"({"Eq": ["8"]})"), "unknown condition operator 'Eq'");
}

TEST(FindingCriteriaParseTest, RejectsListOperatorsWithoutAListOfStrings) {
  for (const char* condition :
       {R"({"eq": "UnauthorizedAccess:EC2/SSHBruteForce"})", R"({"equals": [1, 2]})",
        R"({"neq": [null]})", R"({"notEquals": {"a": "b"}})", R"({"eq": [["x"]]})"}) {
    ExpectInvalid(One("type", condition), "findingCriteria.criterion.type");
  }
}

TEST(FindingCriteriaParseTest, RejectsComparisonsThatAreNotIntegers) {
  for (const char* condition :
       {R"({"gte": "4"})", R"({"gt": 4.5})", R"({"lt": [4]})", R"({"lte": true})",
        R"({"greaterThan": null})", R"({"lessThanOrEqual": 18446744073709551615})"}) {
    ExpectInvalid(One("severity", condition), "findingCriteria.criterion.severity");
  }
}

TEST(FindingCriteriaParseTest, RejectsValuesOfTheWrongKind) {
  ExpectInvalid(One("service.archived", R"({"eq": ["yes"]})"),
                "findingCriteria.criterion.service.archived");
  ExpectInvalid(One(kLocalPort, R"({"eq": ["ssh"]})"), std::string(kLocalPort));
  ExpectInvalid(One("severity", R"({"eq": [""]})"), "findingCriteria.criterion.severity");
  ExpectInvalid(One("severity", R"({"eq": ["inf"]})"), "findingCriteria.criterion.severity");
  ExpectInvalid(One("updatedAt", R"({"equals": ["last tuesday"]})"),
                "findingCriteria.criterion.updatedAt");
}

TEST(FindingCriteriaParseTest, RejectsMoreThanFiftyValues) {
  std::string values;
  for (int i = 0; i < 51; ++i) values += (i ? ",\"" : "\"") + std::to_string(i) + "\"";
  ExpectInvalid(One("resource.instanceDetails.instanceId", "{\"eq\": [" + values + "]}"),
                "findingCriteria.criterion.resource.instanceDetails.instanceId");
  values.erase(values.rfind(','));
  EXPECT_EQ(ParseOrDie(One("resource.instanceDetails.instanceId", "{\"eq\": [" + values + "]}"))
                .conditions()[0]
                .equals.size(),
            50u);
}

TEST(FindingCriteriaParseTest, RejectsMoreThanFiftyAttributes) {
  std::string members;
  int count = 0;
  for (const CriterionAttribute& attribute : CriterionAttributes()) {
    if (count == 51) break;
    members += (count++ ? ",\"" : "\"") + std::string(attribute.path) + "\": {\"neq\": []}";
  }
  ExpectInvalid("{\"criterion\": {" + members + "}}", "findingCriteria.criterion");
  members.erase(members.rfind(",\""));
  EXPECT_EQ(ParseOrDie("{\"criterion\": {" + members + "}}").conditions().size(), 50u);
}

TEST(FindingCriteriaParseTest, RejectsMalformedCriterionAndConditions) {
  ExpectInvalid(R"({"criterion": [1]})", "findingCriteria.criterion");
  ExpectInvalid(R"({"criterion": "severity"})", "findingCriteria.criterion");
  ExpectInvalid(One("severity", "4"), "findingCriteria.criterion.severity");
  ExpectInvalid(One("severity", R"(["gte", 4])"), "findingCriteria.criterion.severity");
  ExpectInvalid(One("severity", "{}"), "findingCriteria.criterion.severity");
  ExpectInvalid(R"({"criteria": {}})", "findingCriteria");
  ExpectInvalid(R"({"criterion": {}, "sortCriteria": {}})", "unknown member 'sortCriteria'");
}

TEST(FindingCriteriaParseTest, ErrorsNameTheGivenParameter) {
  const StatusOr<FindingCriteria> criteria = FindingCriteria::Parse(
      json::parse(One("nope", R"({"eq": ["x"]})")).as_object(), "filter.findingCriteria");
  ASSERT_FALSE(criteria.ok());
  EXPECT_NE(criteria.status().message().find("filter.findingCriteria.criterion.nope"),
            std::string::npos);
}

// ---- Matching: operators ----

TEST(FindingCriteriaMatchTest, EqualsInBothSpellings) {
  for (const char* op : {"eq", "equals"}) {
    SCOPED_TRACE(op);
    const std::string matching =
        std::string(R"({")") + op + R"(": ["UnauthorizedAccess:EC2/SSHBruteForce"]})";
    const std::string other = std::string(R"({")") + op + R"(": ["Recon:EC2/Portscan"]})";
    EXPECT_TRUE(Matches(One("type", matching)));
    EXPECT_FALSE(Matches(One("type", other)));
  }
}

TEST(FindingCriteriaMatchTest, NotEqualsInBothSpellings) {
  for (const char* op : {"neq", "notEquals"}) {
    SCOPED_TRACE(op);
    EXPECT_FALSE(Matches(One("resource.instanceDetails.instanceId",
                             std::string(R"({")") + op + R"(": ["i-99999999"]})")));
    EXPECT_TRUE(Matches(One("resource.instanceDetails.instanceId",
                            std::string(R"({")") + op + R"(": ["i-11111111", "i-2"]})")));
  }
}

TEST(FindingCriteriaMatchTest, ComparisonsInBothSpellingsAtTheirBoundaries) {
  struct Case {
    const char* condition;
    bool matches_severity_8;
  };
  for (const Case& c : std::vector<Case>{
           {R"({"gt": 7})", true},
           {R"({"gt": 8})", false},
           {R"({"greaterThan": 7})", true},
           {R"({"greaterThan": 8})", false},
           {R"({"gte": 8})", true},
           {R"({"gte": 9})", false},
           {R"({"greaterThanOrEqual": 8})", true},
           {R"({"greaterThanOrEqual": 9})", false},
           {R"({"lt": 9})", true},
           {R"({"lt": 8})", false},
           {R"({"lessThan": 9})", true},
           {R"({"lessThan": 8})", false},
           {R"({"lte": 8})", true},
           {R"({"lte": 7})", false},
           {R"({"lessThanOrEqual": 8})", true},
           {R"({"lessThanOrEqual": 7})", false},
           {R"({"gte": 7, "lt": 9})", true},
           {R"({"gte": 4, "lt": 7})", false},
       }) {
    SCOPED_TRACE(c.condition);
    EXPECT_EQ(Matches(One("severity", c.condition)), c.matches_severity_8);
  }
}

TEST(FindingCriteriaMatchTest, AttributesCombineWithAnd) {
  EXPECT_TRUE(Matches(R"({"criterion": {
      "type": {"eq": ["UnauthorizedAccess:EC2/SSHBruteForce"]},
      "severity": {"gte": 7},
      "resource.instanceDetails.instanceId": {"eq": ["i-99999999"]}}})"));
  EXPECT_FALSE(Matches(R"({"criterion": {
      "type": {"eq": ["UnauthorizedAccess:EC2/SSHBruteForce"]},
      "severity": {"gte": 9},
      "resource.instanceDetails.instanceId": {"eq": ["i-99999999"]}}})"));
  EXPECT_FALSE(Matches(R"({"criterion": {
      "type": {"eq": ["Recon:EC2/Portscan"]}, "severity": {"gte": 7}}})"));
}

TEST(FindingCriteriaMatchTest, ValuesOfOneOperatorCombineWithOr) {
  EXPECT_TRUE(Matches(
      One("type", R"({"eq": ["Recon:EC2/Portscan", "UnauthorizedAccess:EC2/SSHBruteForce"]})")));
  EXPECT_FALSE(Matches(One("type", R"({"eq": ["Recon:EC2/Portscan", "Backdoor:EC2/Spambot"]})")));
}

TEST(FindingCriteriaMatchTest, StringsCompareExactly) {
  EXPECT_FALSE(Matches(One("type", R"({"eq": ["unauthorizedaccess:ec2/sshbruteforce"]})")));
  EXPECT_FALSE(Matches(One("type", R"({"eq": ["UnauthorizedAccess"]})")));
  EXPECT_FALSE(Matches(One("type", R"({"eq": ["UnauthorizedAccess:EC2/*"]})")));  // no wildcards
}

// ---- Matching: lists ----

TEST(FindingCriteriaMatchTest, AnyElementOfAListMatches) {
  EXPECT_TRUE(Matches(
      One("resource.instanceDetails.networkInterfaces.vpcId", R"({"eq": ["vpc-22222222"]})")));
  EXPECT_TRUE(Matches(One("resource.instanceDetails.networkInterfaces.securityGroups.groupId",
                          R"({"eq": ["sg-33333333"]})")));
  EXPECT_TRUE(Matches(One("resource.instanceDetails.networkInterfaces.securityGroups.groupName",
                          R"({"equals": ["ssh"]})")));
  EXPECT_TRUE(
      Matches(One("resource.instanceDetails.networkInterfaces.privateIpAddresses.privateIpAddress",
                  R"({"eq": ["10.1.0.6"]})")));
  EXPECT_TRUE(Matches(One("resource.instanceDetails.networkInterfaces.ipv6Addresses",
                          R"({"eq": ["2001:db8::1"]})")));
  EXPECT_TRUE(Matches(One("resource.instanceDetails.tags.value", R"({"eq": ["prod"]})")));
  EXPECT_TRUE(Matches(One("resource.instanceDetails.tags.key", R"({"eq": ["Name"]})")));
  EXPECT_FALSE(Matches(
      One("resource.instanceDetails.networkInterfaces.vpcId", R"({"eq": ["vpc-33333333"]})")));
}

TEST(FindingCriteriaMatchTest, NotEqualsFailsWhenAnyElementIsExcluded) {
  EXPECT_FALSE(Matches(
      One("resource.instanceDetails.networkInterfaces.vpcId", R"({"neq": ["vpc-22222222"]})")));
  EXPECT_TRUE(Matches(
      One("resource.instanceDetails.networkInterfaces.vpcId", R"({"neq": ["vpc-33333333"]})")));
}

// ---- Matching: kinds ----

TEST(FindingCriteriaMatchTest, NumbersCompareAsNumbers) {
  EXPECT_TRUE(Matches(One(kLocalPort, R"({"eq": ["22"]})")));
  EXPECT_TRUE(Matches(One(kLocalPort, R"({"eq": ["22.0"]})")));
  EXPECT_TRUE(Matches(One(kLocalPort, R"({"neq": ["222"]})")));
  EXPECT_FALSE(Matches(One(kLocalPort, R"({"gt": 100})")));  // "22" > "100" as text
  EXPECT_TRUE(Matches(One(kLocalPort, R"({"lt": 100})")));
  EXPECT_TRUE(Matches(One(kRemotePort, R"({"gt": 1024})")));
  EXPECT_TRUE(Matches(One("service.count", R"({"gte": 10, "lte": 14})")));
  EXPECT_FALSE(Matches(One("service.count", R"({"gte": 15})")));
}

TEST(FindingCriteriaMatchTest, AnIntegralNumberNamesItsWholeUnit) {
  json::object finding = Finding();
  finding["severity"] = 8.5;
  EXPECT_TRUE(Matches(One("severity", R"({"eq": ["8"]})"), finding));
  EXPECT_TRUE(Matches(One("severity", R"({"eq": ["7", "8"]})"), finding));  // "High"
  EXPECT_TRUE(Matches(One("severity", R"({"eq": ["8.5"]})"), finding));
  EXPECT_FALSE(Matches(One("severity", R"({"eq": ["9"]})"), finding));
  EXPECT_FALSE(Matches(One("severity", R"({"eq": ["8.4"]})"), finding));
  EXPECT_FALSE(Matches(One("severity", R"({"neq": ["8"]})"), finding));
  EXPECT_TRUE(Matches(One("severity", R"({"gt": 8})"), finding));
  EXPECT_FALSE(Matches(One("severity", R"({"lte": 8})"), finding));
  // And a fractional criterion value is exact.
  EXPECT_FALSE(Matches(One("severity", R"({"eq": ["8.5"]})")));
  EXPECT_TRUE(Matches(One("severity", R"({"eq": ["8"]})")));
}

TEST(FindingCriteriaMatchTest, UpdatedAtComparesEpochMilliseconds) {
  const auto condition = [](const char* op, int64_t millis) {
    return One("updatedAt", "{\"" + std::string(op) + "\": " + std::to_string(millis) + "}");
  };
  EXPECT_TRUE(Matches(condition("gte", kUpdatedAtMillis)));
  EXPECT_FALSE(Matches(condition("gt", kUpdatedAtMillis)));
  EXPECT_TRUE(Matches(condition("greaterThan", kUpdatedAtMillis - 1)));
  EXPECT_TRUE(Matches(condition("lte", kUpdatedAtMillis)));
  EXPECT_FALSE(Matches(condition("lt", kUpdatedAtMillis)));
  EXPECT_TRUE(Matches(condition("lessThan", kUpdatedAtMillis + 1)));
  EXPECT_TRUE(Matches(condition("gte", 1486685375000)));  // the API docs' example
  EXPECT_TRUE(Matches(One("updatedAt", R"({"equals": ["2018-01-23T21:53:32.815Z"]})")));
  EXPECT_TRUE(Matches(One("updatedAt", R"({"eq": ["1516744412815"]})")));
  EXPECT_FALSE(Matches(One("updatedAt", R"({"equals": ["2018-01-23T21:53:32.816Z"]})")));
  EXPECT_FALSE(Matches(One("updatedAt", R"({"notEquals": ["2018-01-23T21:53:32.815Z"]})")));
  EXPECT_TRUE(Matches(One("service.eventFirstSeen", R"({"lt": 1516744412815})")));
}

TEST(FindingCriteriaMatchTest, ArchivedTrueFalseOrUnset) {
  json::object archived = Finding();
  archived["service"].as_object()["archived"] = true;
  const std::string only_archived = One("service.archived", R"({"eq": ["true"]})");
  const std::string only_current = One("service.archived", R"({"eq": ["false"]})");
  EXPECT_FALSE(Matches(only_archived));
  EXPECT_TRUE(Matches(only_archived, archived));
  EXPECT_TRUE(Matches(only_current));
  EXPECT_FALSE(Matches(only_current, archived));
  EXPECT_TRUE(Matches(One("service.archived", R"({"equals": ["FALSE"]})")));
  // Unset: both.
  const std::string unset = One("type", R"({"eq": ["UnauthorizedAccess:EC2/SSHBruteForce"]})");
  EXPECT_TRUE(Matches(unset));
  EXPECT_TRUE(Matches(unset, archived));
}

TEST(FindingCriteriaMatchTest, BooleansOfTheAction) {
  EXPECT_TRUE(
      Matches(One("service.action.networkConnectionAction.blocked", R"({"eq": ["false"]})")));
  EXPECT_FALSE(
      Matches(One("service.action.networkConnectionAction.blocked", R"({"eq": ["true"]})")));
}

TEST(FindingCriteriaMatchTest, MissingAttributes) {
  const std::string_view user = "resource.accessKeyDetails.userName";
  EXPECT_TRUE(Matches(One(user, R"({"notEquals": ["root"]})")));
  EXPECT_FALSE(Matches(One(user, R"({"equals": ["root"]})")));
  EXPECT_FALSE(Matches(
      One("service.action.awsApiCallAction.remoteIpDetails.organization.asn", R"({"gt": 0})")));
  EXPECT_FALSE(Matches(One("service.archived", R"({"eq": ["false"]})"),
                       json::parse(R"({"type": "Recon:EC2/Portscan"})").as_object()));
  // An operator with an empty list constrains nothing.
  EXPECT_TRUE(Matches(One(user, R"({"eq": []})")));
}

TEST(FindingCriteriaMatchTest, ThreatListNameFromAdditionalInfo) {
  EXPECT_TRUE(
      Matches(One("service.additionalInfo.threatListName", R"({"eq": ["CorpBlocklist"]})")));
  EXPECT_FALSE(Matches(One("service.additionalInfo.threatListName", R"({"eq": ["Other"]})")));
}

TEST(FindingCriteriaMatchTest, DocumentedEffectivePermissionsReadsTheModelMember) {
  const json::object bucket_finding = json::parse(R"({"resource": {"resourceType": "S3Bucket",
      "s3BucketDetails": [{"name": "site", "type": "Destination",
                           "publicAccess": {"effectivePermission": "PUBLIC"}}]}})")
                                          .as_object();
  const std::string_view attribute = "resource.s3BucketDetails.publicAccess.effectivePermissions";
  EXPECT_TRUE(Matches(One(attribute, R"({"eq": ["PUBLIC"]})"), bucket_finding));
  EXPECT_FALSE(Matches(One(attribute, R"({"eq": ["NOT_PUBLIC"]})"), bucket_finding));
  EXPECT_TRUE(Matches(One("resource.s3BucketDetails.name", R"({"eq": ["site"]})"), bucket_finding));
}

TEST(FindingCriteriaMatchTest, CommonFilters) {
  EXPECT_TRUE(Matches(R"({"criterion": {
      "resource.instanceDetails.imageId": {"eq": ["ami-99999999"]},
      "service.action.networkConnectionAction.remoteIpDetails.country.countryName":
          {"neq": ["United States"]},
      "service.resourceRole": {"equals": ["TARGET"]},
      "service.action.actionType": {"eq": ["NETWORK_CONNECTION"]},
      "accountId": {"eq": ["111122223333"]}, "region": {"eq": ["us-east-1"]},
      "id": {"eq": ["16afba5c5c43e07c9e3e5e2e544e95df"]},
      "confidence": {"gte": 5}}})"));
}

// ---- ConditionMatches on hand-built conditions ----

TEST(ConditionMatchesTest, HandBuiltConditions) {
  const std::string encoded = FindingProjection::Encode(Finding());
  const FindingProjection projection(encoded);

  Condition iso;
  iso.attribute = FindCriterionAttribute("updatedAt");
  iso.equals = {"2018-01-23T21:53:32.815Z"};  // not normalized: still understood
  EXPECT_TRUE(ConditionMatches(iso, projection));

  Condition no_attribute;  // behaves as a missing attribute
  EXPECT_TRUE(ConditionMatches(no_attribute, projection));
  no_attribute.not_equals = {"x"};
  EXPECT_TRUE(ConditionMatches(no_attribute, projection));
  no_attribute.equals = {"x"};
  EXPECT_FALSE(ConditionMatches(no_attribute, projection));

  // Comparisons on a text attribute apply to values that read as numbers.
  Condition asn;
  asn.attribute = FindCriterionAttribute(
      "service.action.networkConnectionAction.remoteIpDetails.organization.asn");
  asn.greater_than = 64000;
  EXPECT_TRUE(ConditionMatches(asn, projection));
  Condition country;
  country.attribute = FindCriterionAttribute(
      "service.action.networkConnectionAction.remoteIpDetails.country.countryName");
  country.greater_than = 0;
  EXPECT_FALSE(ConditionMatches(country, projection));
}

TEST(ConditionMatchesTest, BoundsApplyToOneValueAtATime) {
  const json::object finding = json::parse(R"({"service": {"action": {
      "networkConnectionAction": {"localPortDetails": [{"port": 22}, {"port": 8080}]}}}})")
                                   .as_object();
  EXPECT_FALSE(Matches(One(kLocalPort, R"({"gte": 100, "lte": 1000})"), finding));
  EXPECT_TRUE(Matches(One(kLocalPort, R"({"gte": 1000, "lte": 9000})"), finding));
  EXPECT_TRUE(Matches(One(kLocalPort, R"({"eq": ["22"], "gte": 1000})"), finding));
}

}  // namespace
}  // namespace vigil
