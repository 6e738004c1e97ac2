#include "ingest/cloudtrail.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <string>
#include <string_view>

#include "core/time.h"

namespace vigil {
namespace {

// The reference's first sample (AWS docs), verbatim: an S3 log file.
constexpr std::string_view kUpdateTrailFile = R"json({"Records": [{
  "eventVersion": "1.04",
  "userIdentity": {"type": "IAMUser", "principalId": "EX_PRINCIPAL_ID",
    "arn": "arn:aws:iam::123456789012:user/Alice", "accountId": "123456789012",
    "accessKeyId": "EXAMPLE_KEY_ID", "userName": "Alice"},
  "eventTime": "2016-07-14T19:15:45Z", "eventSource": "cloudtrail.amazonaws.com",
  "eventName": "UpdateTrail", "awsRegion": "us-east-2", "sourceIPAddress": "205.251.233.182",
  "userAgent": "aws-cli/1.10.32 Python/2.7.9 Windows/7 botocore/1.4.22",
  "errorCode": "TrailNotFoundException",
  "errorMessage": "Unknown trail: myTrail2 for the user: 123456789012",
  "requestParameters": {"name": "myTrail2"}, "responseElements": null,
  "requestID": "5d40662a-49f7-11e6-97e4-d9cb6ff7d6a3", "eventID": "b7d4398e-b2f0-4faa-9c76-e2d316a8d67f",
  "eventType": "AwsApiCall", "recipientAccountId": "123456789012"}]})json";

// The reference's second sample (AWS docs), verbatim: a single event.
constexpr std::string_view kConsoleLoginEvent = R"json({"eventVersion": "1.05",
 "userIdentity": {"type": "Root", "principalId": "AIDACKCEVSQ6C2EXAMPLE", "arn": "arn:aws:iam::111122223333:root",
                  "accountId": "111122223333", "accessKeyId": ""},
 "eventTime": "2022-11-10T16:24:34Z", "eventSource": "signin.amazonaws.com", "eventName": "ConsoleLogin",
 "awsRegion": "us-east-2", "sourceIPAddress": "192.0.2.0", "userAgent": "Mozilla/5.0 (...) Firefox/62.0",
 "requestParameters": null, "responseElements": {"ConsoleLogin": "Success"},
 "additionalEventData": {"LoginTo": "https://console.aws.amazon.com/...", "MobileVersion": "No", "MFAUsed": "No"},
 "eventID": "...", "eventType": "AwsConsoleSignIn"})json";

// The reference's AssumedRole identity, verbatim, in an EC2 DescribeInstances event.
constexpr std::string_view kAssumedRoleEvent =
    R"json({"eventVersion":"1.08","userIdentity":{"type":"AssumedRole","principalId":"AROAIDPPEZS35WEXAMPLE:MySessionName",
"arn":"arn:aws:sts::123456789012:assumed-role/RoleToBeAssumed/MySessionName","accountId":"123456789012",
"accessKeyId":"ASIA...","sessionContext":{"attributes":{"mfaAuthenticated":"false","creationDate":"2013-11-02T01:06:28Z"},
"sessionIssuer":{"type":"Role","principalId":"AROAIDPPEZS35WEXAMPLE","arn":"arn:aws:iam::123456789012:role/RoleToBeAssumed",
"accountId":"123456789012","userName":"RoleToBeAssumed"}}},
"eventTime":"2023-05-01T10:00:00Z","eventSource":"ec2.amazonaws.com","eventName":"DescribeInstances",
"awsRegion":"eu-west-1","sourceIPAddress":"2001:db8::1","readOnly":true,"eventCategory":"Management",
"requestParameters":{"instancesSet":{},"filterSet":{}},"responseElements":null,"eventID":"e-1"})json";

// A minimal event with one field to vary, for JSON-lines and shape tests.
std::string MinimalEvent(std::string_view event_name, std::string_view extra = "") {
  std::string event = R"({"eventTime":"2024-01-02T03:04:05Z","eventSource":"iam.amazonaws.com",)";
  event += R"("eventName":")";
  event += event_name;
  event += '"';
  event += extra;
  event += '}';
  return event;
}

