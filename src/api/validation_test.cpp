#include "api/validation.h"

#include <gtest/gtest.h>

#include <array>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <functional>
#include <string>
#include <string_view>

#include "api/json_input.h"

namespace vigil::api {
namespace {

namespace json = boost::json;

json::object Object(std::string_view text) { return json::parse(text).as_object(); }

// Expects `status` to be InvalidInput with a message containing `fragment`.
void ExpectInvalid(const Status& status, std::string_view fragment) {
  EXPECT_EQ(status.code(), StatusCode::kInvalidInput) << status.ToString();
  EXPECT_NE(status.message().find(fragment), std::string::npos)
      << "message '" << status.message() << "' does not mention '" << fragment << "'";
}

// ---- ValidateFilterName ----

TEST(ValidateFilterNameTest, AcceptsNamesOf3To64AllowedCharacters) {
  EXPECT_TRUE(ValidateFilterName("abc", "name").ok());
  EXPECT_TRUE(ValidateFilterName(std::string(64, 'a'), "name").ok());
  EXPECT_TRUE(ValidateFilterName("My_Filter.v-2", "name").ok());
  EXPECT_TRUE(ValidateFilterName("123", "name").ok());
}

TEST(ValidateFilterNameTest, RejectsTooShortOrTooLongNamingTheParameter) {
  ExpectInvalid(ValidateFilterName("", "name"), "name");
  ExpectInvalid(ValidateFilterName("ab", "name"), "name");
  ExpectInvalid(ValidateFilterName(std::string(65, 'a'), "filterName"), "filterName");
}

TEST(ValidateFilterNameTest, RejectsCharactersOutsideTheCharset) {
  for (const char* name :
       {"my filter", "my/filter", "filter!", "a:b:c", "caf\xC3\xA9", "a+bc", "abc\n"}) {
    SCOPED_TRACE(name);
    ExpectInvalid(ValidateFilterName(name, "name"), "name");
  }
}

// ---- ValidateTagKey / ValidateTags ----

TEST(ValidateTagKeyTest, AcceptsKeysMatchingTheModelPattern) {
  for (const char* key :
       {"Name", "a", "env", "key1", "2024", "team/env:prod", "a+b=c.d_e-f", "x;y<z"}) {
    SCOPED_TRACE(key);
    EXPECT_TRUE(ValidateTagKey(key, "tags").ok());
  }
}

TEST(ValidateTagKeyTest, RejectsTheAwsPrefix) {
  ExpectInvalid(ValidateTagKey("aws:cloudformation:stack-name", "tags"), "tags");
  ExpectInvalid(ValidateTagKey("aws:", "tags"), "tags");
  EXPECT_TRUE(ValidateTagKey("myaws:key", "tags").ok());
}

TEST(ValidateTagKeyTest, RejectsSpacesAndOtherCharacters) {
  for (const char* key : {"my key", "key@", "key#1", "key?", "key>", "k\xC3\xA9y", "tab\tkey"}) {
    SCOPED_TRACE(key);
    ExpectInvalid(ValidateTagKey(key, "tagKeys"), "tagKeys");
  }
}

TEST(ValidateTagKeyTest, AcceptsLength128AndRejects129AndEmpty) {
  EXPECT_TRUE(ValidateTagKey(std::string(128, 'k'), "tags").ok());
  ExpectInvalid(ValidateTagKey(std::string(129, 'k'), "tags"), "tags");
  ExpectInvalid(ValidateTagKey("", "tags"), "tags");
}

Tags NumberedTags(int count) {
  Tags tags;
  for (int i = 0; i < count; ++i) tags["key" + std::to_string(i)] = "value";
  return tags;
}

TEST(ValidateTagsTest, Accepts50TagsAndRejects51) {
  EXPECT_TRUE(ValidateTags(NumberedTags(1), "tags").ok());
  EXPECT_TRUE(ValidateTags(NumberedTags(50), "tags").ok());
  ExpectInvalid(ValidateTags(NumberedTags(51), "tags"), "tags");
}

TEST(ValidateTagsTest, RejectsAnEmptyTagMap) {
  // The header promises 1-50 tags, as the model's TagMap (min 1).
  ExpectInvalid(ValidateTags(Tags{}, "tags"), "tags");
}

TEST(ValidateTagsTest, AcceptsValueOf256AndRejects257) {
  EXPECT_TRUE(ValidateTags(Tags{{"k", std::string(256, 'v')}}, "tags").ok());
  EXPECT_TRUE(ValidateTags(Tags{{"k", ""}}, "tags").ok());
  ExpectInvalid(ValidateTags(Tags{{"k", std::string(257, 'v')}}, "tags"), "tags");
}

TEST(ValidateTagsTest, RejectsAnInvalidKey) {
  ExpectInvalid(ValidateTags(Tags{{"good", "1"}, {"aws:bad", "2"}}, "tags"), "tags");
  ExpectInvalid(ValidateTags(Tags{{"bad key", "1"}}, "tags"), "tags");
}

// ---- IsUri ----

TEST(IsUriTest, AcceptsAbsoluteUris) {
  EXPECT_TRUE(IsUri("s3://b/k"));
  EXPECT_TRUE(IsUri("https://s3.amazonaws.com/b/k"));
  EXPECT_TRUE(IsUri("https://my-bucket.s3.us-west-2.amazonaws.com/lists/ips.txt"));
  EXPECT_TRUE(IsUri("file:///tmp/x"));
  EXPECT_TRUE(IsUri("http://127.0.0.1:8080/list.txt"));
}

TEST(IsUriTest, RejectsRelativeOrMalformedText) {
  for (const char* location :
       {"not a uri", "", "/tmp/x", "bucket/key", "://no-scheme", "s3://bucket/a key"}) {
    SCOPED_TRACE(location);
    EXPECT_FALSE(IsUri(location));
  }
}

// ---- ValidateFindingCriteria ----

TEST(ValidateFindingCriteriaTest, AcceptsWellFormedCriteria) {
  const json::object criteria = Object(R"({"criterion": {
      "severity": {"gte": 4, "lt": 8},
      "type": {"eq": ["Recon:EC2/PortProbeUnprotectedPort", "UnauthorizedAccess:EC2/SSHBruteForce"]},
      "service.archived": {"equals": ["false"]},
      "resource.instanceDetails.instanceId": {"neq": ["i-1"], "notEquals": ["i-2"]},
      "updatedAt": {"greaterThan": 1516744412815, "lessThanOrEqual": 1716744412815},
      "confidence": {"gt": 1, "lte": 9, "greaterThanOrEqual": 2, "lessThan": 8}}})");
  const Status status = ValidateFindingCriteria(criteria, "findingCriteria");
  EXPECT_TRUE(status.ok()) << status.ToString();
}

