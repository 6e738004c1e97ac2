#include "intel/list_fetcher.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "core/ids.h"

namespace vigil {
namespace {

TEST(ParseS3LocationTest, AcceptsEveryFormGuardDutyAccepts) {
  struct Case {
    const char* location;
    const char* bucket;
    const char* key;
    const char* region;
  };
  const Case cases[] = {
      {"s3://lists/threats/ips.txt", "lists", "threats/ips.txt", ""},
      {"https://s3.amazonaws.com/lists/ips.txt", "lists", "ips.txt", ""},
      {"https://s3-eu-west-1.amazonaws.com/lists/a/b.txt", "lists", "a/b.txt", "eu-west-1"},
      {"http://lists.s3.amazonaws.com/ips.txt", "lists", "ips.txt", ""},
      {"http://lists.s3-us-west-2.amazonaws.com/ips.txt", "lists", "ips.txt", "us-west-2"},
      {"https://my.bucket.s3.eu-central-1.amazonaws.com/k.txt", "my.bucket", "k.txt",
       "eu-central-1"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.location);
    const auto object = ParseS3Location(c.location);
    ASSERT_TRUE(object.has_value());
    EXPECT_EQ(object->bucket, c.bucket);
    EXPECT_EQ(object->key, c.key);
    EXPECT_EQ(object->region, c.region);
  }
}

TEST(ParseS3LocationTest, RejectsNonS3Locations) {
  for (const char* location :
       {"https://example.com/ips.txt", "file:///tmp/ips.txt", "s3://bucket-only",
        "https://s3.amazonaws.com/bucket-only", "not a uri", "ftp://s3.amazonaws.com/b/k"}) {
    SCOPED_TRACE(location);
    EXPECT_FALSE(ParseS3Location(location).has_value());
  }
}

class FetchListTest : public testing::Test {
 protected:
  void SetUp() override {
    root_ = std::filesystem::temp_directory_path() / ("vigil-fetch-" + NewResourceId());
    std::filesystem::create_directories(root_ / "lists" / "threats");
    Write(root_ / "lists" / "threats" / "ips.txt", "198.51.100.1\n");
  }
  void TearDown() override { std::filesystem::remove_all(root_); }

  static void Write(const std::filesystem::path& path, const std::string& text) {
    std::ofstream(path, std::ios::binary) << text;
  }

  std::filesystem::path root_;
};

TEST_F(FetchListTest, ReadsFileLocations) {
  auto content = FetchList("file://" + (root_ / "lists/threats/ips.txt").string(), {});
  ASSERT_TRUE(content.ok()) << content.status().ToString();
  EXPECT_EQ(*content, "198.51.100.1\n");
}

TEST_F(FetchListTest, MissingFileIsAnErrorNamingIt) {
  auto content = FetchList("file://" + (root_ / "missing.txt").string(), {});
  ASSERT_FALSE(content.ok());
  EXPECT_NE(content.status().message().find("missing.txt"), std::string::npos);
}

TEST_F(FetchListTest, FilesOverTheLimitAreRefused) {
  FetchOptions options;
  options.max_bytes = 5;
  auto content = FetchList("file://" + (root_ / "lists/threats/ips.txt").string(), options);
  ASSERT_FALSE(content.ok());
  EXPECT_NE(content.status().message().find("limit"), std::string::npos);
}

TEST_F(FetchListTest, S3LocationsReadFromTheS3Root) {
  FetchOptions options;
  options.s3_root = root_.string();
  for (const char* location :
       {"s3://lists/threats/ips.txt", "https://s3.amazonaws.com/lists/threats/ips.txt",
        "https://lists.s3.amazonaws.com/threats/ips.txt"}) {
    SCOPED_TRACE(location);
    auto content = FetchList(location, options);
    ASSERT_TRUE(content.ok()) << content.status().ToString();
    EXPECT_EQ(*content, "198.51.100.1\n");
  }
}

TEST_F(FetchListTest, S3KeysCannotLeaveTheRoot) {
  FetchOptions options;
  options.s3_root = (root_ / "lists").string();
  auto content = FetchList("s3://threats/../../etc/passwd", options);
  ASSERT_FALSE(content.ok());
}

TEST_F(FetchListTest, S3WithoutRootOrEndpointSaysWhatIsMissing) {
  auto content = FetchList("s3://lists/threats/ips.txt", {});
  ASSERT_FALSE(content.ok());
  EXPECT_NE(content.status().message().find("--s3-root"), std::string::npos);
}

TEST_F(FetchListTest, UnsupportedSchemesAreRefused) {
  auto content = FetchList("ftp://example.com/ips.txt", {});
  ASSERT_FALSE(content.ok());
  EXPECT_NE(content.status().message().find("ftp"), std::string::npos);
}

TEST_F(FetchListTest, UnreachableHttpIsAnErrorNotAHang) {
  FetchOptions options;
  options.timeout = std::chrono::seconds(5);
  // Port 9 on loopback: nothing listens, the connection is refused at once.
  auto content = FetchList("http://127.0.0.1:9/ips.txt", options);
  ASSERT_FALSE(content.ok());
  EXPECT_NE(content.status().message().find("127.0.0.1"), std::string::npos);
}

}  // namespace
}  // namespace vigil