int64_t Millis(std::string_view iso) { return ParseIsoMillis(iso).value(); }

TEST(CloudTrailTest, ReadsTheRecordsFileSample) {
  const ParseResult<CloudTrailEvent> result = ParseCloudTrail(kUpdateTrailFile);
  ASSERT_EQ(result.records.size(), 1u);
  EXPECT_EQ(result.rejected, 0u);
  const CloudTrailEvent& event = result.records[0];
  EXPECT_EQ(event.event_id, "b7d4398e-b2f0-4faa-9c76-e2d316a8d67f");
  EXPECT_EQ(event.event_time, Millis("2016-07-14T19:15:45.000Z"));
  EXPECT_EQ(event.event_source, "cloudtrail.amazonaws.com");
  EXPECT_EQ(event.event_name, "UpdateTrail");
  EXPECT_EQ(event.event_type, "AwsApiCall");
  EXPECT_EQ(event.event_category, "");
  EXPECT_EQ(event.aws_region, "us-east-2");
  EXPECT_EQ(event.recipient_account_id, "123456789012");
  EXPECT_EQ(event.source_ip, "205.251.233.182");
  EXPECT_EQ(event.source_ip_v4, (205u << 24) | (251u << 16) | (233u << 8) | 182u);
  EXPECT_EQ(event.user_agent, "aws-cli/1.10.32 Python/2.7.9 Windows/7 botocore/1.4.22");
  EXPECT_EQ(event.error_code, "TrailNotFoundException");
  EXPECT_FALSE(event.read_only.has_value());
  EXPECT_EQ(event.identity_type, "IAMUser");
  EXPECT_EQ(event.principal_id, "EX_PRINCIPAL_ID");
  EXPECT_EQ(event.identity_arn, "arn:aws:iam::123456789012:user/Alice");
  EXPECT_EQ(event.identity_account_id, "123456789012");
  EXPECT_EQ(event.access_key_id, "EXAMPLE_KEY_ID");
  EXPECT_EQ(event.user_name, "Alice");
  EXPECT_EQ(event.invoked_by, "");
  EXPECT_FALSE(event.has_session_context);
  EXPECT_EQ(event.mfa_used, "");
  EXPECT_EQ(event.console_login_result, "");
  EXPECT_EQ(event.request_parameters, R"({"name":"myTrail2"})");
  EXPECT_EQ(event.response_elements, "");
}

TEST(CloudTrailTest, ReadsTheSingleEventSample) {
  const ParseResult<CloudTrailEvent> result = ParseCloudTrail(kConsoleLoginEvent);
  ASSERT_EQ(result.records.size(), 1u);
  EXPECT_EQ(result.rejected, 0u);
  const CloudTrailEvent& event = result.records[0];
  EXPECT_EQ(event.event_id, "...");
  EXPECT_EQ(event.event_time, Millis("2022-11-10T16:24:34.000Z"));
  EXPECT_EQ(event.event_source, "signin.amazonaws.com");
  EXPECT_EQ(event.event_name, "ConsoleLogin");
  EXPECT_EQ(event.event_type, "AwsConsoleSignIn");
  EXPECT_EQ(event.source_ip, "192.0.2.0");
  EXPECT_EQ(event.source_ip_v4, 0xC0000200u);
  EXPECT_EQ(event.identity_type, "Root");
  EXPECT_EQ(event.principal_id, "AIDACKCEVSQ6C2EXAMPLE");
  EXPECT_EQ(event.identity_arn, "arn:aws:iam::111122223333:root");
  EXPECT_EQ(event.identity_account_id, "111122223333");
  EXPECT_EQ(event.access_key_id, "");
  EXPECT_EQ(event.user_name, "");
  EXPECT_EQ(event.mfa_used, "No");
  EXPECT_EQ(event.console_login_result, "Success");
  EXPECT_EQ(event.request_parameters, "");
  EXPECT_EQ(event.response_elements, R"({"ConsoleLogin":"Success"})");
}