TEST(ValidateFindingCriteriaTest, AcceptsEmptyCriteria) {
  EXPECT_TRUE(ValidateFindingCriteria(Object("{}"), "findingCriteria").ok());
  EXPECT_TRUE(ValidateFindingCriteria(Object(R"({"criterion": {}})"), "findingCriteria").ok());
  EXPECT_TRUE(
      ValidateFindingCriteria(Object(R"({"criterion": {"type": {"eq": []}}})"), "findingCriteria")
          .ok());
}

TEST(ValidateFindingCriteriaTest, RejectsUnknownOperatorNamingTheAttributePath) {
  const Status status = ValidateFindingCriteria(
      Object(R"({"criterion": {"severity": {"between": [1, 2]}}})"), "findingCriteria");
  ExpectInvalid(status, "findingCriteria.criterion.severity");
  ExpectInvalid(status, "between");
}

TEST(ValidateFindingCriteriaTest, RejectsWrongValueTypes) {
  for (const char* text : {
           R"({"criterion": {"type": {"eq": "Recon:EC2/PortProbeUnprotectedPort"}}})",
           R"({"criterion": {"type": {"eq": [1, 2]}}})",
           R"({"criterion": {"type": {"equals": [null]}}})",
           R"({"criterion": {"severity": {"gte": "4"}}})",
           R"({"criterion": {"severity": {"gte": 4.5}}})",
           R"({"criterion": {"severity": {"lt": [4]}}})",
           R"({"criterion": {"severity": {"gt": true}}})",
       }) {
    SCOPED_TRACE(text);
    ExpectInvalid(ValidateFindingCriteria(Object(text), "findingCriteria"),
                  "findingCriteria.criterion.");
  }
}

