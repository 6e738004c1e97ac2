#include "intel/threat_intel_service.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "core/ids.h"

namespace vigil {
namespace {

class ThreatIntelServiceTest : public testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("vigil-intel-" + NewResourceId());
    std::filesystem::create_directories(dir_);
    store_ = std::move(OpenSqliteStore(":memory:").value());
    DetectorRecord detector;
    detector.id = detector_id_ = NewResourceId();
    detector.account = "111122223333";
    detector.region = "us-east-1";
    ASSERT_TRUE(store_->CreateDetector(detector, {}, {}).ok());
    service_ = std::make_unique<ThreatIntelService>(*store_, FetchOptions{}, clock_);
  }
  void TearDown() override {
    service_.reset();
    std::filesystem::remove_all(dir_);
  }

  std::string WriteList(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name, std::ios::binary) << text;
    return "file://" + (dir_ / name).string();
  }

  // Creates an activated list as the API does and waits for it to load.
  ThreatListRecord Activate(ThreatListKind kind, const std::string& name,
                            const std::string& location, const std::string& format = "TXT") {
    ThreatListRecord list{
        kind, detector_id_, NewResourceId(), name, format, location, "ACTIVATING", 0, 0};
    EXPECT_TRUE(store_->CreateThreatList(list, {}, 6, {}).ok());
    service_->ListChanged(detector_id_, kind, list.id, true);
    service_->WaitIdle();
    return store_->GetThreatList(kind, detector_id_, list.id).value();
  }

  std::vector<std::string> ThreatNamesFor(const std::string& address) {
    std::vector<std::string> names;
    for (const ListIdentity* list :
         service_->Snapshot(detector_id_)->ThreatListsForIp(*ParseIpv4Address(address))) {
      names.push_back(list->name);
    }
    return names;
  }

  ManualClock clock_{1767225600000};
  std::filesystem::path dir_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<ThreatIntelService> service_;
  std::string detector_id_;
};

TEST_F(ThreatIntelServiceTest, ActivatedListLoadsAndMatches) {
  const auto list = Activate(ThreatListKind::kThreatIntelSet, "bad-ips",
                             WriteList("bad.txt", "198.51.100.0/24\nnot an entry\n"));
  EXPECT_EQ(list.status, "ACTIVE");
  EXPECT_EQ(ThreatNamesFor("198.51.100.7"), std::vector<std::string>{"bad-ips"});
  EXPECT_TRUE(ThreatNamesFor("203.0.113.1").empty());
  const auto report = service_->Report(list.id);
  ASSERT_TRUE(report.has_value());
  EXPECT_EQ(report->ip_ranges, 1u);
  EXPECT_EQ(report->bad_line_count, 1u);
  ASSERT_EQ(report->bad_lines.size(), 1u);
  EXPECT_EQ(report->bad_lines[0].line, 2u);
  EXPECT_TRUE(report->last_error.empty());
}

TEST_F(ThreatIntelServiceTest, UnreadableLocationGivesErrorWithTheReason) {
  const auto list = Activate(ThreatListKind::kThreatIntelSet, "gone",
                             "file://" + (dir_ / "missing.txt").string());
  EXPECT_EQ(list.status, "ERROR");
  const auto report = service_->Report(list.id);
  ASSERT_TRUE(report.has_value());
  EXPECT_NE(report->last_error.find("missing.txt"), std::string::npos);
  EXPECT_EQ(service_->Snapshot(detector_id_)->list_count(), 0u);
}

TEST_F(ThreatIntelServiceTest, TrustedListWins) {
  Activate(ThreatListKind::kThreatIntelSet, "bad-ips", WriteList("bad.txt", "198.51.100.0/24\n"));
  Activate(ThreatListKind::kIpSet, "ours", WriteList("ours.txt", "198.51.100.7\n"));
  EXPECT_TRUE(ThreatNamesFor("198.51.100.7").empty());
  EXPECT_EQ(ThreatNamesFor("198.51.100.8"), std::vector<std::string>{"bad-ips"});
}