TEST(CloudTrailTest, AssumedRoleTakesTheSessionIssuersUserName) {
  const ParseResult<CloudTrailEvent> result = ParseCloudTrail(kAssumedRoleEvent);
  ASSERT_EQ(result.records.size(), 1u);
  const CloudTrailEvent& event = result.records[0];
  EXPECT_EQ(event.identity_type, "AssumedRole");
  EXPECT_EQ(event.principal_id, "AROAIDPPEZS35WEXAMPLE:MySessionName");
  EXPECT_EQ(event.identity_arn,
            "arn:aws:sts::123456789012:assumed-role/RoleToBeAssumed/MySessionName");
  EXPECT_EQ(event.identity_account_id, "123456789012");
  EXPECT_EQ(event.access_key_id, "ASIA...");
  EXPECT_TRUE(event.has_session_context);
  EXPECT_EQ(event.user_name, "RoleToBeAssumed");
  EXPECT_EQ(event.event_category, "Management");
  EXPECT_EQ(event.read_only, true);
  EXPECT_EQ(event.source_ip, "2001:db8::1");
  EXPECT_FALSE(event.source_ip_v4.has_value());
}

TEST(CloudTrailTest, AnIdentitysOwnUserNameWinsOverTheIssuers) {
  const std::string event = MinimalEvent(
      "GetObject",
      R"(,"userIdentity":{"type":"AssumedRole","userName":"own",)"
      R"("sessionContext":{"sessionIssuer":{"userName":"issuer"}},"invokedBy":"s3.amazonaws.com"})");
  const ParseResult<CloudTrailEvent> result = ParseCloudTrail(event);
  ASSERT_EQ(result.records.size(), 1u);
  EXPECT_EQ(result.records[0].user_name, "own");
  EXPECT_EQ(result.records[0].invoked_by, "s3.amazonaws.com");
}

TEST(CloudTrailTest, OtherIdentityTypesDoNotBorrowTheIssuersUserName) {
  const std::string event =
      MinimalEvent("GetObject", R"(,"userIdentity":{"type":"FederatedUser",)"
                                R"("sessionContext":{"sessionIssuer":{"userName":"issuer"}}})");
  const ParseResult<CloudTrailEvent> result = ParseCloudTrail(event);
  ASSERT_EQ(result.records.size(), 1u);
  EXPECT_EQ(result.records[0].user_name, "");
  EXPECT_TRUE(result.records[0].has_session_context);
}

TEST(CloudTrailTest, ReadsTheEventBridgeEnvelope) {
  const std::string envelope =
      R"({"version":"0","id":"6f87d04b-9f74-4f04-a780-7acf4b0a9b38",)"
      R"("detail-type":"AWS API Call via CloudTrail","source":"aws.cloudtrail",)"
      R"("account":"123456789012","time":"2024-01-02T03:04:05Z","region":"us-east-1",)"
      R"("resources":[],"detail":)" +
      MinimalEvent("StopLogging", R"(,"awsRegion":"us-east-1","eventID":"inner")") + "}";
  const ParseResult<CloudTrailEvent> result = ParseCloudTrail(envelope);
  ASSERT_EQ(result.records.size(), 1u);
  EXPECT_EQ(result.rejected, 0u);
  EXPECT_EQ(result.records[0].event_name, "StopLogging");
  EXPECT_EQ(result.records[0].event_id, "inner");
  EXPECT_EQ(result.records[0].aws_region, "us-east-1");
}

TEST(CloudTrailTest, AnEnvelopeWhoseDetailIsNotAnEventIsRejected) {
  const ParseResult<CloudTrailEvent> result = ParseCloudTrail(
      R"({"detail-type":"GuardDuty Finding","detail":{"schemaVersion":"2.0","type":"x"}})");
  EXPECT_TRUE(result.records.empty());
  ASSERT_EQ(result.rejects.size(), 1u);
  EXPECT_EQ(result.rejects[0].position, 1u);
  EXPECT_NE(result.rejects[0].reason.find("eventName"), std::string::npos);
}

