#include <gtest/gtest.h>

#include <memory>

#include "store/store.h"

namespace vigil {
namespace {

class UsageStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = OpenSqliteStore(":memory:");
    ASSERT_TRUE(opened.ok()) << opened.status().message();
    store_ = std::move(*opened);
    DetectorRecord detector;
    detector.id = "d1";
    detector.account = "111122223333";
    detector.region = "us-east-1";
    ASSERT_TRUE(store_->CreateDetector(detector, {}, {}).ok());
  }

  static UsageBatch Batch(int64_t day, int64_t bytes,
                          std::vector<std::pair<std::string, int64_t>> resources) {
    UsageBatch batch{"d1", day, "FLOW_LOGS", bytes, 0, std::move(resources)};
    for (const auto& [resource, records] : batch.resource_records) batch.records += records;
    return batch;
  }

  std::unique_ptr<Store> store_;
};

TEST_F(UsageStoreTest, AddsBatchesAndSumsDaysFromTheFirstAsked) {
  ASSERT_TRUE(store_->RecordUsage(Batch(100, 500, {{"eni-a", 3}, {"eni-b", 2}})).ok());
  ASSERT_TRUE(store_->RecordUsage(Batch(101, 200, {{"eni-a", 1}})).ok());
  ASSERT_TRUE(store_->RecordUsage(Batch(101, 100, {{"eni-a", 1}})).ok());

  auto all = store_->ReadUsage({"d1"}, 100);
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0].resource, "");  // the data source's totals
  EXPECT_EQ((*all)[0].bytes, 800);
  EXPECT_EQ((*all)[0].records, 7);
  EXPECT_EQ((*all)[1].resource, "eni-a");
  EXPECT_EQ((*all)[1].records, 5);
  EXPECT_EQ((*all)[1].bytes, 0);
  EXPECT_EQ((*all)[2].resource, "eni-b");
  EXPECT_EQ((*all)[2].records, 2);

  auto recent = store_->ReadUsage({"d1"}, 101);
  ASSERT_TRUE(recent.ok());
  ASSERT_EQ(recent->size(), 2u);
  EXPECT_EQ((*recent)[0].bytes, 300);
  EXPECT_EQ((*recent)[1].records, 2);
}

TEST_F(UsageStoreTest, RefusesAMissingDetectorAndForgetsADeletedOne) {
  UsageBatch stray = Batch(100, 10, {});
  stray.detector_id = "nope";
  EXPECT_EQ(store_->RecordUsage(stray).code(), StatusCode::kNotFound);
  ASSERT_TRUE(store_->RecordUsage(Batch(100, 10, {{"i-1", 1}})).ok());
  ASSERT_TRUE(store_->DeleteDetector("d1").ok());
  auto rows = store_->ReadUsage({"d1"}, 0);
  ASSERT_TRUE(rows.ok());
  EXPECT_TRUE(rows->empty());
}

TEST_F(UsageStoreTest, MalwareScanSettingsAreKeptPerDetector) {
  auto none = store_->GetMalwareScanSettings("d1");
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(*none, "");
  ASSERT_TRUE(store_->SetMalwareScanSettings("d1", R"({"a":1})").ok());
  ASSERT_TRUE(store_->SetMalwareScanSettings("d1", R"({"a":2})").ok());
  EXPECT_EQ(*store_->GetMalwareScanSettings("d1"), R"({"a":2})");
}

}  // namespace
}  // namespace vigil
