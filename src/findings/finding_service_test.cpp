#include "findings/finding_service.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <set>

#include "core/ids.h"
#include "core/time.h"
#include "core/utf8.h"
#include "findings/finding_types.h"

namespace vigil {
namespace {

namespace json = boost::json;

constexpr int64_t kStart = 1767225600000;  // 2026-01-01T00:00:00Z
constexpr int64_t kMinute = 60 * 1000;

class FindingServiceTest : public testing::Test {
 protected:
  void SetUp() override {
    store_ = std::move(OpenSqliteStore(":memory:").value());
    service_ = std::make_unique<FindingService>(*store_);
    DetectorRecord detector;
    detector.id = detector_id_ = NewResourceId();
    detector.account = "111122223333";
    detector.region = "us-east-1";
    ASSERT_TRUE(store_->CreateDetector(detector, {}, {}).ok());
  }

  // A sample finding of `type` made at `now`, its remote IP replaced by `remote_ip`.
  json::object Finding(std::string_view type, int64_t now, std::string remote_ip = "") {
    json::object finding = BuildSampleFinding(
        *FindFindingType(type), {"111122223333", "us-east-1", detector_id_, NewResourceId(), now});
    if (!remote_ip.empty()) {
      finding["service"]
          .as_object()["action"]
          .as_object()["networkConnectionAction"]
          .as_object()["remoteIpDetails"]
          .as_object()["ipAddressV4"] = remote_ip;
    }
    return finding;
  }

  FindingService::RecordOutcome RecordOne(const std::string& key, const json::object& finding) {
    auto outcomes = service_->Record(detector_id_, {{key, finding}});
    EXPECT_TRUE(outcomes.ok()) << outcomes.status().ToString();
    return outcomes.ok() ? outcomes->front() : FindingService::RecordOutcome{};
  }

  json::object Get(const std::string& id) {
    auto found = service_->Get({detector_id_}, {id}, std::nullopt);
    EXPECT_TRUE(found.ok() && found->size() == 1);
    return found.ok() && !found->empty() ? found->front() : json::object();
  }

  static std::shared_ptr<const FindingCriteria> Criteria(std::string_view text) {
    auto parsed = FindingCriteria::Parse(json::parse(text).as_object(), "findingCriteria");
    EXPECT_TRUE(parsed.ok()) << parsed.status().ToString();
    return std::make_shared<const FindingCriteria>(parsed.ok() ? *parsed : FindingCriteria());
  }

  std::vector<std::string> ListAll(std::string_view criteria,
                                   const std::optional<SortCriteria>& sort = std::nullopt,
                                   size_t page_size = 3) {
    std::vector<std::string> ids;
    for (size_t offset = 0;; offset += page_size) {
      auto page = service_->List({detector_id_}, Criteria(criteria), sort, offset, page_size);
      EXPECT_TRUE(page.ok());
      if (!page.ok()) break;
      ids.insert(ids.end(), page->ids.begin(), page->ids.end());
      if (!page->has_more) break;
    }
    return ids;
  }

  void AddFilter(const std::string& name, const std::string& action, int rank,
                 const std::string& criteria) {
    FilterRecord filter{detector_id_, name, "", action, rank, criteria, kStart, kStart};
    ASSERT_TRUE(store_->CreateFilter(filter, {}, 100, {}).ok());
  }