TEST(CloudTrailTest, ReadsJsonLinesMixingShapes) {
  const std::string content = MinimalEvent("One") + "\n" +  // 1
                              R"({"Records":[)" + MinimalEvent("Two") + "," +
                              MinimalEvent("Three") + "]}\r\n" +  // 2
                              "\n" +                              // 3
                              R"({"detail-type":"AWS API Call via CloudTrail","detail":)" +
                              MinimalEvent("Four") + "}\n" +  // 4
                              MinimalEvent("Five");           // 5, no final newline
  const ParseResult<CloudTrailEvent> result = ParseCloudTrail(content);
  EXPECT_EQ(result.rejected, 0u);
  ASSERT_EQ(result.records.size(), 5u);
  EXPECT_EQ(result.records[0].event_name, "One");
  EXPECT_EQ(result.records[1].event_name, "Two");
  EXPECT_EQ(result.records[2].event_name, "Three");
  EXPECT_EQ(result.records[3].event_name, "Four");
  EXPECT_EQ(result.records[4].event_name, "Five");
}

TEST(CloudTrailTest, JsonLinesRejectsReportLineNumbers) {
  const std::string content = MinimalEvent("One") + "\n" +        // 1
                              R"({"eventName":"x"})" + "\n" +     // 2: not CloudTrail
                              R"({"eventName": "trunc)" + "\n" +  // 3: malformed
                              R"({"Records":[{"a":1},)" + MinimalEvent("Two") + "]}\n" +  // 4
                              "[1,2]\n" +                    // 5: not an object
                              MinimalEvent("Three") + "\n";  // 6
  const ParseResult<CloudTrailEvent> result = ParseCloudTrail(content);
  ASSERT_EQ(result.records.size(), 3u);
  EXPECT_EQ(result.records[0].event_name, "One");
  EXPECT_EQ(result.records[1].event_name, "Two");
  EXPECT_EQ(result.records[2].event_name, "Three");
  ASSERT_EQ(result.rejected, 4u);
  EXPECT_EQ(result.rejects[0].position, 2u);
  EXPECT_EQ(result.rejects[0].reason, "not a CloudTrail event: missing eventSource, eventTime");
  EXPECT_EQ(result.rejects[1].position, 3u);
  EXPECT_NE(result.rejects[1].reason.find("malformed JSON"), std::string::npos);
  EXPECT_EQ(result.rejects[2].position, 4u);
  EXPECT_EQ(result.rejects[3].position, 5u);
  EXPECT_EQ(result.rejects[3].reason, "top-level JSON value is not an object");
}

TEST(CloudTrailTest, ARecordThatIsNotCloudTrailIsRejectedAlone) {
  const std::string content = R"({"Records":[)" + MinimalEvent("First") +
                              R"(,{"hello":"world","nested":{"eventName":"no"}},7,)" +
                              MinimalEvent("Fourth") + "]}";
  const ParseResult<CloudTrailEvent> result = ParseCloudTrail(content);
  ASSERT_EQ(result.records.size(), 2u);
  EXPECT_EQ(result.records[0].event_name, "First");
  EXPECT_EQ(result.records[1].event_name, "Fourth");
  ASSERT_EQ(result.rejects.size(), 2u);
  EXPECT_EQ(result.rejects[0].position, 2u);
  EXPECT_EQ(result.rejects[0].reason,
            "not a CloudTrail event: missing eventName, eventSource, eventTime");
  EXPECT_EQ(result.rejects[1].position, 3u);
  EXPECT_EQ(result.rejects[1].reason, "record is not a JSON object");
}

TEST(CloudTrailTest, WrongTypedRequiredFieldsCountAsMissing) {
  const ParseResult<CloudTrailEvent> result =
      ParseCloudTrail(R"({"Records":[{"eventName":null,"eventSource":7,"eventTime":{"a":1}},)" +
                      MinimalEvent("Kept") + "]}");
  ASSERT_EQ(result.records.size(), 1u);
  ASSERT_EQ(result.rejects.size(), 1u);
  EXPECT_EQ(result.rejects[0].position, 1u);
}

TEST(CloudTrailTest, UnparsableEventTimeIsRejected) {
  const ParseResult<CloudTrailEvent> result = ParseCloudTrail(
      R"({"eventTime":"yesterday","eventSource":"iam.amazonaws.com","eventName":"X"})");
  EXPECT_TRUE(result.records.empty());
  ASSERT_EQ(result.rejects.size(), 1u);
  EXPECT_EQ(result.rejects[0].reason, R"(unparsable eventTime "yesterday")");
}

