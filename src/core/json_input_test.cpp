#include "core/json_input.h"

#include <gtest/gtest.h>

#include <array>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <functional>
#include <string>
#include <string_view>

namespace vigil {
namespace {

namespace json = boost::json;

json::object Object(std::string_view text) { return json::parse(text).as_object(); }

// Expects `status` to be InvalidInput with a message containing `fragment`.
void ExpectInvalid(const Status& status, std::string_view fragment) {
  EXPECT_EQ(status.code(), StatusCode::kInvalidInput) << status.ToString();
  EXPECT_NE(status.message().find(fragment), std::string::npos)
      << "message '" << status.message() << "' does not mention '" << fragment << "'";
}

// ---- ParseBodyObject ----

TEST(ParseBodyObjectTest, EmptyOrBlankBodyIsAnEmptyObject) {
  for (const char* body : {"", "  ", "\r\n\t"}) {
    SCOPED_TRACE(body);
    auto parsed = ParseBodyObject(body);
    ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
    EXPECT_TRUE(parsed->empty());
  }
}

TEST(ParseBodyObjectTest, ParsesAnObject) {
  auto parsed = ParseBodyObject(R"({"enable": true, "tags": {"a": "b"}})");
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->size(), 2u);
  EXPECT_EQ(parsed->at("enable"), json::value(true));
}

TEST(ParseBodyObjectTest, RejectsNonObjectsAndMalformedJson) {
  for (const char* body :
       {"[1]", "{bad", "1", "\"text\"", "null", "{\"a\": 1,}", "{} {}", "{\"a\": 1"}) {
    SCOPED_TRACE(body);
    auto parsed = ParseBodyObject(body);
    ASSERT_FALSE(parsed.ok());
    EXPECT_EQ(parsed.status().code(), StatusCode::kInvalidInput);
  }
}

TEST(ParseBodyObjectTest, DeeplyNestedBodyIsInvalidInputNotACrash) {
  auto arrays = ParseBodyObject(std::string(10000, '['));
  ASSERT_FALSE(arrays.ok());
  EXPECT_EQ(arrays.status().code(), StatusCode::kInvalidInput);

  std::string objects;
  for (int i = 0; i < 10000; ++i) objects += "{\"a\":";
  objects += "1";
  objects += std::string(10000, '}');
  auto nested = ParseBodyObject(objects);
  ASSERT_FALSE(nested.ok());
  EXPECT_EQ(nested.status().code(), StatusCode::kInvalidInput);
}

TEST(ParseBodyObjectTest, AcceptsModestNesting) {
  auto parsed = ParseBodyObject(
      R"({"findingCriteria": {"criterion": {"severity": {"eq": ["1"]}}}, "a": [[[[1]]]]})");
  EXPECT_TRUE(parsed.ok()) << parsed.status().ToString();
}

// `depth` objects nested in one another: {"a":{"a":...{}}}.
std::string NestedObjects(int depth) {
  std::string text;
  for (int i = 1; i < depth; ++i) text += "{\"a\":";
  text += "{}";
  text += std::string(depth - 1, '}');
  return text;
}

// A body whose "items" array holds `count` numbers: count + 1 elements in all.
std::string BodyWithItems(size_t count) {
  std::string text = "{\"items\":[";
  for (size_t i = 0; i < count; ++i) text += i == 0 ? "0" : ",0";
  return text + "]}";
}

TEST(ParseBodyObjectTest, DepthLimitCountsTheBodysOwnObject) {
  const JsonLimits limits{.max_depth = 8, .max_elements = 1000};
  EXPECT_TRUE(ParseBodyObject(NestedObjects(8), limits).ok());
  auto deeper = ParseBodyObject(NestedObjects(9), limits);
  ASSERT_FALSE(deeper.ok());
  ExpectInvalid(deeper.status(), "deeper than 8 levels");
}

TEST(ParseBodyObjectTest, ElementLimitCountsValuesAtEveryDepth) {
  const JsonLimits limits{.max_depth = 64, .max_elements = 10};
  EXPECT_TRUE(ParseBodyObject(BodyWithItems(9), limits).ok());  // the array and 9 items
  auto more = ParseBodyObject(BodyWithItems(10), limits);
  ASSERT_FALSE(more.ok());
  ExpectInvalid(more.status(), "more than 10 JSON elements");
  // Members of nested objects count as well as array items.
  auto members = ParseBodyObject(R"({"a":{"b":1,"c":2,"d":{"e":[1,2,3,4,5,6]}}})", limits);
  ASSERT_FALSE(members.ok());
  ExpectInvalid(members.status(), "more than 10 JSON elements");
}

TEST(ParseBodyObjectTest, DefaultLimitsComeFromSetJsonBodyLimits) {
  SetJsonBodyLimits({.max_depth = 64, .max_elements = 3});
  const auto more = ParseBodyObject(BodyWithItems(3));
  SetJsonBodyLimits({});
  ASSERT_FALSE(more.ok());
  ExpectInvalid(more.status(), "more than 3 JSON elements");
  EXPECT_TRUE(ParseBodyObject(BodyWithItems(3)).ok());
  EXPECT_TRUE(ParseBodyObject(BodyWithItems(99'999)).ok());  // the default: 100,000
  EXPECT_FALSE(ParseBodyObject(BodyWithItems(100'000)).ok());
}

TEST(ParseBodyObjectTest, ParsedValuesMatchBoostJsonParse) {
  const std::string_view text =
      R"({"s":"t\u00e9xt","i":-5,"u":18446744073709551615,"d":1.5,"b":false,"n":null,)"
      R"("o":{"k":[1,"two",{"x":[]}]}})";
  auto parsed = ParseBodyObject(text);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(json::value(*parsed), json::parse(text));
}

// ---- JsonReader ----

TEST(JsonReaderTest, ReadsPresentMembers) {
  const json::object body = Object(R"({"enable": true, "rank": 7, "name": "abc",
      "frequency": "ONE_HOUR", "dataSources": {"s3Logs": {"enable": false}}})");
  JsonReader in(body);
  constexpr std::array<std::string_view, 3> kFrequencies = {"FIFTEEN_MINUTES", "ONE_HOUR",
                                                            "SIX_HOURS"};
  EXPECT_EQ(in.Bool("enable", Presence::kRequired), std::optional<bool>(true));
  EXPECT_EQ(in.Integer("rank", Presence::kRequired, 1, 100), std::optional<int64_t>(7));
  EXPECT_EQ(in.String("name", Presence::kRequired, 3, 64), std::optional<std::string>("abc"));
  EXPECT_EQ(in.Enum("frequency", Presence::kRequired, kFrequencies),
            std::optional<std::string>("ONE_HOUR"));
  const json::object* sources = in.Object("dataSources", Presence::kRequired);
  ASSERT_NE(sources, nullptr);
  EXPECT_TRUE(sources->contains("s3Logs"));
  EXPECT_TRUE(in.status().ok()) << in.status().ToString();
}

TEST(JsonReaderTest, OptionalMissingOrNullMembersAreAbsentWithoutError) {
  const json::object body = Object(R"({"enable": null})");
  JsonReader in(body);
  constexpr std::array<std::string_view, 1> kAllowed = {"A"};
  EXPECT_EQ(in.Bool("enable", Presence::kOptional), std::nullopt);
  EXPECT_EQ(in.Integer("rank", Presence::kOptional, 1, 100), std::nullopt);
  EXPECT_EQ(in.String("name", Presence::kOptional, 3, 64), std::nullopt);
  EXPECT_EQ(in.Enum("frequency", Presence::kOptional, kAllowed), std::nullopt);
  EXPECT_EQ(in.Object("dataSources", Presence::kOptional), nullptr);
  EXPECT_TRUE(in.status().ok()) << in.status().ToString();
}

TEST(JsonReaderTest, RequiredMissingMessagesNameThePrefixedMember) {
  const json::object body;
  constexpr std::array<std::string_view, 1> kAllowed = {"A"};
  struct Case {
    const char* member;
    std::function<void(JsonReader&)> read;
  };
  const Case cases[] = {
      {"enable", [](JsonReader& in) { in.Bool("enable", Presence::kRequired); }},
      {"rank", [](JsonReader& in) { in.Integer("rank", Presence::kRequired, 1, 100); }},
      {"name", [](JsonReader& in) { in.String("name", Presence::kRequired, 3, 64); }},
      {"frequency", [&](JsonReader& in) { in.Enum("frequency", Presence::kRequired, kAllowed); }},
      {"s3Logs", [](JsonReader& in) { in.Object("s3Logs", Presence::kRequired); }},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.member);
    JsonReader in(body, "dataSources.kubernetes");
    c.read(in);
    ExpectInvalid(in.status(), std::string("dataSources.kubernetes.") + c.member);
  }
}

TEST(JsonReaderTest, RequiredNullIsMissing) {
  const json::object body = Object(R"({"enable": null})");
  JsonReader in(body);
  EXPECT_EQ(in.Bool("enable", Presence::kRequired), std::nullopt);
  ExpectInvalid(in.status(), "enable");
}

TEST(JsonReaderTest, PathOfJoinsPrefixAndName) {
  const json::object body;
  EXPECT_EQ(JsonReader(body).PathOf("enable"), "enable");
  EXPECT_EQ(JsonReader(body, "dataSources.s3Logs").PathOf("enable"), "dataSources.s3Logs.enable");
}

TEST(JsonReaderTest, RejectsWrongTypesNamingTheMember) {
  const json::object body =
      Object(R"({"b": "true", "i": "5", "f": 1.5, "s": 5, "e": 1, "o": [1], "t": ["a"]})");
  constexpr std::array<std::string_view, 1> kAllowed = {"A"};
  struct Case {
    const char* member;
    std::function<bool(JsonReader&)> read;  // true when the read gave a value
  };
  const Case cases[] = {
      {"b", [](JsonReader& in) { return in.Bool("b", Presence::kRequired).has_value(); }},
      {"i", [](JsonReader& in) { return in.Integer("i", Presence::kRequired, 0, 10).has_value(); }},
      {"f", [](JsonReader& in) { return in.Integer("f", Presence::kRequired, 0, 10).has_value(); }},
      {"s", [](JsonReader& in) { return in.String("s", Presence::kRequired, 0, 10).has_value(); }},
      {"e",
       [&](JsonReader& in) { return in.Enum("e", Presence::kRequired, kAllowed).has_value(); }},
      {"o", [](JsonReader& in) { return in.Object("o", Presence::kRequired) != nullptr; }},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.member);
    JsonReader in(body, "outer");
    EXPECT_FALSE(c.read(in));
    ExpectInvalid(in.status(), std::string("outer.") + c.member);
  }
}

TEST(JsonReaderTest, IntegerMustLieInRange) {
  const json::object body = Object(
      R"({"low": 0, "min": 1, "max": 10, "high": 11, "negative": -5, "huge": 18446744073709551615})");
  {
    JsonReader in(body);
    EXPECT_EQ(in.Integer("min", Presence::kRequired, 1, 10), std::optional<int64_t>(1));
    EXPECT_EQ(in.Integer("max", Presence::kRequired, 1, 10), std::optional<int64_t>(10));
    EXPECT_EQ(in.Integer("negative", Presence::kRequired, -10, 10), std::optional<int64_t>(-5));
    EXPECT_TRUE(in.status().ok()) << in.status().ToString();
  }
  for (const char* member : {"low", "high", "huge", "negative"}) {
    SCOPED_TRACE(member);
    JsonReader in(body);
    EXPECT_EQ(in.Integer(member, Presence::kRequired, 1, 10), std::nullopt);
    ExpectInvalid(in.status(), member);
  }
}

TEST(JsonReaderTest, StringLengthMustLieInRange) {
  const json::object body = Object(R"({"short": "ab", "ok": "abc", "long": "abcdef"})");
  {
    JsonReader in(body);
    EXPECT_EQ(in.String("ok", Presence::kRequired, 3, 5), std::optional<std::string>("abc"));
    EXPECT_TRUE(in.status().ok());
  }
  for (const char* member : {"short", "long"}) {
    SCOPED_TRACE(member);
    JsonReader in(body);
    EXPECT_EQ(in.String(member, Presence::kRequired, 3, 5), std::nullopt);
    ExpectInvalid(in.status(), member);
  }
}

TEST(JsonReaderTest, EnumRejectsValuesOutsideTheAllowedSet) {
  const json::object body = Object(R"({"frequency": "one_hour"})");
  constexpr std::array<std::string_view, 2> kAllowed = {"ONE_HOUR", "SIX_HOURS"};
  JsonReader in(body);
  EXPECT_EQ(in.Enum("frequency", Presence::kRequired, kAllowed), std::nullopt);
  ExpectInvalid(in.status(), "frequency");
  ExpectInvalid(in.status(), "ONE_HOUR");
}

TEST(JsonReaderTest, FirstErrorWins) {
  const json::object body = Object(R"({"first": "x", "second": "y"})");
  JsonReader in(body);
  in.Bool("first", Presence::kRequired);
  in.Integer("second", Presence::kRequired, 0, 1);
  in.Bool("third", Presence::kRequired);
  ExpectInvalid(in.status(), "first");
  EXPECT_EQ(in.status().message().find("second"), std::string::npos) << in.status().message();
  EXPECT_EQ(in.status().message().find("third"), std::string::npos) << in.status().message();
}

TEST(JsonReaderTest, FailKeepsTheEarlierStatus) {
  const json::object body;
  JsonReader in(body);
  in.Fail(Status::InvalidInput("one"));
  in.Fail(Status::InvalidInput("two"));
  EXPECT_EQ(in.status().message(), "one");
}

TEST(InvalidParameterTest, NamesTheParameterAndDetail) {
  const Status status = InvalidParameter("maxResults", "expected an integer.");
  EXPECT_EQ(status.code(), StatusCode::kInvalidInput);
  EXPECT_EQ(status.message(),
            "The request is rejected because the parameter maxResults has an invalid value: "
            "expected an integer.");
}

}  // namespace
}  // namespace vigil