  std::unique_ptr<Store> store_;
  std::unique_ptr<FindingService> service_;
  std::string detector_id_;
};

TEST_F(FindingServiceTest, RepeatedOccurrenceUpdatesOneFinding) {
  const auto first =
      RecordOne("ssh/i-1", Finding("UnauthorizedAccess:EC2/SSHBruteForce", kStart, "203.0.113.1"));
  const auto second = RecordOne(
      "ssh/i-1", Finding("UnauthorizedAccess:EC2/SSHBruteForce", kStart + kMinute, "203.0.113.2"));
  EXPECT_TRUE(first.created);
  EXPECT_FALSE(second.created);
  EXPECT_EQ(second.finding_id, first.finding_id);

  json::object finding = Get(first.finding_id);
  const json::object& service = finding["service"].as_object();
  EXPECT_EQ(service.at("count").as_int64(), 2);
  EXPECT_EQ(finding["createdAt"].as_string(), FormatIsoMillis(kStart));
  EXPECT_EQ(finding["updatedAt"].as_string(), FormatIsoMillis(kStart + kMinute));
  EXPECT_EQ(service.at("eventFirstSeen").as_string(), FormatIsoMillis(kStart));
  EXPECT_EQ(service.at("eventLastSeen").as_string(), FormatIsoMillis(kStart + kMinute));
  // Details come from the latest occurrence.
  EXPECT_EQ(
      service.at("action").at("networkConnectionAction").at("remoteIpDetails").at("ipAddressV4"),
      "203.0.113.2");
  EXPECT_EQ(finding["id"].as_string(), first.finding_id);
  EXPECT_NE(finding["arn"].as_string().find("/finding/" + first.finding_id), std::string::npos);
}

// Log text is not always UTF-8; the stored document, which the publisher sends on as it
// is, must still be valid JSON.
TEST_F(FindingServiceTest, BytesThatAreNotUtf8AreRepairedInTheStoredDocument) {
  json::object finding = Finding("Recon:EC2/Portscan", kStart);
  finding["title"] = "scan from host\xff\xfe";
  RecordOne("k", finding);
  auto due = store_->FindingsToPublish(detector_id_, kStart + kMinute, 10);
  ASSERT_TRUE(due.ok()) << due.status().ToString();
  ASSERT_EQ(due->size(), 1u);
  const std::string& document = due->front().document;
  EXPECT_EQ(document, ValidUtf8(document));
  EXPECT_NE(document.find("scan from host\xEF\xBF\xBD"), std::string::npos) << document;
}

TEST_F(FindingServiceTest, AProcessedFileIsRecordedWithItsFindings) {
  RecordOne("ssh/i-1", Finding("UnauthorizedAccess:EC2/SSHBruteForce", kStart));
  const IngestedBatch batch{
      detector_id_,
      {},
      kStart,
      ProcessedFileRecord{"/logs/a.log", 10, 20, detector_id_, 7, 1, 0, 0, kStart}};
  auto outcomes = service_->Record(
      detector_id_,
      {{"ssh/i-1", Finding("UnauthorizedAccess:EC2/SSHBruteForce", kStart + kMinute)},
       {"scan/i-1", Finding("Recon:EC2/Portscan", kStart + kMinute)}},
      &batch);
  ASSERT_TRUE(outcomes.ok()) << outcomes.status().ToString();
  auto files = store_->ListProcessedFiles("/logs");
  ASSERT_TRUE(files.ok());
  ASSERT_EQ(files->size(), 1u);
  const ProcessedFileRecord& stored = files->front();
  EXPECT_EQ(stored.path, "/logs/a.log");
  EXPECT_EQ(stored.size, 10);
  EXPECT_EQ(stored.modified_at, 20);
  EXPECT_EQ(stored.records, 7);
  EXPECT_EQ(stored.rejected, 1);
  // Counted from what the upsert did, whatever the caller passed.
  EXPECT_EQ(stored.findings_created, 1);
  EXPECT_EQ(stored.findings_updated, 1);
}

TEST_F(FindingServiceTest, FindingsThatFailToStoreLeaveTheFileUnprocessed) {
  const IngestedBatch batch{
      "no-such-detector",
      {"e-1"},
      kStart,
      ProcessedFileRecord{"/logs/a.log", 10, 20, "no-such-detector", 7, 0, 0, 0, kStart}};
  auto outcomes = service_->Record("no-such-detector",
                                   {{"scan/i-1", Finding("Recon:EC2/Portscan", kStart)}}, &batch);
  EXPECT_FALSE(outcomes.ok());
  auto files = store_->ListProcessedFiles("/logs");
  ASSERT_TRUE(files.ok());
  EXPECT_TRUE(files->empty());
}

TEST_F(FindingServiceTest, EventIdsAreSeenOnceStoredWithTheirFindings) {
  const IngestedBatch batch{detector_id_, {"e-1", "e-2"}, kStart, std::nullopt};
  auto before = store_->EventIdsSeen(detector_id_, {"e-1", "e-2", "e-3"});
  ASSERT_TRUE(before.ok());
  EXPECT_EQ(*before, (std::vector<bool>{false, false, false}));
  ASSERT_TRUE(
      service_->Record(detector_id_, {{"trail/a", Finding("Recon:EC2/Portscan", kStart)}}, &batch)
          .ok());
  auto after = store_->EventIdsSeen(detector_id_, {"e-1", "e-2", "e-3"});
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(*after, (std::vector<bool>{true, true, false}));
  // Per detector.
  auto elsewhere = store_->EventIdsSeen(NewResourceId(), {"e-1"});
  ASSERT_TRUE(elsewhere.ok());
  EXPECT_EQ(*elsewhere, std::vector<bool>{false});
}

TEST_F(FindingServiceTest, ABatchWithoutFindingsStillRecordsItsEventIdsAndFile) {
  const IngestedBatch batch{
      detector_id_,
      {"e-1"},
      kStart,
      ProcessedFileRecord{"/logs/a.log", 10, 20, detector_id_, 3, 0, 0, 0, kStart}};
  auto outcomes = service_->Record(detector_id_, {}, &batch);
  ASSERT_TRUE(outcomes.ok()) << outcomes.status().ToString();
  EXPECT_TRUE(outcomes->empty());
  auto seen = store_->EventIdsSeen(detector_id_, {"e-1"});
  ASSERT_TRUE(seen.ok());
  EXPECT_EQ(*seen, std::vector<bool>{true});
  auto files = store_->ListProcessedFiles("/logs");
  ASSERT_TRUE(files.ok());
  ASSERT_EQ(files->size(), 1u);
  EXPECT_EQ(files->front().records, 3);
  EXPECT_EQ(files->front().findings_created, 0);
}

TEST_F(FindingServiceTest, ABatchOfADeletedDetectorRecordsNothing) {
  const IngestedBatch batch{
      detector_id_,
      {"e-1"},
      kStart,
      ProcessedFileRecord{"/logs/a.log", 10, 20, detector_id_, 3, 0, 0, 0, kStart}};
  ASSERT_TRUE(store_->DeleteDetector(detector_id_).ok());
  auto outcomes = service_->Record(detector_id_, {}, &batch);
  ASSERT_FALSE(outcomes.ok());
  EXPECT_EQ(outcomes.status().code(), StatusCode::kNotFound);
  auto files = store_->ListProcessedFiles("/logs");
  ASSERT_TRUE(files.ok());
  EXPECT_TRUE(files->empty());
}

TEST_F(FindingServiceTest, AnOlderOccurrenceDoesNotMoveTimesBackwards) {
  const auto first = RecordOne("k", Finding("Recon:EC2/Portscan", kStart + 10 * kMinute));
  RecordOne("k", Finding("Recon:EC2/Portscan", kStart));
  json::object finding = Get(first.finding_id);
  EXPECT_EQ(finding["updatedAt"].as_string(), FormatIsoMillis(kStart + 10 * kMinute));
  EXPECT_EQ(finding["service"].at("eventLastSeen").as_string(),
            FormatIsoMillis(kStart + 10 * kMinute));
}

TEST_F(FindingServiceTest, DifferentAggregationKeysMakeDifferentFindings) {
  const auto one = RecordOne("ssh/i-1", Finding("UnauthorizedAccess:EC2/SSHBruteForce", kStart));
  const auto two = RecordOne("ssh/i-2", Finding("UnauthorizedAccess:EC2/SSHBruteForce", kStart));
  EXPECT_NE(one.finding_id, two.finding_id);
  EXPECT_EQ(ListAll("{}").size(), 2u);
}

TEST_F(FindingServiceTest, ArchiveFilterArchivesMatchingNewFindingsOnly) {
  AddFilter("suppress-portscan", "ARCHIVE", 2,
            R"({"criterion":{"type":{"eq":["Recon:EC2/Portscan"]}}})");
  AddFilter("watch-ssh", "NOOP", 1,
            R"({"criterion":{"type":{"eq":["UnauthorizedAccess:EC2/SSHBruteForce"]}}})");
  const auto portscan = RecordOne("a", Finding("Recon:EC2/Portscan", kStart));
  const auto ssh = RecordOne("b", Finding("UnauthorizedAccess:EC2/SSHBruteForce", kStart));
  EXPECT_TRUE(portscan.archived);
  EXPECT_FALSE(ssh.archived);
  EXPECT_TRUE(Get(portscan.finding_id)["service"].at("archived").as_bool());
  EXPECT_EQ(ListAll(R"({"criterion":{"service.archived":{"eq":["true"]}}})"),
            std::vector<std::string>{portscan.finding_id});
}

TEST_F(FindingServiceTest, NewArchiveFilterLeavesExistingFindingsButCatchesTheirUpdates) {
  const auto before = RecordOne("a", Finding("Recon:EC2/Portscan", kStart));
  AddFilter("suppress-portscan", "ARCHIVE", 1,
            R"({"criterion":{"type":{"eq":["Recon:EC2/Portscan"]}}})");
  EXPECT_FALSE(Get(before.finding_id)["service"].at("archived").as_bool());
  const auto updated = RecordOne("a", Finding("Recon:EC2/Portscan", kStart + kMinute));
  EXPECT_TRUE(updated.archived);
}

TEST_F(FindingServiceTest, ManualArchiveSurvivesNewOccurrencesAndFeedbackIsKept) {
  const auto first = RecordOne("a", Finding("Recon:EC2/Portscan", kStart));
  ASSERT_TRUE(service_->SetArchived({detector_id_}, {first.finding_id}, true).ok());
  ASSERT_TRUE(service_->SetFeedback({detector_id_}, {first.finding_id}, "USEFUL", "seen").ok());
  RecordOne("a", Finding("Recon:EC2/Portscan", kStart + kMinute));
  json::object finding = Get(first.finding_id);
  EXPECT_TRUE(finding["service"].at("archived").as_bool());
  EXPECT_EQ(finding["service"].at("userFeedback"), "USEFUL");
  auto records = store_->GetFindings({detector_id_}, {first.finding_id});
  ASSERT_TRUE(records.ok());
  EXPECT_EQ(records->front().feedback_comments, "seen");
}

TEST_F(FindingServiceTest, UnarchiveShowsInCriteria) {
  const auto first = RecordOne("a", Finding("Recon:EC2/Portscan", kStart));
  ASSERT_TRUE(service_->SetArchived({detector_id_}, {first.finding_id}, true).ok());
  ASSERT_TRUE(service_->SetArchived({detector_id_}, {first.finding_id}, false).ok());
  EXPECT_TRUE(ListAll(R"({"criterion":{"service.archived":{"eq":["true"]}}})").empty());
  EXPECT_EQ(ListAll(R"({"criterion":{"service.archived":{"eq":["false"]}}})").size(), 1u);
}

TEST_F(FindingServiceTest, QueriesCombineIndexedAndProjectedConditions) {
  std::vector<FindingTypeInfo> all(FindingTypes().begin(), FindingTypes().end());
  ASSERT_TRUE(service_
                  ->CreateSamples(
                      "111122223333", "us-east-1", detector_id_,
                      [&] {
                        std::vector<const FindingTypeInfo*> types;
                        for (const auto& type : FindingTypes()) types.push_back(&type);
                        return types;
                      }(),
                      kStart)
                  .ok());
  size_t high = 0;
  size_t high_instances = 0;
  for (const auto& type : FindingTypes()) {
    high += type.severity >= 7;
    high_instances += type.severity >= 7 && type.resource_type == "Instance";
  }
  EXPECT_EQ(ListAll(R"({"criterion":{"severity":{"gte":7}}})").size(), high);
  // severity (SQL) AND vpcId (projection, any network interface).
  EXPECT_EQ(ListAll(R"({"criterion":{"severity":{"gte":7},
      "resource.instanceDetails.networkInterfaces.vpcId":{"eq":["GeneratedFindingVPCId"]}}})")
                .size(),
            high_instances);
  EXPECT_EQ(ListAll(R"({"criterion":{"severity":{"eq":["8"]}}})").size(), high);
  EXPECT_TRUE(
      ListAll(R"({"criterion":{"updatedAt":{"lt":)" + std::to_string(kStart) + "}}}").empty());
}

