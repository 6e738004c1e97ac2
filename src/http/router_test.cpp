#include "http/router.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

namespace vigil::http {
namespace {

Handler Answering(int status) {
  return [status](const Request&) -> StatusOr<Response> {
    Response response;
    response.status = status;
    return response;
  };
}

class RouterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    router_.Add("POST", "/detector", "CreateDetector", Answering(200));
    router_.Add("GET", "/detector", "ListDetectors", Answering(200));
    router_.Add("GET", "/detector/{detectorId}", "GetDetector", Answering(200));
    router_.Add("DELETE", "/detector/{detectorId}", "DeleteDetector", Answering(200));
    router_.Add("GET", "/detector/{detectorId}/filter/{filterName}", "GetFilter", Answering(200));
    router_.Add("GET", "/tags/{resourceArn}", "ListTagsForResource", Answering(200));
  }

  // The operation matched by (method, path), or the error code's name when none is.
  std::string OperationFor(std::string_view method, std::string_view path) {
    auto match = router_.Find(method, path);
    if (!match.ok()) return "error:" + match.status().ToString();
    return match->route->operation;
  }

  Router router_;
};

TEST_F(RouterTest, MatchesLiteralPaths) {
  EXPECT_EQ(OperationFor("POST", "/detector"), "CreateDetector");
  EXPECT_EQ(OperationFor("GET", "/detector"), "ListDetectors");
}

TEST_F(RouterTest, CapturesLabels) {
  auto match = router_.Find("GET", "/detector/abc123/filter/my-filter");
  ASSERT_TRUE(match.ok()) << match.status().ToString();
  EXPECT_EQ(match->route->operation, "GetFilter");
  const std::vector<std::pair<std::string, std::string>> expected = {{"detectorId", "abc123"},
                                                                     {"filterName", "my-filter"}};
  EXPECT_EQ(match->labels, expected);
}

TEST_F(RouterTest, PercentDecodesLabelsAfterSplittingSoEncodedSlashStaysInOneLabel) {
  auto match = router_.Find("GET",
                            "/tags/arn%3Aaws%3Aguardduty%3Aus-east-1%3A123456789012%3Adetector%2F"
                            "12abc34d567e8fa901bc2d34e56789f0");
  ASSERT_TRUE(match.ok()) << match.status().ToString();
  EXPECT_EQ(match->route->operation, "ListTagsForResource");
  ASSERT_EQ(match->labels.size(), 1u);
  EXPECT_EQ(match->labels[0].first, "resourceArn");
  EXPECT_EQ(match->labels[0].second,
            "arn:aws:guardduty:us-east-1:123456789012:detector/12abc34d567e8fa901bc2d34e56789f0");
}

TEST_F(RouterTest, ChildArnWithEncodedSlashesStaysOneLabel) {
  auto match = router_.Find("GET",
                            "/tags/arn%3Aaws%3Aguardduty%3Aus-east-1%3A123456789012%3A"
                            "detector%2Fd1%2Ffilter%2Ff1");
  ASSERT_TRUE(match.ok()) << match.status().ToString();
  ASSERT_EQ(match->labels.size(), 1u);
  EXPECT_EQ(match->labels[0].second,
            "arn:aws:guardduty:us-east-1:123456789012:detector/d1/filter/f1");
}

TEST_F(RouterTest, MethodMustMatch) {
  EXPECT_EQ(OperationFor("GET", "/detector/abc"), "GetDetector");
  EXPECT_EQ(OperationFor("DELETE", "/detector/abc"), "DeleteDetector");
  auto match = router_.Find("PUT", "/detector/abc");
  ASSERT_FALSE(match.ok());
  EXPECT_EQ(match.status().code(), StatusCode::kUnknownOperation);
  auto lower = router_.Find("get", "/detector/abc");
  ASSERT_FALSE(lower.ok());
  EXPECT_EQ(lower.status().code(), StatusCode::kUnknownOperation);
}

TEST_F(RouterTest, UnknownPathIsUnknownOperation) {
  for (const char* path : {"/", "", "/nothing", "/detector/abc/unknown", "/detector/abc/filter",
                           "/detector/abc/filter/f/extra", "/Detector"}) {
    SCOPED_TRACE(path);
    auto match = router_.Find("GET", path);
    ASSERT_FALSE(match.ok());
    EXPECT_EQ(match.status().code(), StatusCode::kUnknownOperation);
  }
}

TEST_F(RouterTest, EmptySegmentDoesNotMatchALabel) {
  auto match = router_.Find("GET", "/detector//filter/f1");
  ASSERT_FALSE(match.ok());
  EXPECT_EQ(match.status().code(), StatusCode::kUnknownOperation);
}

