#include "watch/watch_spec.h"

#include <gtest/gtest.h>

namespace vigil {
namespace {

constexpr char kDetector[] = "0123456789abcdef0123456789abcdef";

TEST(ParseWatchSpecTest, SourceAndDirectory) {
  auto spec = ParseWatchSpec("cloudtrail=/logs/AWSLogs");
  ASSERT_TRUE(spec.ok()) << spec.status().ToString();
  EXPECT_EQ(spec->source, LogSource::kCloudTrail);
  EXPECT_EQ(spec->directory, "/logs/AWSLogs");
  EXPECT_EQ(spec->detector_id, "");
}

TEST(ParseWatchSpecTest, DetectorIdAfterTheLastColon) {
  auto spec = ParseWatchSpec("flowlogs=relative/dir:0123456789abcdef0123456789abcdef");
  ASSERT_TRUE(spec.ok()) << spec.status().ToString();
  EXPECT_EQ(spec->source, LogSource::kFlowLogs);
  EXPECT_EQ(spec->directory, "relative/dir");
  EXPECT_EQ(spec->detector_id, kDetector);
}

TEST(ParseWatchSpecTest, AColonFollowedByASlashBelongsToTheDirectory) {
  auto spec = ParseWatchSpec("dns=/mnt/c:/logs");
  ASSERT_TRUE(spec.ok()) << spec.status().ToString();
  EXPECT_EQ(spec->source, LogSource::kDns);
  EXPECT_EQ(spec->directory, "/mnt/c:/logs");
  EXPECT_EQ(spec->detector_id, "");
  spec = ParseWatchSpec("dns=/mnt/c:/logs:0123456789abcdef0123456789abcdef");
  ASSERT_TRUE(spec.ok()) << spec.status().ToString();
  EXPECT_EQ(spec->directory, "/mnt/c:/logs");
  EXPECT_EQ(spec->detector_id, kDetector);
}

TEST(ParseWatchSpecTest, MistakesAreNamed) {
  const struct {
    const char* text;
    const char* says;
  } cases[] = {
      {"/logs", "SOURCE=DIR"},
      {"vpcflow=/logs", "'vpcflow' is not one of flowlogs, cloudtrail, dns"},
      {"=/logs", "'' is not one of"},
      {"flowlogs=", "directory is missing"},
      {"flowlogs=:0123456789abcdef0123456789abcdef", "directory is missing"},
      {"flowlogs=/logs:abc", "'abc' is not 32 lowercase hexadecimal"},
      {"flowlogs=/logs:0123456789ABCDEF0123456789ABCDEF", "is not 32 lowercase"},
      {"flowlogs=/logs:", "'' is not 32"},
  };
  for (const auto& c : cases) {
    auto spec = ParseWatchSpec(c.text);
    ASSERT_FALSE(spec.ok()) << c.text;
    EXPECT_EQ(spec.status().code(), StatusCode::kInvalidInput) << c.text;
    EXPECT_NE(spec.status().message().find(c.says), std::string::npos)
        << c.text << ": " << spec.status().message();
  }
}

TEST(SplitWatchListTest, CommasAndNewlinesSeparateEntries) {
  EXPECT_EQ(SplitWatchList("flowlogs=/a, cloudtrail=/b\ndns=/c\r\n\n,"),
            (std::vector<std::string>{"flowlogs=/a", "cloudtrail=/b", "dns=/c"}));
  EXPECT_TRUE(SplitWatchList("").empty());
  EXPECT_TRUE(SplitWatchList(" , \n").empty());
}

TEST(CheckDistinctFoldersTest, NestedOrRepeatedFoldersAreRefused) {
  const auto specs = [](std::vector<std::string> directories) {
    std::vector<WatchSpec> result;
    for (std::string& directory : directories) {
      WatchSpec spec;
      spec.directory = std::move(directory);
      result.push_back(spec);
    }
    return result;
  };
  EXPECT_TRUE(CheckDistinctFolders(specs({"/logs/a", "/logs/ab", "/logs/b"})).ok());
  EXPECT_TRUE(CheckDistinctFolders(specs({})).ok());
  const Status twice = CheckDistinctFolders(specs({"/logs/a", "/logs/a"}));
  EXPECT_EQ(twice.message(), "/logs/a is watched twice");
  const Status nested = CheckDistinctFolders(specs({"/logs/a/b", "/x", "/logs/a"}));
  EXPECT_EQ(nested.message(), "/logs/a/b is inside /logs/a, which is watched too");
  EXPECT_FALSE(CheckDistinctFolders(specs({"/", "/logs"})).ok());
}

TEST(IsSkippedPathTest, LogFilesAreRead) {
  for (const char* path :
       {"AWSLogs/111122223333/CloudTrail/us-east-1/2026/01/01/"
        "111122223333_CloudTrail_us-east-1_20260101T0000Z_abc.json.gz",
        "AWSLogs/111122223333/vpcflowlogs/us-east-1/2026/01/01/flows.log.gz", "flows.log",
        "a.tmp.log", "partial/x.log", "x.partial.gz", "CloudTrail-Digests/x.json.gz"}) {
    EXPECT_FALSE(IsSkippedPath(path)) << path;
  }
}

TEST(IsSkippedPathTest, DigestsHiddenAndPartialFilesAreSkipped) {
  for (const char* path :
       {"AWSLogs/111122223333/CloudTrail-Digest/us-east-1/2026/01/01/"
        "111122223333_CloudTrail-Digest_us-east-1_trail_us-east-1_20260101T0100Z.json.gz",
        "AWSLogs/111122223333/CloudTrail-Digest", "CloudTrail-Digest/x.json.gz", ".flows.log",
        "2026/01/.flows.log.a1b2c3", "flows.log.tmp", "flows.log.partial", ".staging/flows.log",
        "a/.git/objects/x"}) {
    EXPECT_TRUE(IsSkippedPath(path)) << path;
  }
}

TEST(LogSourceNameTest, RoundTripsWithParseLogSource) {
  for (const char* name : {"flowlogs", "cloudtrail", "dns"}) {
    EXPECT_EQ(LogSourceName(*ParseLogSource(name)), name);
  }
}

}  // namespace
}  // namespace vigil