TEST(CloudTrailTest, MalformedJsonIsReportedWithoutCrashing) {
  for (const std::string_view content :
       {R"({"Records":[{"eventName":"x")", R"({"eventName": "unterminated)", "{", "}", R"({"a":})",
        "\xff\xfe{}", "nul", R"({"Records":[)"}) {
    const ParseResult<CloudTrailEvent> result = ParseCloudTrail(content);
    EXPECT_TRUE(result.records.empty()) << content;
    EXPECT_GE(result.rejected, 1u) << content;
    ASSERT_FALSE(result.rejects.empty()) << content;
    EXPECT_FALSE(result.rejects[0].reason.empty());
  }
}

TEST(CloudTrailTest, AMalformedRecordEndsTheFileButKeepsEarlierRecords) {
  const std::string content = R"({"Records":[)" + MinimalEvent("First") + "," +
                              MinimalEvent("Second") + R"(,{"eventName":}, )" +
                              MinimalEvent("Fourth") + "]}";
  const ParseResult<CloudTrailEvent> result = ParseCloudTrail(content);
  ASSERT_GE(result.records.size(), 2u);
  EXPECT_EQ(result.records[0].event_name, "First");
  EXPECT_EQ(result.records[1].event_name, "Second");
  ASSERT_GE(result.rejects.size(), 1u);
  EXPECT_EQ(result.rejects[0].position, 3u);
}

TEST(CloudTrailTest, ReadsMillisecondsAndOtherTimeForms) {
  const struct {
    std::string_view text;
    std::string_view expected;
  } cases[] = {
      {"2024-01-02T03:04:05.678Z", "2024-01-02T03:04:05.678Z"},
      {"2024-01-02T03:04:05Z", "2024-01-02T03:04:05.000Z"},
      {"2024-01-02T03:04:05.5Z", "2024-01-02T03:04:05.500Z"},
      {"2024-01-02T03:04:05.123456Z", "2024-01-02T03:04:05.123Z"},
      {"2024-01-02T05:04:05.100+02:00", "2024-01-02T03:04:05.100Z"},
      {"2024-01-02T01:04:05-02:00", "2024-01-02T03:04:05.000Z"},
  };
  for (const auto& test_case : cases) {
    const std::string event = R"({"eventTime":")" + std::string(test_case.text) +
                              R"(","eventSource":"s","eventName":"n"})";
    const ParseResult<CloudTrailEvent> result = ParseCloudTrail(event);
    ASSERT_EQ(result.records.size(), 1u) << test_case.text;
    EXPECT_EQ(result.records[0].event_time, Millis(test_case.expected)) << test_case.text;
  }
  for (const std::string_view bad :
       {"2024-01-02T03:04:05.Z", "2024-01-02T03:04:05", "2024-13-02T03:04:05Z",
        "2024-01-02T03:04:05+2:00", "2024-01-02 03:04:05Z", ""}) {
    const std::string event =
        R"({"eventTime":")" + std::string(bad) + R"(","eventSource":"s","eventName":"n"})";
    EXPECT_TRUE(ParseCloudTrail(event).records.empty()) << bad;
  }
}

TEST(CloudTrailTest, ReadOnlyMayBeABooleanOrAString) {
  const struct {
    std::string_view json;
    std::optional<bool> expected;
  } cases[] = {
      {"true", true},     {"false", false}, {R"("true")", true}, {R"("false")", false},
      {R"("maybe")", {}}, {"null", {}},     {"1", {}},
  };
  for (const auto& test_case : cases) {
    const std::string event = MinimalEvent("N", R"(,"readOnly":)" + std::string(test_case.json));
    const ParseResult<CloudTrailEvent> result = ParseCloudTrail(event);
    ASSERT_EQ(result.records.size(), 1u) << test_case.json;
    EXPECT_EQ(result.records[0].read_only, test_case.expected) << test_case.json;
  }
}