TEST(ValidateFindingCriteriaTest, RejectsNonObjectCriterionAndConditions) {
  for (const char* text : {
           R"({"criterion": [1]})",
           R"({"criterion": "severity"})",
           R"({"criterion": {"severity": 4}})",
           R"({"criterion": {"severity": ["gte", 4]}})",
           R"({"criterion": {"severity": {}}})",
       }) {
    SCOPED_TRACE(text);
    ExpectInvalid(ValidateFindingCriteria(Object(text), "findingCriteria"),
                  "findingCriteria.criterion");
  }
}

TEST(ValidateFindingCriteriaTest, RejectsUnknownTopLevelMember) {
  ExpectInvalid(ValidateFindingCriteria(Object(R"({"criteria": {}})"), "findingCriteria"),
                "findingCriteria");
}

std::string CriteriaWithAttributes(int count) {
  std::string text = R"({"criterion": {)";
  for (int i = 0; i < count; ++i) {
    if (i > 0) text += ",";
    text += "\"attribute" + std::to_string(i) + "\": {\"eq\": [\"x\"]}";
  }
  return text + "}}";
}

TEST(ValidateFindingCriteriaTest, Accepts50AttributesAndRejects51) {
  EXPECT_TRUE(ValidateFindingCriteria(Object(CriteriaWithAttributes(50)), "findingCriteria").ok());
  ExpectInvalid(ValidateFindingCriteria(Object(CriteriaWithAttributes(51)), "findingCriteria"),
                "findingCriteria.criterion");
}

TEST(ValidateFindingCriteriaTest, RejectsMoreThan50ValuesInOneCondition) {
  json::array values;
  for (int i = 0; i < 51; ++i) values.emplace_back("v" + std::to_string(i));
  json::object condition;
  condition["eq"] = values;
  json::object criterion;
  criterion["type"] = condition;
  json::object criteria;
  criteria["criterion"] = criterion;
  ExpectInvalid(ValidateFindingCriteria(criteria, "findingCriteria"),
                "findingCriteria.criterion.type");
  values.pop_back();
  criteria["criterion"].as_object()["type"].as_object()["eq"] = values;
  EXPECT_TRUE(ValidateFindingCriteria(criteria, "findingCriteria").ok());
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
  EXPECT_EQ(in.TagMap("tags", Presence::kOptional), std::nullopt);
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
      {"tags", [](JsonReader& in) { in.TagMap("tags", Presence::kRequired); }},
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
      {"t", [](JsonReader& in) { return in.TagMap("t", Presence::kRequired).has_value(); }},
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

TEST(JsonReaderTest, TagMapReadsAndValidatesTags) {
  const json::object good = Object(R"({"tags": {"env": "prod", "team": ""}})");
  JsonReader in(good);
  EXPECT_EQ(in.TagMap("tags", Presence::kRequired),
            std::optional<Tags>(Tags{{"env", "prod"}, {"team", ""}}));
  EXPECT_TRUE(in.status().ok()) << in.status().ToString();

  for (const char* text : {R"({"tags": {"env": 1}})", R"({"tags": {"aws:env": "x"}})",
                           R"({"tags": {"bad key": "x"}})"}) {
    SCOPED_TRACE(text);
    const json::object bad = Object(text);
    JsonReader reader(bad);
    EXPECT_EQ(reader.TagMap("tags", Presence::kRequired), std::nullopt);
    ExpectInvalid(reader.status(), "tags");
  }
}

TEST(JsonReaderTest, TagMapRejectsMoreThan50Tags) {
  json::object tags;
  for (int i = 0; i < 51; ++i) tags["k" + std::to_string(i)] = "v";
  json::object body;
  body["tags"] = tags;
  JsonReader in(body);
  EXPECT_EQ(in.TagMap("tags", Presence::kRequired), std::nullopt);
  ExpectInvalid(in.status(), "tags");
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
}  // namespace vigil::api