TEST_F(FindingServiceTest, PagesCoverEveryFindingOnceInSortOrder) {
  for (int i = 0; i < 10; ++i) {
    RecordOne("k" + std::to_string(i), Finding(FindingTypes()[i].type, kStart + i * kMinute));
  }
  auto sort = ParseSortCriteria(
      json::parse(R"({"attributeName":"severity","orderBy":"DESC"})").as_object(), "sortCriteria");
  ASSERT_TRUE(sort.ok());
  const std::vector<std::string> ids = ListAll("{}", *sort, 3);
  ASSERT_EQ(ids.size(), 10u);
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), 10u);
  auto findings = service_->Get({detector_id_}, ids, *sort);
  ASSERT_TRUE(findings.ok());
  for (size_t i = 1; i < findings->size(); ++i) {
    EXPECT_GE((*findings)[i - 1]["severity"].to_number<double>(),
              (*findings)[i]["severity"].to_number<double>());
  }
  // Sorting by a projected (non-column) attribute works too.
  auto by_port = ParseSortCriteria(
      json::parse(
          R"({"attributeName":"service.action.networkConnectionAction.localPortDetails.port"})")
          .as_object(),
      "sortCriteria");
  ASSERT_TRUE(by_port.ok());
  EXPECT_EQ(ListAll("{}", *by_port, 4).size(), 10u);
}