TEST(CloudTrailTest, RequestParametersRoundTripAsCompactJson) {
  const std::string_view request_parameters = R"({
    "bucketName": "my bucket",
    "Host" : "my-bucket.s3.us-east-1.amazonaws.com",
    "policy": {"Statement": [ {"Effect": "Allow", "Principal": "*", "Sid": "a, b: \"c\" \u00e9"} ], "n": -1.5e3, "t": true, "z": null},
    "empty": {}, "list": [ ]
  })";
  const std::string event = MinimalEvent(
      "PutBucketPolicy", R"(,"requestParameters": )" + std::string(request_parameters) +
                             R"(  ,"responseElements" : [1, {"x" : "y"}] )");
  const ParseResult<CloudTrailEvent> result = ParseCloudTrail(event);
  ASSERT_EQ(result.records.size(), 1u);
  const CloudTrailEvent& parsed = result.records[0];
  EXPECT_EQ(boost::json::parse(parsed.request_parameters), boost::json::parse(request_parameters));
  EXPECT_EQ(parsed.request_parameters.find('\n'), std::string::npos);
  EXPECT_NE(parsed.request_parameters.find(R"("bucketName":"my bucket")"), std::string::npos);
  EXPECT_NE(parsed.request_parameters.find(R"("Sid":"a, b: \"c\" \u00e9")"), std::string::npos);
  EXPECT_EQ(parsed.response_elements, R"([1,{"x":"y"}])");
}

TEST(CloudTrailTest, ConsoleLoginIsReadWhereverItSitsInResponseElements) {
  const std::string event = MinimalEvent(
      "ConsoleLogin",
      R"(,"responseElements":{"other":{"ConsoleLogin":"Nested"},"ConsoleLogin":"Failure","after":[1]},"eventID":"later")");
  const ParseResult<CloudTrailEvent> result = ParseCloudTrail(event);
  ASSERT_EQ(result.records.size(), 1u);
  EXPECT_EQ(result.records[0].console_login_result, "Failure");
  EXPECT_EQ(result.records[0].event_id, "later");
  EXPECT_EQ(result.records[0].response_elements,
            R"({"other":{"ConsoleLogin":"Nested"},"ConsoleLogin":"Failure","after":[1]})");
}

TEST(CloudTrailTest, FieldsMayComeInAnyOrderAndUnknownFieldsAreIgnored) {
  const ParseResult<CloudTrailEvent> result = ParseCloudTrail(
      R"({"tlsDetails":{"tlsVersion":"TLSv1.3"},"resources":[{"ARN":"a"}],"eventID":"id",)"
      R"("userIdentity":{"sessionContext":{"sessionIssuer":{"userName":"R"}},"type":"Role"},)"
      R"("eventName":"N","additionalEventData":{"MFAUsed":"Yes"},"eventSource":"S",)"
      R"("eventTime":"2024-01-02T03:04:05Z","errorCode":null})");
  ASSERT_EQ(result.records.size(), 1u);
  const CloudTrailEvent& event = result.records[0];
  EXPECT_EQ(event.event_id, "id");
  EXPECT_EQ(event.user_name, "R");
  EXPECT_EQ(event.mfa_used, "Yes");
  EXPECT_EQ(event.error_code, "");
}

TEST(CloudTrailTest, EscapedStringsAndKeysAreUnescaped) {
  const ParseResult<CloudTrailEvent> result = ParseCloudTrail(
      R"({"event\u004eame":"Stop\"Logging\"","eventSource":"s","eventTime":"2024-01-02T03:04:05Z",)"
      R"("userAgent":"a\\b\u00e9"})");
  ASSERT_EQ(result.records.size(), 1u);
  EXPECT_EQ(result.records[0].event_name, "Stop\"Logging\"");
  EXPECT_EQ(result.records[0].user_agent, "a\\b\xc3\xa9");
}

TEST(CloudTrailTest, AnEmptyRecordsArrayHasNoRecordsAndNoRejects) {
  for (const std::string_view content : {R"({"Records":[]})", R"({"Records": [ ] })", "", " \n\t\n",
                                         "\xEF\xBB\xBF{\"Records\":[]}"}) {
    const ParseResult<CloudTrailEvent> result = ParseCloudTrail(content);
    EXPECT_TRUE(result.records.empty()) << content;
    EXPECT_EQ(result.rejected, 0u) << content;
  }
}

