#include "publish/finding_publisher.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/json/parse.hpp>
#include <filesystem>
#include <fstream>

#include "findings/finding_service.h"
#include "findings/finding_types.h"

namespace vigil {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

constexpr int64_t kMinute = 60 * 1000;

TEST(EventBridgeEventTest, WrapsTheFindingInGuardDutysEnvelope) {
  const std::string event =
      EventBridgeEvent(R"({"id":"f1","type":"T"})", "111122223333", "eu-west-1", 1767225600123);
  const json::object parsed = json::parse(event).as_object();
  EXPECT_EQ(parsed.at("version"), "0");
  EXPECT_EQ(parsed.at("detail-type"), "GuardDuty Finding");
  EXPECT_EQ(parsed.at("source"), "aws.guardduty");
  EXPECT_EQ(parsed.at("account"), "111122223333");
  EXPECT_EQ(parsed.at("region"), "eu-west-1");
  EXPECT_EQ(parsed.at("time"), "2026-01-01T00:00:00Z");
  EXPECT_TRUE(parsed.at("resources").as_array().empty());
  EXPECT_EQ(parsed.at("detail").at("id"), "f1");
  EXPECT_EQ(parsed.at("id").as_string().size(), 36u);
}

TEST(PublishingIntervalTest, FollowsTheFrequency) {
  EXPECT_EQ(PublishingIntervalMillis("FIFTEEN_MINUTES"), 15 * kMinute);
  EXPECT_EQ(PublishingIntervalMillis("ONE_HOUR"), 60 * kMinute);
  EXPECT_EQ(PublishingIntervalMillis("SIX_HOURS"), 360 * kMinute);
}

class FindingPublisherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    directory_ = fs::temp_directory_path() / ("vigil-publisher-" + std::to_string(::getpid()));
    fs::remove_all(directory_);
    fs::create_directories(directory_);
    store_ = std::move(OpenSqliteStore(":memory:").value());
    detector_.id = "d1";
    detector_.account = "111122223333";
    detector_.region = "us-east-1";
    detector_.enabled = true;
    detector_.finding_publishing_frequency = "FIFTEEN_MINUTES";
    ASSERT_TRUE(store_->CreateDetector(detector_, {}, {}).ok());
  }
  void TearDown() override { fs::remove_all(directory_); }

  size_t Lines(const fs::path& path) {
    std::ifstream in(path);
    size_t lines = 0;
    for (std::string line; std::getline(in, line);) ++lines;
    return lines;
  }

  void Sample(FindingService& findings, std::string_view type) {
    ASSERT_TRUE(findings
                    .CreateSamples(detector_.account, detector_.region, detector_.id,
                                   {FindFindingType(type)}, clock_.NowMillis())
                    .ok());
  }

  fs::path directory_;
  std::unique_ptr<Store> store_;
  DetectorRecord detector_;
  ManualClock clock_{1767225600000};
};

TEST_F(FindingPublisherTest, NewAtOnceUpdatesAtTheFrequencySuppressedNever) {
  FindingService findings(*store_);
  FilterRecord quiet;
  quiet.detector_id = detector_.id;
  quiet.name = "quiet";
  quiet.action = "ARCHIVE";
  quiet.rank = 1;
  quiet.finding_criteria_json = R"({"criterion":{"type":{"eq":["Recon:EC2/Portscan"]}}})";
  ASSERT_TRUE(store_->CreateFilter(quiet, {}, 100, {}).ok());
  const fs::path events = directory_ / "events.jsonl";
  FindingPublisher publisher(*store_, clock_, {events.string(), 1 << 20, "", {}});

  Sample(findings, "UnauthorizedAccess:EC2/SSHBruteForce");
  Sample(findings, "Recon:EC2/Portscan");
  publisher.RunOnce();
  EXPECT_EQ(Lines(events), 1u);  // the suppressed Portscan is not published

  Sample(findings, "UnauthorizedAccess:EC2/SSHBruteForce");
  clock_.Advance(15 * kMinute - 1);
  publisher.RunOnce();
  EXPECT_EQ(Lines(events), 1u);
  clock_.Advance(1);
  publisher.RunOnce();
  EXPECT_EQ(Lines(events), 2u);
  clock_.Advance(60 * kMinute);
  publisher.RunOnce();
  EXPECT_EQ(Lines(events), 2u);  // nothing changed
}

TEST_F(FindingPublisherTest, TheFileRotatesAndKeepsFiveOldFiles) {
  FindingService findings(*store_);
  const fs::path events = directory_ / "events.jsonl";
  FindingPublisher publisher(*store_, clock_, {events.string(), 2048, "", {}});
  for (const FindingTypeInfo& type : FindingTypes()) {
    Sample(findings, type.type);
    clock_.Advance(1);
    publisher.RunOnce();
  }
  EXPECT_TRUE(fs::exists(directory_ / "events.jsonl.1"));
  EXPECT_TRUE(fs::exists(directory_ / "events.jsonl.5"));
  EXPECT_FALSE(fs::exists(directory_ / "events.jsonl.6"));
}

}  // namespace
}  // namespace vigil