TEST_F(ThreatIntelServiceTest, TrustedListOverItsQuotaIsAnError) {
  std::string text;
  for (int i = 0; i < 2001; ++i) {
    text += "10." + std::to_string(i / 256) + "." + std::to_string(i % 256) + ".1\n";
  }
  const auto list = Activate(ThreatListKind::kIpSet, "too-big", WriteList("big.txt", text));
  EXPECT_EQ(list.status, "ERROR");
  EXPECT_NE(service_->Report(list.id)->last_error.find("2000"), std::string::npos);
}

TEST_F(ThreatIntelServiceTest, DeactivationAndDeletionLeaveTheSnapshot) {
  auto list = Activate(ThreatListKind::kThreatIntelSet, "bad-ips",
                       WriteList("bad.txt", "198.51.100.0/24\n"));
  ASSERT_EQ(ThreatNamesFor("198.51.100.1").size(), 1u);
  list.status = "INACTIVE";
  ASSERT_TRUE(store_->UpdateThreatList(list).ok());
  service_->ListChanged(detector_id_, list.kind, list.id, false);
  service_->WaitIdle();
  EXPECT_TRUE(ThreatNamesFor("198.51.100.1").empty());

  list.status = "ACTIVATING";
  ASSERT_TRUE(store_->UpdateThreatList(list).ok());
  service_->ListChanged(detector_id_, list.kind, list.id, true);
  service_->WaitIdle();
  EXPECT_EQ(ThreatNamesFor("198.51.100.1").size(), 1u);

  ASSERT_TRUE(store_->DeleteThreatList(list.kind, detector_id_, list.id).ok());
  service_->ListChanged(detector_id_, list.kind, list.id, false);
  service_->WaitIdle();
  EXPECT_TRUE(ThreatNamesFor("198.51.100.1").empty());
  EXPECT_FALSE(service_->Report(list.id).has_value());
}

TEST_F(ThreatIntelServiceTest, ReactivationReadsTheChangedFile) {
  const std::string location = WriteList("bad.txt", "198.51.100.1\n");
  auto list = Activate(ThreatListKind::kThreatIntelSet, "bad-ips", location);
  WriteList("bad.txt", "203.0.113.9\n");
  EXPECT_EQ(ThreatNamesFor("198.51.100.1").size(), 1u);  // not until re-activation
  list.status = "ACTIVATING";
  ASSERT_TRUE(store_->UpdateThreatList(list).ok());
  service_->ListChanged(detector_id_, list.kind, list.id, true);
  service_->WaitIdle();
  EXPECT_TRUE(ThreatNamesFor("198.51.100.1").empty());
  EXPECT_EQ(ThreatNamesFor("203.0.113.9").size(), 1u);
}

TEST_F(ThreatIntelServiceTest, LoadAllRestoresActiveListsAfterARestart) {
  const auto list = Activate(ThreatListKind::kThreatIntelSet, "bad-ips",
                             WriteList("bad.txt", "198.51.100.0/24\n"));
  service_ = std::make_unique<ThreatIntelService>(*store_, FetchOptions{}, clock_);
  EXPECT_TRUE(ThreatNamesFor("198.51.100.1").empty());
  ASSERT_TRUE(service_->LoadAll().ok());
  service_->WaitIdle();
  EXPECT_EQ(ThreatNamesFor("198.51.100.1"), std::vector<std::string>{"bad-ips"});
  EXPECT_EQ(store_->GetThreatList(list.kind, detector_id_, list.id)->status, "ACTIVE");
}

TEST_F(ThreatIntelServiceTest, DomainsInThreatListsMatchSubdomains) {
  Activate(ThreatListKind::kThreatIntelSet, "bad-domains",
           WriteList("domains.txt", "evil.example\n*.wild.example\n"));
  const auto snapshot = service_->Snapshot(detector_id_);
  EXPECT_EQ(snapshot->ThreatListsForDomain("a.b.evil.example.").size(), 1u);
  EXPECT_EQ(snapshot->ThreatListsForDomain("x.wild.example").size(), 1u);
  EXPECT_TRUE(snapshot->ThreatListsForDomain("wild.example").empty());
}

}  // namespace
}  // namespace vigil
