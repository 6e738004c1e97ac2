#include "intel/list_locations.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "core/ids.h"

namespace vigil {
namespace {

namespace fs = std::filesystem;

// A fresh folder holding allowed/list.txt, secret.txt and allowed/link.txt → secret.txt.
class ListLocationsTest : public testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("vigil-locations-" + NewResourceId());
    fs::create_directories(root_ / "allowed");
    std::ofstream(root_ / "allowed" / "list.txt") << "192.0.2.1\n";
    std::ofstream(root_ / "secret.txt") << "secret\n";
    fs::create_symlink(root_ / "secret.txt", root_ / "allowed" / "link.txt");
    root_ = fs::canonical(root_);
  }
  void TearDown() override { fs::remove_all(root_); }

  std::string FileUri(const std::string& relative) const {
    return "file://" + root_.string() + "/" + relative;
  }

  fs::path root_;
};

TEST_F(ListLocationsTest, CanonicalFormsResolveWhatCouldLeadElsewhere) {
  EXPECT_EQ(*CanonicalListLocation(FileUri("allowed/../secret.txt")), FileUri("secret.txt"));
  EXPECT_EQ(*CanonicalListLocation(FileUri("allowed/link.txt")), FileUri("secret.txt"));
  EXPECT_EQ(*CanonicalListLocation(FileUri("allowed/")), FileUri("allowed/"));
  EXPECT_EQ(*CanonicalListLocation("HTTP://Lists.Example.COM/feeds/../other/x.txt"),
            "http://lists.example.com/other/x.txt");
  EXPECT_EQ(*CanonicalListLocation("https://s3.amazonaws.com/intel/feeds/bad.txt"),
            "s3://intel/feeds/bad.txt");
  EXPECT_EQ(*CanonicalListLocation("https://intel.s3.us-west-2.amazonaws.com/a.txt"),
            "s3://intel/a.txt");
  EXPECT_FALSE(CanonicalListLocation("ftp://example.com/x").ok());
  EXPECT_FALSE(CanonicalListLocation("not a uri").ok());
  EXPECT_FALSE(CanonicalListLocation("file://otherhost/etc/passwd").ok());
}

TEST_F(ListLocationsTest, NoPrefixAcceptsEverything) {
  const ListLocationPolicy policy;
  EXPECT_FALSE(policy.restricts());
  EXPECT_TRUE(policy.Check("file:///etc/passwd").ok());
  EXPECT_TRUE(policy.Check("http://169.254.169.254/latest/meta-data/").ok());
}

TEST_F(ListLocationsTest, PrefixesAdmitOnlyWhatLiesUnderThem) {
  StatusOr<ListLocationPolicy> policy = ListLocationPolicy::FromPrefixes(
      {FileUri("allowed/"), "https://lists.example.com/feeds/", "s3://intel/"});
  ASSERT_TRUE(policy.ok()) << policy.status().message();
  EXPECT_TRUE(policy->restricts());
  EXPECT_TRUE(policy->Check(FileUri("allowed/list.txt")).ok());
  EXPECT_TRUE(policy->Check("https://LISTS.example.com/feeds/a.txt").ok());
  EXPECT_TRUE(policy->Check("s3://intel/feeds/bad.txt").ok());
  EXPECT_TRUE(policy->Check("https://intel.s3.amazonaws.com/feeds/bad.txt").ok());

  const Status outside = policy->Check(FileUri("secret.txt"));
  EXPECT_EQ(outside.code(), StatusCode::kInvalidInput);
  EXPECT_NE(outside.message().find("--list-location"), std::string::npos);
  EXPECT_FALSE(policy->Check(FileUri("allowed/../secret.txt")).ok());
  EXPECT_FALSE(policy->Check(FileUri("allowed/link.txt")).ok());
  EXPECT_FALSE(policy->Check("https://lists.example.com/feeds/../admin/x").ok());
  EXPECT_FALSE(policy->Check("https://lists.example.com.evil.net/feeds/a.txt").ok());
  EXPECT_FALSE(policy->Check("https://lists.example.com@evil.net/feeds/a.txt").ok());
  EXPECT_FALSE(policy->Check("http://lists.example.com/feeds/a.txt").ok());
  EXPECT_FALSE(policy->Check("s3://intel-other/a.txt").ok());
  EXPECT_FALSE(policy->Check("s3://intel/../other/a.txt").ok());
  EXPECT_FALSE(policy->Check("https://s3.amazonaws.com/intel/./../other/a.txt").ok());
  EXPECT_FALSE(policy->Check("file:///etc/passwd").ok());
}

TEST_F(ListLocationsTest, BadPrefixIsNamed) {
  StatusOr<ListLocationPolicy> policy = ListLocationPolicy::FromPrefixes({"ftp://x/"});
  ASSERT_FALSE(policy.ok());
  EXPECT_NE(policy.status().message().find("ftp://x/"), std::string::npos);
}

}  // namespace
}  // namespace vigil