TEST(CloudTrailTest, ANonObjectTopLevelIsRejected) {
  for (const std::string_view content :
       {"[]", R"([{"eventName":"x"}])", "42", R"("text")", "null", "true"}) {
    const ParseResult<CloudTrailEvent> result = ParseCloudTrail(content);
    EXPECT_TRUE(result.records.empty()) << content;
    ASSERT_EQ(result.rejects.size(), 1u) << content;
    EXPECT_EQ(result.rejects[0].position, 1u);
    EXPECT_EQ(result.rejects[0].reason, "top-level JSON value is not an object") << content;
  }
}

TEST(CloudTrailTest, PrettyPrintedFilesAreOneDocument) {
  const std::string content = "{\n  \"Records\": [\n    " + MinimalEvent("A") + ",\n    " +
                              MinimalEvent("B", R"(, "requestParameters": {
      "k": "v"
    })") + "\n  ]\n}\n";
  const ParseResult<CloudTrailEvent> result = ParseCloudTrail(content);
  EXPECT_EQ(result.rejected, 0u);
  ASSERT_EQ(result.records.size(), 2u);
  EXPECT_EQ(result.records[1].request_parameters, R"({"k":"v"})");
}

TEST(CloudTrailTest, ConcatenatedDocumentsAreAllRead) {
  // `cat` of pretty-printed files; positions count records through the whole input.
  const std::string content = "{\n\"Records\": [" + MinimalEvent("A") +
                              ",{}]\n}\n{\n\"Records\": [" + MinimalEvent("B") + "]\n}\n";
  const ParseResult<CloudTrailEvent> result = ParseCloudTrail(content);
  ASSERT_EQ(result.records.size(), 2u);
  EXPECT_EQ(result.records[1].event_name, "B");
  ASSERT_EQ(result.rejects.size(), 1u);
  EXPECT_EQ(result.rejects[0].position, 2u);
}

TEST(CloudTrailTest, ReadsEventsWrittenBackToBack) {
  // Kinesis Data Firehose writes EventBridge events to S3 with no separator.
  std::string content;
  for (const std::string_view name : {"A", "B", "C"}) {
    content +=
        R"({"detail-type":"AWS API Call via CloudTrail","detail":)" + MinimalEvent(name) + "}";
  }
  content += R"({"x":1})" + MinimalEvent("D");
  const ParseResult<CloudTrailEvent> result = ParseCloudTrail(content);
  ASSERT_EQ(result.records.size(), 4u);
  EXPECT_EQ(result.records[0].event_name, "A");
  EXPECT_EQ(result.records[3].event_name, "D");
  ASSERT_EQ(result.rejects.size(), 1u);
  EXPECT_EQ(result.rejects[0].position, 4u);
}

TEST(CloudTrailTest, AnIncompleteDocumentAfterCompleteOnesIsReported) {
  const std::string content = MinimalEvent("A") + MinimalEvent("B") + R"({"eventName":"C")";
  const ParseResult<CloudTrailEvent> result = ParseCloudTrail(content);
  ASSERT_EQ(result.records.size(), 2u);
  ASSERT_EQ(result.rejects.size(), 1u);
  EXPECT_EQ(result.rejects[0].position, 3u);
}

TEST(CloudTrailTest, OnlyTheFirstHundredRejectsAreKeptButAllAreCounted) {
  std::string content = R"({"Records":[)";
  for (int i = 0; i < 250; ++i) content += R"({"x":1},)";
  content += MinimalEvent("Last") + "]}";
  const ParseResult<CloudTrailEvent> result = ParseCloudTrail(content);
  ASSERT_EQ(result.records.size(), 1u);
  EXPECT_EQ(result.rejected, 250u);
  EXPECT_EQ(result.rejects.size(), ParseResult<CloudTrailEvent>::kMaxReportedRejects);
  EXPECT_EQ(result.rejects.back().position, 100u);
}

}  // namespace
}  // namespace vigil