TEST_F(RouterTest, IgnoresATrailingSlash) {
  EXPECT_EQ(OperationFor("GET", "/detector/"), "ListDetectors");
  auto match = router_.Find("GET", "/detector/abc/");
  ASSERT_TRUE(match.ok()) << match.status().ToString();
  EXPECT_EQ(match->route->operation, "GetDetector");
  ASSERT_EQ(match->labels.size(), 1u);
  EXPECT_EQ(match->labels[0].second, "abc");
}

TEST_F(RouterTest, BadEscapeInALabelIsInvalidInputNamingTheLabel) {
  auto match = router_.Find("GET", "/detector/ab%G1");
  ASSERT_FALSE(match.ok());
  EXPECT_EQ(match.status().code(), StatusCode::kInvalidInput);
  EXPECT_NE(match.status().message().find("detectorId"), std::string::npos)
      << match.status().message();
  auto truncated = router_.Find("GET", "/tags/arn%3");
  ASSERT_FALSE(truncated.ok());
  EXPECT_EQ(truncated.status().code(), StatusCode::kInvalidInput);
}

TEST_F(RouterTest, RouteIndexIsItsPositionInTheRouter) {
  ASSERT_EQ(router_.routes().size(), 6u);
  for (size_t i = 0; i < router_.routes().size(); ++i) EXPECT_EQ(router_.routes()[i].index, i);
  auto match = router_.Find("GET", "/tags/x");
  ASSERT_TRUE(match.ok());
  EXPECT_EQ(match->route->index, 5u);
  EXPECT_EQ(match->route->path_template, "/tags/{resourceArn}");
}

TEST_F(RouterTest, MatchedRouteCarriesItsHandler) {
  auto match = router_.Find("POST", "/detector");
  ASSERT_TRUE(match.ok());
  Request request;
  auto response = match->route->handler(request);
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(response->status, 200);
}

TEST(RouterPreferenceTest, PrefersLiteralSegmentOverLabelWhateverTheOrder) {
  for (bool literal_first : {true, false}) {
    SCOPED_TRACE(literal_first);
    Router router;
    auto add_literal = [&] {
      router.Add("POST", "/detector/{detectorId}/findings/get", "GetFindings", Answering(200));
    };
    auto add_label = [&] {
      router.Add("POST", "/detector/{detectorId}/findings/{findingId}", "SomeFinding",
                 Answering(200));
    };
    if (literal_first) {
      add_literal();
      add_label();
    } else {
      add_label();
      add_literal();
    }
    auto literal = router.Find("POST", "/detector/d1/findings/get");
    ASSERT_TRUE(literal.ok()) << literal.status().ToString();
    EXPECT_EQ(literal->route->operation, "GetFindings");
    auto label = router.Find("POST", "/detector/d1/findings/other");
    ASSERT_TRUE(label.ok()) << label.status().ToString();
    EXPECT_EQ(label->route->operation, "SomeFinding");
    EXPECT_EQ(label->labels.back().second, "other");
  }
}

TEST(RequestTest, LabelReturnsDecodedValueOrEmpty) {
  Request request;
  request.labels = {{"detectorId", "d1"}, {"filterName", "f 1"}};
  EXPECT_EQ(request.Label("detectorId"), "d1");
  EXPECT_EQ(request.Label("filterName"), "f 1");
  EXPECT_EQ(request.Label("missing"), "");
}

TEST(RequestTest, QueryValueReturnsTheFirstValue) {
  Request request;
  request.query = {{"maxResults", "5"}, {"tagKeys", "a"}, {"tagKeys", "b"}, {"empty", ""}};
  EXPECT_EQ(request.QueryValue("maxResults"), std::optional<std::string>("5"));
  EXPECT_EQ(request.QueryValue("tagKeys"), std::optional<std::string>("a"));
  EXPECT_EQ(request.QueryValue("empty"), std::optional<std::string>(""));
  EXPECT_EQ(request.QueryValue("nextToken"), std::nullopt);
}

TEST(RequestTest, QueryValuesReturnsEveryValueInOrder) {
  Request request;
  request.query = {{"tagKeys", "b"}, {"other", "x"}, {"tagKeys", "a"}, {"tagKeys", "b"}};
  EXPECT_EQ(request.QueryValues("tagKeys"), (std::vector<std::string>{"b", "a", "b"}));
  EXPECT_EQ(request.QueryValues("other"), (std::vector<std::string>{"x"}));
  EXPECT_TRUE(request.QueryValues("missing").empty());
}

}  // namespace
}  // namespace vigil::http
