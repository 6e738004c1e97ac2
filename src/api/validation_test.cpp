#include "api/validation.h"

#include <gtest/gtest.h>

#include <array>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <functional>
#include <string>
#include <string_view>

#include "core/json_input.h"

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

// ---- ReadTags ----

TEST(ReadTagsTest, ReadsAndValidatesTags) {
  const json::object good = Object(R"({"tags": {"env": "prod", "team": ""}})");
  JsonReader in(good);
  EXPECT_EQ(ReadTags(in, "tags", Presence::kRequired),
            std::optional<Tags>(Tags{{"env", "prod"}, {"team", ""}}));
  EXPECT_TRUE(in.status().ok()) << in.status().ToString();

  for (const char* text : {R"({"tags": {"env": 1}})", R"({"tags": {"aws:env": "x"}})",
                           R"({"tags": {"bad key": "x"}})"}) {
    SCOPED_TRACE(text);
    const json::object bad = Object(text);
    JsonReader reader(bad);
    EXPECT_EQ(ReadTags(reader, "tags", Presence::kRequired), std::nullopt);
    ExpectInvalid(reader.status(), "tags");
  }
}

TEST(ReadTagsTest, RejectsMoreThan50Tags) {
  json::object tags;
  for (int i = 0; i < 51; ++i) tags["k" + std::to_string(i)] = "v";
  json::object body;
  body["tags"] = tags;
  JsonReader in(body);
  EXPECT_EQ(ReadTags(in, "tags", Presence::kRequired), std::nullopt);
  ExpectInvalid(in.status(), "tags");
}

}  // namespace
}  // namespace vigil::api
