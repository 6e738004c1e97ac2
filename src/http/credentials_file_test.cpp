#include "http/credentials_file.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

namespace vigil::http {
namespace {

StatusOr<std::vector<Principal>> Json(std::string_view text) {
  return ParseCredentials(text, CredentialsFormat::kJson, "creds.json");
}
StatusOr<std::vector<Principal>> Toml(std::string_view text) {
  return ParseCredentials(text, CredentialsFormat::kToml, "creds.toml");
}

TEST(CredentialsFileTest, ReadsJson) {
  auto principals = Json(R"({"principals": [
    {"accessKeyId": "AKIAALICE", "secretAccessKey": "s3cret/+=", "accountId": "111122223333"},
    {"accessKeyId": "AKIABOB", "secretAccessKey": "other", "accountId": "444455556666"}
  ]})");
  ASSERT_TRUE(principals.ok()) << principals.status().ToString();
  ASSERT_EQ(principals->size(), 2u);
  EXPECT_EQ((*principals)[0].access_key_id, "AKIAALICE");
  EXPECT_EQ((*principals)[0].secret_access_key, "s3cret/+=");
  EXPECT_EQ((*principals)[0].account_id, "111122223333");
  EXPECT_EQ((*principals)[1].access_key_id, "AKIABOB");
}

TEST(CredentialsFileTest, ReadsToml) {
  auto principals = Toml(R"(# two principals
[[principals]]
access_key_id = "AKIAALICE"
secret_access_key = 's3cret/+='
account_id = "111122223333"

[[principals]]
access_key_id = "AKIABOB"
secret_access_key = "other"
account_id = "444455556666"
)");
  ASSERT_TRUE(principals.ok()) << principals.status().ToString();
  ASSERT_EQ(principals->size(), 2u);
  EXPECT_EQ((*principals)[0].secret_access_key, "s3cret/+=");
  EXPECT_EQ((*principals)[1].account_id, "444455556666");
}

// Each error names the file and the line of the problem.
TEST(CredentialsFileTest, JsonErrorsNameTheLine) {
  EXPECT_EQ(Json("{\"principals\": [\n  {\"accessKeyId\": \"A\", \"secretAccessKey\": \"s\",\n"
                 "   \"accountId\": \"12345\"}]}")
                .status()
                .message(),
            "creds.json:3: accountId must be 12 digits");
  EXPECT_EQ(Json("{\"principals\": [\n  {\"accessKeyId\": \"A\",\n   \"secretKey\": \"s\"}]}")
                .status()
                .message(),
            "creds.json:3: unknown key \"secretKey\" (a principal has accessKeyId, "
            "secretAccessKey and accountId)");
  EXPECT_EQ(Json("{\"principals\": [\n  {\"accessKeyId\": \"A\", \"secretAccessKey\": \"s\"}\n]}")
                .status()
                .message(),
            "creds.json:2: the principal has no accountId");
  EXPECT_EQ(Json("{\"principals\": [\n  {\"accessKeyId\": 12}]}").status().message(),
            "creds.json:2: accessKeyId must be a string");
  EXPECT_EQ(Json("{\"principals\": []}").status().message(),
            "creds.json:1: no principals are listed");
  EXPECT_EQ(Json("{}").status().message(), "creds.json:1: the file has no \"principals\" array");
  EXPECT_EQ(Json("[]").status().message(),
            "creds.json:1: the file must be a JSON object: {\"principals\": [...]}");
  const Status syntax = Json("{\"principals\": [\n\n  {\"accessKeyId\" \"A\"}]}").status();
  EXPECT_EQ(syntax.message().rfind("creds.json:3: not valid JSON", 0), 0u) << syntax.message();
}

TEST(CredentialsFileTest, TomlErrorsNameTheLine) {
  EXPECT_EQ(Toml("[[principals]]\naccess_key_id = \"A B\"\nsecret_access_key = \"s\"\n"
                 "account_id = \"111122223333\"\n")
                .status()
                .message(),
            "creds.toml:2: access_key_id must be 1-128 letters, digits or '_'");
  EXPECT_EQ(
      Toml("[[principals]]\naccess_key_id = \"A\"\naccount_id = 111122223333\n").status().message(),
      "creds.toml:3: account_id must be a string");
  EXPECT_EQ(Toml("\n[[principals]]\naccess_key_id = \"A\"\n").status().message(),
            "creds.toml:2: the principal has no secret_access_key");
  EXPECT_EQ(Toml("[server]\nport = 1\n").status().message(),
            "creds.toml:1: unknown key \"server\" (the file holds [[principals]] tables)");
  const Status syntax = Toml("[[principals]]\naccess_key_id = \"A\n").status();
  EXPECT_EQ(syntax.message().rfind("creds.toml:2: not valid TOML", 0), 0u) << syntax.message();
  EXPECT_EQ(Toml("").status().message(), "creds.toml:1: no principals are listed");
}

TEST(CredentialsFileTest, AccessKeysMustBeUnique) {
  const Status status = Toml(R"([[principals]]
access_key_id = "AKIAALICE"
secret_access_key = "a"
account_id = "111122223333"
[[principals]]
access_key_id = "AKIAALICE"
secret_access_key = "b"
account_id = "444455556666"
)")
                            .status();
  EXPECT_EQ(status.message(), "creds.toml:5: access key AKIAALICE is listed twice");
}

TEST(CredentialsFileTest, ErrorsNeverQuoteASecret) {
  const Status status =
      Json(
          R"({"principals": [{"accessKeyId": "A", "secretAccessKey": "hunter2", "accountId": "1"}]})")
          .status();
  EXPECT_FALSE(status.ok());
  EXPECT_EQ(status.message().find("hunter2"), std::string::npos) << status.message();
}

TEST(CredentialsFileTest, LoadsByFileNameOrFirstCharacter) {
  const auto folder = std::filesystem::temp_directory_path() / "vigil-credentials-test";
  std::filesystem::create_directories(folder);
  const auto json_path = folder / "keys";
  std::ofstream(json_path) << "  {\"principals\": [{\"accessKeyId\": \"A\", \"secretAccessKey\": "
                              "\"s\", \"accountId\": \"111122223333\"}]}";
  auto principals = LoadCredentialsFile(json_path.string());
  ASSERT_TRUE(principals.ok()) << principals.status().ToString();
  EXPECT_EQ(principals->front().access_key_id, "A");

  const auto missing = LoadCredentialsFile((folder / "absent.toml").string());
  EXPECT_EQ(missing.status().message(), (folder / "absent.toml").string() + ": cannot be read");
  std::filesystem::remove_all(folder);
}

}  // namespace
}  // namespace vigil::http
