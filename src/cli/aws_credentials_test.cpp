#include "cli/aws_credentials.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "core/ids.h"

namespace vigil {
namespace {

namespace fs = std::filesystem;

constexpr char kFile[] = R"(# written by aws configure
[default]
aws_access_key_id = AKIADEFAULT
aws_secret_access_key=secret-default

  [ci]
; a comment
aws_access_key_id   =   111122223333
aws_secret_access_key = secret=with=equals
aws_session_token = token-ci
region = eu-west-1
)";

Environment FakeEnvironment(std::map<std::string, std::string> variables) {
  return [variables = std::move(variables)](const char* name) -> std::optional<std::string> {
    auto it = variables.find(name);
    if (it == variables.end()) return std::nullopt;
    return it->second;
  };
}

TEST(ParseCredentialsFileTest, ReadsTheNamedSection) {
  auto defaults = ParseCredentialsFile(kFile, "default");
  ASSERT_TRUE(defaults.has_value());
  EXPECT_EQ(defaults->access_key_id, "AKIADEFAULT");
  EXPECT_EQ(defaults->secret_access_key, "secret-default");
  EXPECT_EQ(defaults->session_token, "");

  auto ci = ParseCredentialsFile(kFile, "ci");
  ASSERT_TRUE(ci.has_value());
  EXPECT_EQ(ci->access_key_id, "111122223333");
  EXPECT_EQ(ci->secret_access_key, "secret=with=equals");
  EXPECT_EQ(ci->session_token, "token-ci");
}

TEST(ParseCredentialsFileTest, MissingSectionIsNullopt) {
  EXPECT_FALSE(ParseCredentialsFile(kFile, "prod").has_value());
  EXPECT_FALSE(ParseCredentialsFile("", "default").has_value());
  EXPECT_FALSE(ParseCredentialsFile("aws_access_key_id = AKIA\n", "default").has_value());
}

TEST(ParseCredentialsFileTest, ToleratesWindowsLineEndingsAndNoFinalNewline) {
  auto found = ParseCredentialsFile(
      "[default]\r\naws_access_key_id = A\r\n"
      "aws_secret_access_key = S",
      "default");
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->access_key_id, "A");
  EXPECT_EQ(found->secret_access_key, "S");
}

class FindAwsCredentialsTest : public testing::Test {
 protected:
  void SetUp() override {
    home_ = fs::temp_directory_path() / ("vigil-credentials-" + NewResourceId());
    fs::create_directories(home_ / ".aws");
    std::ofstream(home_ / ".aws" / "credentials") << kFile;
  }
  void TearDown() override { fs::remove_all(home_); }

  fs::path home_;
};

TEST_F(FindAwsCredentialsTest, EnvironmentComesFirst) {
  auto found = FindAwsCredentials(FakeEnvironment({{"AWS_ACCESS_KEY_ID", "222233334444"},
                                                   {"AWS_SECRET_ACCESS_KEY", "s"},
                                                   {"AWS_SESSION_TOKEN", "t"},
                                                   {"HOME", home_.string()}}));
  ASSERT_TRUE(found.ok()) << found.status().message();
  EXPECT_EQ(found->access_key_id, "222233334444");
  EXPECT_EQ(found->session_token, "t");
}

TEST_F(FindAwsCredentialsTest, HalfTheEnvironmentIsAnError) {
  auto found = FindAwsCredentials(
      FakeEnvironment({{"AWS_ACCESS_KEY_ID", "AKIA"}, {"HOME", home_.string()}}));
  ASSERT_FALSE(found.ok());
  EXPECT_NE(found.status().message().find("AWS_SECRET_ACCESS_KEY"), std::string::npos);
}

TEST_F(FindAwsCredentialsTest, FallsBackToTheDefaultProfileOfTheHomeFile) {
  auto found =
      FindAwsCredentials(FakeEnvironment({{"AWS_ACCESS_KEY_ID", ""}, {"HOME", home_.string()}}));
  ASSERT_TRUE(found.ok()) << found.status().message();
  EXPECT_EQ(found->access_key_id, "AKIADEFAULT");
}

TEST_F(FindAwsCredentialsTest, UsesAwsProfileAndAwsSharedCredentialsFile) {
  const fs::path elsewhere = home_ / "elsewhere";
  std::ofstream(elsewhere) << "[ci]\naws_access_key_id = OTHER\naws_secret_access_key = x\n";
  auto found =
      FindAwsCredentials(FakeEnvironment({{"AWS_PROFILE", "ci"},
                                          {"AWS_SHARED_CREDENTIALS_FILE", elsewhere.string()},
                                          {"HOME", home_.string()}}));
  ASSERT_TRUE(found.ok()) << found.status().message();
  EXPECT_EQ(found->access_key_id, "OTHER");
}

TEST_F(FindAwsCredentialsTest, NothingFoundNamesWhereItLooked) {
  auto missing_profile =
      FindAwsCredentials(FakeEnvironment({{"AWS_PROFILE", "prod"}, {"HOME", home_.string()}}));
  ASSERT_FALSE(missing_profile.ok());
  EXPECT_NE(missing_profile.status().message().find("'prod'"), std::string::npos);
  EXPECT_NE(missing_profile.status().message().find(".aws/credentials"), std::string::npos);

  auto no_file = FindAwsCredentials(FakeEnvironment({{"HOME", (home_ / "nobody").string()}}));
  ASSERT_FALSE(no_file.ok());
  EXPECT_NE(no_file.status().message().find("AWS_ACCESS_KEY_ID"), std::string::npos);

  std::ofstream(home_ / ".aws" / "credentials") << "[default]\naws_access_key_id = A\n";
  auto no_secret = FindAwsCredentials(FakeEnvironment({{"HOME", home_.string()}}));
  ASSERT_FALSE(no_secret.ok());
  EXPECT_NE(no_secret.status().message().find("aws_secret_access_key"), std::string::npos);
}

}  // namespace
}  // namespace vigil
