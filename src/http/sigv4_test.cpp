#include "http/sigv4.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "core/digest.h"

namespace vigil::http {
namespace {

// The example credentials of AWS's SigV4 test suite, and its time: 20150830T123600Z.
constexpr std::string_view kAccessKey = "AKIDEXAMPLE";
constexpr std::string_view kSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
constexpr int64_t kSuiteTimeMillis = 1440938160000;
constexpr std::string_view kEmptySha256 =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

// A request owning its text, viewed as the RequestHead the verifier reads.
struct TestRequest {
  std::string method = "GET";
  std::string target = "/";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  RequestHead head() const {
    RequestHead head{method, target, {}};
    for (const auto& [name, value] : headers) head.headers.emplace_back(name, value);
    return head;
  }
  TestRequest& With(std::string name, std::string value) {
    headers.emplace_back(std::move(name), std::move(value));
    return *this;
  }
};

std::string HeaderAuthorization(std::string_view scope, std::string_view signed_headers,
                                std::string_view signature) {
  return "AWS4-HMAC-SHA256 Credential=" + std::string(kAccessKey) + "/" + std::string(scope) +
         ", SignedHeaders=" + std::string(signed_headers) + ", Signature=" + std::string(signature);
}

// GET / of example.amazonaws.com, signed by botocore as AWS's "get-vanilla" example.
TestRequest GetVanilla() {
  TestRequest request;
  request.With("Host", "example.amazonaws.com")
      .With("X-Amz-Date", "20150830T123600Z")
      .With(
          "Authorization",
          HeaderAuthorization("20150830/us-east-1/service/aws4_request", "host;x-amz-date",
                              "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"));
  return request;
}

class SigV4Test : public ::testing::Test {
 protected:
  SigV4Verifier Verifier(std::string service = "service") {
    return SigV4Verifier({{std::string(kAccessKey), std::string(kSecret), "111122223333"},
                          {"AKIDOTHER", "other-secret", "444455556666"}},
                         clock_, std::move(service));
  }

  // Verifies `request` with its body; the error's code and message, or OK.
  Status Check(const TestRequest& request, std::string service = "service") {
    const SigV4Verifier verifier = Verifier(std::move(service));
    StatusOr<SignatureClaim> claim = verifier.Verify(request.head(), request.body);
    if (!claim.ok()) {
      // No error ever repeats the secret or the signature sent.
      EXPECT_EQ(claim.status().message().find("wJalr"), std::string::npos);
      for (const auto& [name, value] : request.headers) {
        const size_t at = value.find("Signature=");
        if (at != std::string::npos && value.size() > at + 20) {
          EXPECT_EQ(claim.status().message().find(value.substr(at + 10)), std::string::npos);
        }
      }
      return claim.status();
    }
    return Status::Ok();
  }

