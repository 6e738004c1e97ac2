#include "cli/log_files.h"

#include <gtest/gtest.h>

#include <fstream>

#include "core/ids.h"

namespace vigil {
namespace {

namespace fs = std::filesystem;

TEST(IsLogFileOfTest, TakesOnlyTheSourcesFolderOfAnAwsLogsLayout) {
  const fs::path trail = "bucket/AWSLogs/111122223333/CloudTrail/us-east-1/2026/01/01/a.json.gz";
  const fs::path flows = "AWSLogs/111122223333/vpcflowlogs/us-east-1/2026/01/01/b.log.gz";
  const fs::path dns = "/logs/AWSLogs/111122223333/vpcdnsquerylogs/vpc-1/2026/01/01/c.log.gz";
  const fs::path digest = "AWSLogs/111122223333/CloudTrail-Digest/us-east-1/2026/01/01/d.json.gz";
  EXPECT_TRUE(IsLogFileOf(trail, LogSource::kCloudTrail));
  EXPECT_FALSE(IsLogFileOf(trail, LogSource::kFlowLogs));
  EXPECT_TRUE(IsLogFileOf(flows, LogSource::kFlowLogs));
  EXPECT_FALSE(IsLogFileOf(flows, LogSource::kCloudTrail));
  EXPECT_TRUE(IsLogFileOf(dns, LogSource::kDns));
  EXPECT_FALSE(IsLogFileOf(dns, LogSource::kFlowLogs));
  EXPECT_FALSE(IsLogFileOf(digest, LogSource::kCloudTrail));
}

TEST(IsLogFileOfTest, UnderstandsOrganizationTrails) {
  const fs::path trail = "AWSLogs/o-exampleorgid/111122223333/CloudTrail/us-east-1/2026/a.json";
  EXPECT_TRUE(IsLogFileOf(trail, LogSource::kCloudTrail));
  EXPECT_FALSE(IsLogFileOf(trail, LogSource::kDns));
}

TEST(IsLogFileOfTest, TakesFilesOutsideTheLayoutExceptDigests) {
  EXPECT_TRUE(IsLogFileOf("logs/flows.log", LogSource::kFlowLogs));
  EXPECT_TRUE(IsLogFileOf("AWSLogs/111122223333/notes.txt", LogSource::kCloudTrail));
  EXPECT_TRUE(IsLogFileOf("AWSLogs/not-an-account/x/a.json", LogSource::kCloudTrail));
  EXPECT_FALSE(IsLogFileOf("copy/CloudTrail-Digest/a.json.gz", LogSource::kCloudTrail));
}

class FindLogFilesTest : public testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("vigil-log-files-" + NewResourceId());
    fs::create_directories(root_);
  }
  void TearDown() override { fs::remove_all(root_); }

  std::string Write(const std::string& relative) {
    const fs::path path = root_ / relative;
    fs::create_directories(path.parent_path());
    std::ofstream(path) << "x\n";
    return path.string();
  }

  fs::path root_;
};

TEST_F(FindLogFilesTest, WalksDirectoriesSortedAndKeepsNamedFilesInOrder) {
  const std::string b = Write("logs/day2/b.log");
  const std::string a = Write("logs/day1/a.log");
  const std::string named = Write("z.log");
  Write("logs/CloudTrail-Digest/digest.json");
  const LogFiles found = FindLogFiles(
      {named, (root_ / "logs").string(), (root_ / "missing").string()}, LogSource::kFlowLogs);
  EXPECT_EQ(found.files, (std::vector<fs::path>{named, a, b}));
  EXPECT_EQ(found.unreadable, (std::vector<std::string>{(root_ / "missing").string()}));
}

TEST_F(FindLogFilesTest, ServesEachSourceFromOneAwsLogsTree) {
  const std::string trail = Write("AWSLogs/111122223333/CloudTrail/us-east-1/2026/01/01/t.json.gz");
  const std::string flows = Write("AWSLogs/111122223333/vpcflowlogs/us-east-1/2026/01/01/f.log.gz");
  Write("AWSLogs/111122223333/CloudTrail-Digest/us-east-1/2026/01/01/d.json.gz");
  const std::string tree = (root_ / "AWSLogs").string();
  EXPECT_EQ(FindLogFiles({tree}, LogSource::kCloudTrail).files, std::vector<fs::path>{trail});
  EXPECT_EQ(FindLogFiles({tree}, LogSource::kFlowLogs).files, std::vector<fs::path>{flows});
  EXPECT_TRUE(FindLogFiles({tree}, LogSource::kDns).files.empty());
}

}  // namespace
}  // namespace vigil