TEST_F(FindingServiceTest, UnsortableAttributeIsRejected) {
  auto sort = ParseSortCriteria(
      json::parse(R"({"attributeName":"resource.resourceType"})").as_object(), "sortCriteria");
  ASSERT_FALSE(sort.ok());
  EXPECT_NE(sort.status().message().find("sortCriteria.attributeName"), std::string::npos);
}

TEST_F(FindingServiceTest, CountBySeverityAddsUpToTheMatchingFindings) {
  for (int i = 0; i < 12; ++i) {
    RecordOne("k" + std::to_string(i), Finding(FindingTypes()[i].type, kStart));
  }
  auto counts = service_->CountBySeverity({detector_id_}, Criteria("{}"));
  ASSERT_TRUE(counts.ok());
  int64_t sum = 0;
  for (const auto& [severity, count] : *counts) sum += count;
  EXPECT_EQ(sum, 12);
}

TEST_F(FindingServiceTest, PurgeDeletesFindingsNotUpdatedFor90Days) {
  const auto old_finding = RecordOne("old", Finding("Recon:EC2/Portscan", kStart));
  const auto fresh =
      RecordOne("new", Finding("Recon:EC2/Portscan", kStart + 60LL * 24 * 60 * kMinute));
  auto purged = service_->PurgeExpired(kStart + kFindingRetentionMillis + kMinute);
  ASSERT_TRUE(purged.ok());
  EXPECT_EQ(*purged, 1);
  EXPECT_EQ(ListAll("{}"), std::vector<std::string>{fresh.finding_id});
  (void)old_finding;
}

TEST_F(FindingServiceTest, UnknownDetectorIsNotFound) {
  auto outcome = service_->Record(NewResourceId(), {{"k", Finding("Recon:EC2/Portscan", kStart)}});
  ASSERT_FALSE(outcome.ok());
  EXPECT_EQ(outcome.status().code(), StatusCode::kNotFound);
}

TEST_F(FindingServiceTest, DeletingTheDetectorDeletesItsFindings) {
  const auto first = RecordOne("a", Finding("Recon:EC2/Portscan", kStart));
  ASSERT_TRUE(store_->DeleteDetector(detector_id_).ok());
  auto found = store_->GetFindings({detector_id_}, {first.finding_id});
  ASSERT_TRUE(found.ok());
  EXPECT_TRUE(found->empty());
}

}  // namespace
}  // namespace vigil