  ManualClock clock_{kSuiteTimeMillis};
};

// Signatures below were computed with botocore 1.29's SigV4Auth / SigV4QueryAuth at the
// suite's time (get-vanilla and get-vanilla-query-order are also AWS's published values).

TEST_F(SigV4Test, GetVanillaFromAwsTestSuite) {
  const SigV4Verifier verifier = Verifier();
  const TestRequest request = GetVanilla();
  StatusOr<SignatureClaim> claim = verifier.Verify(request.head(), "");
  ASSERT_TRUE(claim.ok()) << claim.status().ToString();
  EXPECT_EQ(claim->principal->account_id, "111122223333");
  EXPECT_EQ(claim->region, "us-east-1");
  EXPECT_FALSE(claim->presigned);
}

TEST_F(SigV4Test, QueryParametersAreSorted) {
  TestRequest request;
  request.target = "/?Param2=value2&Param1=value1";
  request.With("Host", "example.amazonaws.com")
      .With("X-Amz-Date", "20150830T123600Z")
      .With(
          "Authorization",
          HeaderAuthorization("20150830/us-east-1/service/aws4_request", "host;x-amz-date",
                              "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"));
  EXPECT_TRUE(Check(request).ok());
}

TEST_F(SigV4Test, PostSignsTheBodyHash) {
  TestRequest request;
  request.method = "POST";
  request.target = "/detector/abc/findings";
  request.body = R"({"maxResults":5})";
  request.With("Host", "example.amazonaws.com")
      .With("Content-Type", "application/json")
      .With("X-Amz-Date", "20150830T123600Z")
      .With("Authorization",
            HeaderAuthorization(
                "20150830/us-east-1/service/aws4_request", "content-type;host;x-amz-date",
                "41edb6ec5f5f05a85feab6fd2a26a1c369c7cad987b96a336d2eebc38aec7218"));
  EXPECT_TRUE(Check(request).ok());

  request.body = R"({"maxResults":6})";
  const Status tampered = Check(request);
  EXPECT_EQ(tampered.code(), StatusCode::kInvalidSignature);
  EXPECT_EQ(tampered.message(),
            "The request signature we calculated does not match the signature you provided. "
            "Check your AWS Secret Access Key and signing method. Consult the service "
            "documentation for details.");
}

TEST_F(SigV4Test, EncodedArnInThePathIsEncodedAgain) {
  TestRequest request;
  request.target = "/tags/arn%3Aaws%3Aguardduty%3Aus-east-1%3A111122223333%3Adetector%2Fabc";
  request.With("Host", "127.0.0.1:8484")
      .With("X-Amz-Date", "20150830T123600Z")
      .With(
          "Authorization",
          HeaderAuthorization("20150830/us-east-1/guardduty/aws4_request", "host;x-amz-date",
                              "c46709000cf6b8692fa63b96a3762c29c9a0349def1b041663395f3a7c29b68e"));
  EXPECT_TRUE(Check(request, "guardduty").ok());
}

TEST_F(SigV4Test, DotAndEmptySegmentsAreRemoved) {
  TestRequest request;
  request.target = "/a/./b/../c//d/";
  request.With("Host", "example.amazonaws.com")
      .With("X-Amz-Date", "20150830T123600Z")
      .With(
          "Authorization",
          HeaderAuthorization("20150830/us-east-1/service/aws4_request", "host;x-amz-date",
                              "07fc47830311f547240f25f97c1565bd7a705059e39e5d0c3e0c5287c2c4bcfc"));
  EXPECT_TRUE(Check(request).ok());
}

TEST_F(SigV4Test, HeaderValuesAreTrimmedAndSpacesCollapsed) {
  TestRequest request;
  request.With("Host", "example.amazonaws.com")
      .With("My-Header1", "  value1   with   spaces  ")
      .With("X-Tab", "a\tb")
      .With("X-Amz-Date", "20150830T123600Z")
      .With("Authorization",
            HeaderAuthorization(
                "20150830/us-east-1/service/aws4_request", "host;my-header1;x-amz-date;x-tab",
                "5d98d344713d30a3fa0e066de77f2daf995133c696064d435ea4f84fefc9be37"));
  EXPECT_TRUE(Check(request).ok());
}

TEST_F(SigV4Test, QueryValuesAreEncodedAgainAndRepeatsSortedByValue) {
  TestRequest request;
  request.target = "/?b=x%20y&a=%2F%3A&a=1&c";
  request.With("Host", "example.amazonaws.com")
      .With("X-Amz-Date", "20150830T123600Z")
      .With(
          "Authorization",
          HeaderAuthorization("20150830/us-east-1/service/aws4_request", "host;x-amz-date",
                              "ae5df122f719b51ce7b64379292cae7aaee8950933c064e692ad3b16d744a6a5"));
  EXPECT_TRUE(Check(request).ok());
}

TEST_F(SigV4Test, UnsignedPayloadLeavesTheBodyOut) {
  TestRequest request;
  request.method = "POST";
  request.target = "/x";
  request.body = "anything";
  request.With("Host", "example.amazonaws.com")
      .With("X-Amz-Content-SHA256", "UNSIGNED-PAYLOAD")
      .With("X-Amz-Date", "20150830T123600Z")
      .With("Authorization",
            HeaderAuthorization(
                "20150830/us-east-1/service/aws4_request", "host;x-amz-content-sha256;x-amz-date",
                "d529ba1c5ca1c0867941f43c2185b9db49e110b4b75fa5b7337ea96563536236"));
  EXPECT_TRUE(Check(request).ok());
  request.body = "something else";
  EXPECT_TRUE(Check(request).ok());

  const SigV4Verifier verifier = Verifier();
  StatusOr<SignatureClaim> claim = verifier.Read(request.head());
  ASSERT_TRUE(claim.ok());
  StatusOr<PayloadCoverage> coverage = verifier.VerifyHead(*claim);
  ASSERT_TRUE(coverage.ok());
  EXPECT_EQ(*coverage, PayloadCoverage::kUnsigned);
}

TEST_F(SigV4Test, TheDateHeaderMayStandForXAmzDate) {
  TestRequest request;
  request.With("Host", "example.amazonaws.com")
      .With("Date", "Sun, 30 Aug 2015 12:36:00 -0000")
      .With(
          "Authorization",
          HeaderAuthorization("20150830/us-east-1/service/aws4_request", "date;host",
                              "7680771e48fa28c7db272da980f990fa8ee39dee61905c4203f5da9d3d48ac86"));
  EXPECT_TRUE(Check(request).ok());
}

// botocore's generate_presigned_url signs non-S3 services over the body's hash.
TestRequest Presigned(std::string_view query_prefix = "maxResults=5&") {
  TestRequest request;
  request.target =
      "/detector/abc?" + std::string(query_prefix) +
      "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%"
      "2Fguardduty%2Faws4_request&X-Amz-Date=20150830T123600Z&X-Amz-Expires=300&"
      "X-Amz-SignedHeaders=host&"
      "X-Amz-Signature=8ed02baf782686cd54d5a4180c029f4cb72d68e4d54eff25b9ef238929d9b0bb";
  request.With("Host", "example.amazonaws.com");
  return request;
}

TEST_F(SigV4Test, PresignedQueryIsVerifiedWithoutTheSignatureParameter) {
  EXPECT_TRUE(Check(Presigned(), "guardduty").ok());
  const SigV4Verifier verifier = Verifier("guardduty");
  StatusOr<SignatureClaim> claim = verifier.Read(Presigned().head());
  ASSERT_TRUE(claim.ok()) << claim.status().ToString();
  EXPECT_TRUE(claim->presigned);
  // Signed over the (empty) body's hash: the head alone cannot tell.
  StatusOr<PayloadCoverage> coverage = verifier.VerifyHead(*claim);
  ASSERT_TRUE(coverage.ok());
  EXPECT_EQ(*coverage, PayloadCoverage::kBodyHash);
  EXPECT_TRUE(verifier.VerifyBody(*claim, kEmptySha256).ok());
}

TEST_F(SigV4Test, TamperedPresignedQueryFails) {
  const Status status = Check(Presigned("maxResults=6&"), "guardduty");
  EXPECT_EQ(status.code(), StatusCode::kInvalidSignature);
}

TEST_F(SigV4Test, PresignedUrlLivesExpiresSeconds) {
  clock_.Set(kSuiteTimeMillis + 300 * 1000);
  EXPECT_TRUE(Check(Presigned(), "guardduty").ok());
  clock_.Set(kSuiteTimeMillis + 301 * 1000);
  const Status status = Check(Presigned(), "guardduty");
  EXPECT_EQ(status.code(), StatusCode::kInvalidSignature);
  EXPECT_EQ(status.message(),
            "Signature expired: 20150830T123600Z is now earlier than 20150830T123601Z "
            "(20150830T124101Z - 300 sec.)");
}

TEST_F(SigV4Test, PresignedExpiryIsAtMostAWeek) {
  TestRequest request = Presigned();
  const size_t at = request.target.find("X-Amz-Expires=300");
  request.target.replace(at, 17, "X-Amz-Expires=604801");
  const Status status = Check(request, "guardduty");
  EXPECT_EQ(status.code(), StatusCode::kIncompleteSignature);
  EXPECT_EQ(status.message(), "X-Amz-Expires must be less than a week (in seconds) that is 604800");
}

TEST_F(SigV4Test, PresignedQueryNeedsEveryParameter) {
  TestRequest request;
  request.target = "/detector/abc?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature=00";
  request.With("Host", "example.amazonaws.com");
  const Status status = Check(request, "guardduty");
  EXPECT_EQ(status.code(), StatusCode::kIncompleteSignature);
  EXPECT_NE(status.message().find("X-Amz-Credential"), std::string::npos) << status.message();
}

TEST_F(SigV4Test, HeaderAndQuerySignaturesTogetherAreRefused) {
  TestRequest request = Presigned();
  request.With("Authorization", GetVanilla().headers[2].second);
  EXPECT_EQ(Check(request, "guardduty").code(), StatusCode::kIncompleteSignature);
}

TEST_F(SigV4Test, NoSignatureIsMissingAuthenticationToken) {
  TestRequest request;
  request.With("Host", "example.amazonaws.com");
  const Status status = Check(request);
  EXPECT_EQ(status.code(), StatusCode::kMissingAuthentication);
  EXPECT_EQ(status.message(), "Missing Authentication Token");
}

TEST_F(SigV4Test, MissingPartsAreIncompleteSignatures) {
  TestRequest request;
  request.With("Host", "example.amazonaws.com")
      .With("Authorization", "AWS4-HMAC-SHA256 SignedHeaders=host");
  Status status = Check(request);
  EXPECT_EQ(status.code(), StatusCode::kIncompleteSignature);
  EXPECT_EQ(status.message(),
            "Authorization header requires 'Credential' parameter. Authorization header requires "
            "'Signature' parameter. Authorization header requires existence of either a "
            "'X-Amz-Date' or a 'Date' header.");

  request.headers[1].second = "Bearer some-token";
  status = Check(request);
  EXPECT_EQ(status.code(), StatusCode::kIncompleteSignature);
  EXPECT_NE(status.message().find("missing equal-sign"), std::string::npos) << status.message();
}

TEST_F(SigV4Test, CredentialMustHaveFiveElements) {
  TestRequest request = GetVanilla();
  request.headers[2].second =
      "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service, "
      "SignedHeaders=host;x-amz-date, Signature=00";
  const Status status = Check(request);
  EXPECT_EQ(status.code(), StatusCode::kIncompleteSignature);
  EXPECT_EQ(status.message(),
            "Credential must have exactly 5 slash-delimited elements, e.g. "
            "keyid/date/region/service/term, got 'AKIDEXAMPLE/20150830/us-east-1/service'");
}

TEST_F(SigV4Test, HostMustBeSigned) {
  TestRequest request = GetVanilla();
  request.headers[2].second =
      HeaderAuthorization("20150830/us-east-1/service/aws4_request", "x-amz-date", "00");
  const Status status = Check(request);
  EXPECT_EQ(status.code(), StatusCode::kIncompleteSignature);
  EXPECT_EQ(status.message(),
            "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
}

TEST_F(SigV4Test, MalformedDateIsIncomplete) {
  TestRequest request = GetVanilla();
  request.headers[1].second = "2015-08-30T12:36:00Z";
  const Status status = Check(request);
  EXPECT_EQ(status.code(), StatusCode::kIncompleteSignature);
  EXPECT_EQ(status.message().rfind("Date must be in ISO-8601 'basic format'.", 0), 0u);
}

TEST_F(SigV4Test, ScopeMustNameTheServiceAndTheTerminator) {
  Status status = Check(GetVanilla(), "guardduty");
  EXPECT_EQ(status.code(), StatusCode::kInvalidSignature);
  EXPECT_EQ(status.message(), "Credential should be scoped to correct service: 'guardduty'.");

  TestRequest request = GetVanilla();
  request.headers[2].second =
      HeaderAuthorization("20150830/us-east-1/service/aws5_request", "host;x-amz-date", "00");
  status = Check(request);
  EXPECT_EQ(status.code(), StatusCode::kInvalidSignature);
  EXPECT_EQ(status.message(),
            "Credential should be scoped with a valid terminator: 'aws4_request', not "
            "'aws5_request'.");

  request.headers[2].second =
      HeaderAuthorization("20150830/US East/service/aws4_request", "host;x-amz-date", "00");
  EXPECT_EQ(Check(request).message(), "Credential should be scoped to a valid region.");
}

TEST_F(SigV4Test, ScopeDateMustBeTheRequestDate) {
  TestRequest request = GetVanilla();
  request.headers[2].second =
      HeaderAuthorization("20150831/us-east-1/service/aws4_request", "host;x-amz-date", "00");
  const Status status = Check(request);
  EXPECT_EQ(status.code(), StatusCode::kInvalidSignature);
  EXPECT_EQ(status.message(),
            "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from "
            "HTTP: '20150831' != '20150830', from '20150830T123600Z'.");
}

TEST_F(SigV4Test, UnknownKeyIsUnrecognizedClient) {
  TestRequest request = GetVanilla();
  request.headers[2].second =
      "AWS4-HMAC-SHA256 Credential=AKIDNOBODY/20150830/us-east-1/service/"
      "aws4_request, SignedHeaders=host;x-amz-date, Signature=00";
  const Status status = Check(request);
  EXPECT_EQ(status.code(), StatusCode::kUnrecognizedClient);
  EXPECT_EQ(status.message(), "The security token included in the request is invalid.");
}

TEST_F(SigV4Test, SessionTokensAreNotVigilsOwn) {
  TestRequest request = GetVanilla();
  request.With("X-Amz-Security-Token", "token");
  EXPECT_EQ(Check(request).code(), StatusCode::kUnrecognizedClient);
}

TEST_F(SigV4Test, WrongSecretIsInvalidSignature) {
  const SigV4Verifier verifier({{std::string(kAccessKey), "not-the-secret", "111122223333"}},
                               clock_, "service");
  StatusOr<SignatureClaim> claim = verifier.Verify(GetVanilla().head(), "");
  EXPECT_EQ(claim.status().code(), StatusCode::kInvalidSignature);
}

TEST_F(SigV4Test, FifteenMinutesOfSkewEitherWay) {
  clock_.Set(kSuiteTimeMillis + 15 * 60 * 1000);
  EXPECT_TRUE(Check(GetVanilla()).ok());
  clock_.Set(kSuiteTimeMillis - 15 * 60 * 1000);
  EXPECT_TRUE(Check(GetVanilla()).ok());

  clock_.Set(kSuiteTimeMillis + 16 * 60 * 1000);
  Status status = Check(GetVanilla());
  EXPECT_EQ(status.code(), StatusCode::kInvalidSignature);
  EXPECT_EQ(status.message(),
            "Signature expired: 20150830T123600Z is now earlier than 20150830T123700Z "
            "(20150830T125200Z - 15 min.)");

  clock_.Set(kSuiteTimeMillis - 16 * 60 * 1000);
  status = Check(GetVanilla());
  EXPECT_EQ(status.code(), StatusCode::kInvalidSignature);
  EXPECT_EQ(status.message(),
            "Signature not yet current: 20150830T123600Z is still later than 20150830T123500Z "
            "(20150830T122000Z + 15 min.)");
}

TEST_F(SigV4Test, DeclaredBodyHashIsVerifiedBeforeTheBodyAndCheckedAfter) {
  // Signed here with the pieces botocore's vectors vouch for above.
  const std::string body = "log line\n";
  TestRequest request;
  request.method = "POST";
  request.target = "/_vigil/ingest/abc/flowlogs";
  request.body = body;
  request.With("Host", "127.0.0.1:8484")
      .With("X-Amz-Date", "20150830T123600Z")
      .With("x-amz-content-sha256", Sha256Hex(body));
  const std::string signed_headers = "host;x-amz-content-sha256;x-amz-date";
  const std::string scope = "20150830/us-east-1/guardduty/aws4_request";
  const std::string canonical =
      CanonicalRequestHead(request.head(), signed_headers, false) + Sha256Hex(body);
  const std::string signature = SigV4Signature(kSecret, "20150830", "us-east-1", "guardduty",
                                               StringToSign("20150830T123600Z", scope, canonical));
  request.With("Authorization", HeaderAuthorization(scope, signed_headers, signature));

  const SigV4Verifier verifier = Verifier("guardduty");
  StatusOr<SignatureClaim> claim = verifier.Read(request.head());
  ASSERT_TRUE(claim.ok()) << claim.status().ToString();
  StatusOr<PayloadCoverage> coverage = verifier.VerifyHead(*claim);
  ASSERT_TRUE(coverage.ok()) << coverage.status().ToString();
  EXPECT_EQ(*coverage, PayloadCoverage::kDeclared);
  EXPECT_TRUE(verifier.VerifyBody(*claim, Sha256Hex(body)).ok());
  const Status changed = verifier.VerifyBody(*claim, Sha256Hex("other line\n"));
  EXPECT_EQ(changed.code(), StatusCode::kInvalidSignature);
  EXPECT_EQ(changed.message(),
            "The provided 'x-amz-content-sha256' header does not match what was computed.");
}

TEST_F(SigV4Test, ChunkSignedPayloadsAreRefused) {
  TestRequest request = GetVanilla();
  request.With("X-Amz-Content-SHA256", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD");
  EXPECT_EQ(Check(request).code(), StatusCode::kInvalidSignature);
}

TEST(CanonicalUriTest, MatchesBotocore) {
  EXPECT_EQ(CanonicalUri(""), "/");
  EXPECT_EQ(CanonicalUri("/"), "/");
  EXPECT_EQ(CanonicalUri("//"), "/");
  EXPECT_EQ(CanonicalUri("/detector/abc/filter/f-1_x.y~z"), "/detector/abc/filter/f-1_x.y~z");
  EXPECT_EQ(CanonicalUri("/tags/arn%3Aaws%3Aguardduty%3Aus-east-1%3A1%3Adetector%2Fabc"),
            "/tags/arn%253Aaws%253Aguardduty%253Aus-east-1%253A1%253Adetector%252Fabc");
  EXPECT_EQ(CanonicalUri("/a/./b/../c//d/"), "/a/c/d/");
  EXPECT_EQ(CanonicalUri("/../a"), "/a");
  EXPECT_EQ(CanonicalUri("/caf\xC3\xA9 x"), "/caf%C3%A9%20x");
}

TEST(CanonicalQueryStringTest, SortsAndEncodesAgain) {
  EXPECT_EQ(CanonicalQueryString("", false), "");
  EXPECT_EQ(CanonicalQueryString("b=x%20y&a=%2F%3A&a=1&c", false), "a=%2F%3A&a=1&b=x%20y&c=");
  EXPECT_EQ(CanonicalQueryString("x=a+b", false), "x=a%2Bb");
  EXPECT_EQ(CanonicalQueryString("b=1&X-Amz-Signature=ff", true), "b=1");
  EXPECT_EQ(CanonicalQueryString("b=1&X-Amz-Signature=ff", false), "X-Amz-Signature=ff&b=1");
}

TEST(CanonicalRequestTest, MatchesBotocoreForAPostWithABody) {
  TestRequest request;
  request.method = "POST";
  request.target = "/detector/abc/findings";
  request.With("Host", "example.amazonaws.com")
      .With("Content-Type", "application/json")
      .With("X-Amz-Date", "20150830T123600Z")
      .With("User-Agent", "not signed");
  EXPECT_EQ(CanonicalRequestHead(request.head(), "content-type;host;x-amz-date", false),
            "POST\n/detector/abc/findings\n\ncontent-type:application/json\n"
            "host:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\n"
            "content-type;host;x-amz-date\n");
}

TEST(CanonicalRequestTest, RepeatedHeadersJoinWithCommas) {
  TestRequest request;
  request.With("Host", "h").With("X-A", " 1 ").With("x-a", "2  3");
  EXPECT_EQ(CanonicalRequestHead(request.head(), "host;x-a", false),
            "GET\n/\n\nhost:h\nx-a:1,2 3\n\nhost;x-a\n");
}

}  // namespace
}  // namespace vigil::http
