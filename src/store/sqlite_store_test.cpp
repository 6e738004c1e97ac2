#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "core/ids.h"
#include "store/store.h"

namespace vigil {
namespace {

constexpr char kAccount[] = "111122223333";
constexpr char kRegion[] = "us-east-1";
constexpr size_t kMaxTags = 50;

DetectorRecord MakeDetector(std::string id, std::string account = kAccount,
                            std::string region = kRegion) {
  DetectorRecord detector;
  detector.id = std::move(id);
  detector.account = std::move(account);
  detector.region = std::move(region);
  detector.enabled = true;
  detector.finding_publishing_frequency = "SIX_HOURS";
  detector.created_at = 1516744412815;
  detector.updated_at = 1516744412815;
  return detector;
}

FilterRecord MakeFilter(std::string detector_id, std::string name) {
  FilterRecord filter;
  filter.detector_id = std::move(detector_id);
  filter.name = std::move(name);
  filter.description = "a filter";
  filter.action = "ARCHIVE";
  filter.rank = 2;
  filter.finding_criteria_json = R"({"criterion":{"severity":{"gte":4}}})";
  filter.created_at = 1000;
  filter.updated_at = 2000;
  return filter;
}

ThreatListRecord MakeList(ThreatListKind kind, std::string detector_id, std::string id) {
  ThreatListRecord list;
  list.kind = kind;
  list.detector_id = std::move(detector_id);
  list.id = std::move(id);
  list.name = "list " + list.id;
  list.format = "TXT";
  list.location = "s3://bucket/" + list.id + ".txt";
  list.status = "ACTIVE";
  list.created_at = 3000;
  list.updated_at = 4000;
  return list;
}

ClientToken NoToken() { return ClientToken{"", "", ""}; }

ResourceRef DetectorRef(std::string detector_id) {
  return ResourceRef{std::move(detector_id), ResourceKind::kDetector, ""};
}

class SqliteStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = OpenSqliteStore(":memory:");
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    store_ = std::move(opened).value();
  }

  // Creates a detector with `id` in (kAccount, kRegion) or the given scope.
  void CreateDetector(const std::string& id, const std::string& account = kAccount,
                      const std::string& region = kRegion, const Tags& tags = {}) {
    auto created = store_->CreateDetector(MakeDetector(id, account, region), tags, NoToken());
    ASSERT_TRUE(created.ok()) << created.status().ToString();
    ASSERT_EQ(*created, id);
  }

  void CreateFilter(const std::string& detector_id, const std::string& name,
                    const Tags& tags = {}) {
    auto created = store_->CreateFilter(MakeFilter(detector_id, name), tags, 100, NoToken());
    ASSERT_TRUE(created.ok()) << created.status().ToString();
    ASSERT_EQ(*created, name);
  }

  std::unique_ptr<Store> store_;
};

// ---- Detectors ----

TEST_F(SqliteStoreTest, CreateThenGetDetectorReturnsEveryField) {
  DetectorRecord detector = MakeDetector("d1");
  detector.enabled = false;
  detector.finding_publishing_frequency = "FIFTEEN_MINUTES";
  detector.data_sources = DataSourceSettings{false, true, false};
  detector.created_at = 111;
  detector.updated_at = 222;
  auto created = store_->CreateDetector(detector, {}, NoToken());
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  EXPECT_EQ(*created, "d1");

  auto got = store_->GetDetector(kAccount, kRegion, "d1");
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->id, "d1");
  EXPECT_EQ(got->account, kAccount);
  EXPECT_EQ(got->region, kRegion);
  EXPECT_FALSE(got->enabled);
  EXPECT_EQ(got->finding_publishing_frequency, "FIFTEEN_MINUTES");
  EXPECT_FALSE(got->data_sources.s3_logs);
  EXPECT_TRUE(got->data_sources.kubernetes_audit_logs);
  EXPECT_FALSE(got->data_sources.malware_protection_ebs_volumes);
  EXPECT_EQ(got->created_at, 111);
  EXPECT_EQ(got->updated_at, 222);
}

TEST_F(SqliteStoreTest, UpdateDetectorChangesItsSettings) {
  CreateDetector("d1");
  DetectorRecord changed = MakeDetector("d1");
  changed.enabled = false;
  changed.finding_publishing_frequency = "ONE_HOUR";
  changed.data_sources = DataSourceSettings{false, false, false};
  changed.updated_at = 9999;
  ASSERT_TRUE(store_->UpdateDetector(changed).ok());

  auto got = store_->GetDetector(kAccount, kRegion, "d1");
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_FALSE(got->enabled);
  EXPECT_EQ(got->finding_publishing_frequency, "ONE_HOUR");
  EXPECT_FALSE(got->data_sources.s3_logs);
  EXPECT_FALSE(got->data_sources.kubernetes_audit_logs);
  EXPECT_FALSE(got->data_sources.malware_protection_ebs_volumes);
  EXPECT_EQ(got->created_at, 1516744412815);  // unchanged
  EXPECT_EQ(got->updated_at, 9999);
}

TEST_F(SqliteStoreTest, UpdateOfMissingDetectorIsNotFound) {
  EXPECT_EQ(store_->UpdateDetector(MakeDetector("nope")).code(), StatusCode::kNotFound);
}

TEST_F(SqliteStoreTest, DeleteDetectorRemovesIt) {
  CreateDetector("d1");
  ASSERT_TRUE(store_->DeleteDetector("d1").ok());
  EXPECT_EQ(store_->GetDetector(kAccount, kRegion, "d1").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->DeleteDetector("d1").code(), StatusCode::kNotFound);
  // The scope is free again.
  CreateDetector("d2");
}

TEST_F(SqliteStoreTest, OneDetectorPerAccountAndRegion) {
  CreateDetector("d1");
  auto second = store_->CreateDetector(MakeDetector("d2"), {}, NoToken());
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), StatusCode::kLimitExceeded);
  EXPECT_EQ(store_->GetDetector(kAccount, kRegion, "d2").status().code(), StatusCode::kNotFound);

  CreateDetector("d3", "444455556666", kRegion);  // another account
  CreateDetector("d4", kAccount, "eu-west-1");    // another region
}

TEST_F(SqliteStoreTest, GetDetectorOfAnotherAccountOrRegionIsNotFound) {
  CreateDetector("d1");
  auto other_account = store_->GetDetector("444455556666", kRegion, "d1");
  ASSERT_FALSE(other_account.ok());
  EXPECT_EQ(other_account.status().code(), StatusCode::kNotFound);
  EXPECT_NE(other_account.status().message().find("not owned by the current account"),
            std::string::npos)
      << other_account.status().message();
  EXPECT_EQ(store_->GetDetector(kAccount, "eu-west-1", "d1").status().code(),
            StatusCode::kNotFound);
  EXPECT_EQ(store_->GetDetector(kAccount, kRegion, "missing").status().code(),
            StatusCode::kNotFound);
}

TEST_F(SqliteStoreTest, ClientTokenReturnsTheEarlierDetector) {
  const ClientToken token{std::string(kAccount) + "/" + kRegion, "CreateDetector", "token-1"};
  auto first = store_->CreateDetector(MakeDetector("d1"), {}, token);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(*first, "d1");
  auto repeat = store_->CreateDetector(MakeDetector("d2"), {}, token);
  ASSERT_TRUE(repeat.ok()) << repeat.status().ToString();
  EXPECT_EQ(*repeat, "d1");
  EXPECT_EQ(store_->GetDetector(kAccount, kRegion, "d2").status().code(), StatusCode::kNotFound);

  const ClientToken other{std::string(kAccount) + "/" + kRegion, "CreateDetector", "token-2"};
  EXPECT_EQ(store_->CreateDetector(MakeDetector("d3"), {}, other).status().code(),
            StatusCode::kLimitExceeded);
}

TEST_F(SqliteStoreTest, ListDetectorIdsPagesWithinTheScope) {
  CreateDetector("a1", "000000000001");
  CreateDetector("a2", "000000000001", "eu-west-1");
  auto page = store_->ListDetectorIds("000000000001", kRegion, "", 50);
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  EXPECT_EQ(page->keys, std::vector<std::string>{"a1"});
  EXPECT_FALSE(page->has_more);

  auto after = store_->ListDetectorIds("000000000001", kRegion, "a1", 50);
  ASSERT_TRUE(after.ok());
  EXPECT_TRUE(after->keys.empty());
  EXPECT_FALSE(after->has_more);

  auto none = store_->ListDetectorIds("999999999999", kRegion, "", 50);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->keys.empty());
}

// ---- Filters ----

TEST_F(SqliteStoreTest, FilterCreateGetUpdateDelete) {
  CreateDetector("d1");
  CreateFilter("d1", "my-filter");

  auto got = store_->GetFilter("d1", "my-filter");
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->detector_id, "d1");
  EXPECT_EQ(got->name, "my-filter");
  EXPECT_EQ(got->description, "a filter");
  EXPECT_EQ(got->action, "ARCHIVE");
  EXPECT_EQ(got->rank, 2);
  EXPECT_EQ(got->finding_criteria_json, R"({"criterion":{"severity":{"gte":4}}})");
  EXPECT_EQ(got->created_at, 1000);
  EXPECT_EQ(got->updated_at, 2000);

  FilterRecord changed = MakeFilter("d1", "my-filter");
  changed.description = "changed";
  changed.action = "NOOP";
  changed.rank = 5;
  changed.finding_criteria_json = R"({"criterion":{}})";
  changed.updated_at = 3000;
  ASSERT_TRUE(store_->UpdateFilter(changed).ok());
  got = store_->GetFilter("d1", "my-filter");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->description, "changed");
  EXPECT_EQ(got->action, "NOOP");
  EXPECT_EQ(got->rank, 5);
  EXPECT_EQ(got->finding_criteria_json, R"({"criterion":{}})");
  EXPECT_EQ(got->updated_at, 3000);

  ASSERT_TRUE(store_->DeleteFilter("d1", "my-filter").ok());
  EXPECT_EQ(store_->GetFilter("d1", "my-filter").status().code(), StatusCode::kNotFound);
}

TEST_F(SqliteStoreTest, MissingFilterIsNotFound) {
  CreateDetector("d1");
  EXPECT_EQ(store_->GetFilter("d1", "nope").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->UpdateFilter(MakeFilter("d1", "nope")).code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->DeleteFilter("d1", "nope").code(), StatusCode::kNotFound);
}

TEST_F(SqliteStoreTest, FilterOfMissingDetectorIsNotFound) {
  auto created = store_->CreateFilter(MakeFilter("nope", "f1"), {}, 100, NoToken());
  ASSERT_FALSE(created.ok());
  EXPECT_EQ(created.status().code(), StatusCode::kNotFound);
}

TEST_F(SqliteStoreTest, DuplicateFilterNameIsAlreadyExists) {
  CreateDetector("d1");
  CreateFilter("d1", "f1");
  auto duplicate = store_->CreateFilter(MakeFilter("d1", "f1"), {}, 100, NoToken());
  ASSERT_FALSE(duplicate.ok());
  EXPECT_EQ(duplicate.status().code(), StatusCode::kAlreadyExists);

  // The same name under another detector is fine.
  CreateDetector("d2", "444455556666");
  CreateFilter("d2", "f1");
}

TEST_F(SqliteStoreTest, FilterLimitIsPerDetector) {
  CreateDetector("d1");
  for (const char* name : {"f1", "f2", "f3"}) {
    ASSERT_TRUE(store_->CreateFilter(MakeFilter("d1", name), {}, 3, NoToken()).ok()) << name;
  }
  auto fourth = store_->CreateFilter(MakeFilter("d1", "f4"), {}, 3, NoToken());
  ASSERT_FALSE(fourth.ok());
  EXPECT_EQ(fourth.status().code(), StatusCode::kLimitExceeded);
  EXPECT_EQ(store_->GetFilter("d1", "f4").status().code(), StatusCode::kNotFound);

  CreateDetector("d2", "444455556666");
  EXPECT_TRUE(store_->CreateFilter(MakeFilter("d2", "f4"), {}, 3, NoToken()).ok());

  // Deleting one makes room again.
  ASSERT_TRUE(store_->DeleteFilter("d1", "f2").ok());
  EXPECT_TRUE(store_->CreateFilter(MakeFilter("d1", "f4"), {}, 3, NoToken()).ok());
}

TEST_F(SqliteStoreTest, ClientTokenReturnsTheEarlierFilter) {
  CreateDetector("d1");
  const ClientToken token{"d1", "CreateFilter", "tok"};
  auto first = store_->CreateFilter(MakeFilter("d1", "first"), {}, 100, token);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  auto repeat = store_->CreateFilter(MakeFilter("d1", "second"), {}, 100, token);
  ASSERT_TRUE(repeat.ok()) << repeat.status().ToString();
  EXPECT_EQ(*repeat, "first");
  EXPECT_EQ(store_->GetFilter("d1", "second").status().code(), StatusCode::kNotFound);
}

TEST_F(SqliteStoreTest, ClientTokensAreScoped) {
  CreateDetector("d1");
  CreateDetector("d2", "444455556666");
  auto in_d1 = store_->CreateFilter(MakeFilter("d1", "f1"), {}, 100, {"d1", "CreateFilter", "tok"});
  ASSERT_TRUE(in_d1.ok()) << in_d1.status().ToString();
  auto in_d2 = store_->CreateFilter(MakeFilter("d2", "f2"), {}, 100, {"d2", "CreateFilter", "tok"});
  ASSERT_TRUE(in_d2.ok()) << in_d2.status().ToString();
  EXPECT_EQ(*in_d2, "f2");
  EXPECT_TRUE(store_->GetFilter("d2", "f2").ok());
}

TEST_F(SqliteStoreTest, ListFilterNamesPagesInKeyOrder) {
  CreateDetector("d1");
  for (const char* name : {"eee", "bbb", "aaa", "ddd", "ccc"}) CreateFilter("d1", name);

  auto first = store_->ListFilterNames("d1", "", 2);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->keys, (std::vector<std::string>{"aaa", "bbb"}));
  EXPECT_TRUE(first->has_more);

  auto second = store_->ListFilterNames("d1", first->keys.back(), 2);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->keys, (std::vector<std::string>{"ccc", "ddd"}));
  EXPECT_TRUE(second->has_more);

  auto third = store_->ListFilterNames("d1", second->keys.back(), 2);
  ASSERT_TRUE(third.ok());
  EXPECT_EQ(third->keys, (std::vector<std::string>{"eee"}));
  EXPECT_FALSE(third->has_more);

  // A page that ends exactly at the last key has nothing more.
  auto exact = store_->ListFilterNames("d1", "ccc", 2);
  ASSERT_TRUE(exact.ok());
  EXPECT_EQ(exact->keys, (std::vector<std::string>{"ddd", "eee"}));
  EXPECT_FALSE(exact->has_more);

  auto all = store_->ListFilterNames("d1", "", 50);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->keys.size(), 5u);
  EXPECT_FALSE(all->has_more);

  // Keys of another detector do not appear.
  CreateDetector("d2", "444455556666");
  CreateFilter("d2", "zzz");
  auto again = store_->ListFilterNames("d1", "", 50);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->keys, (std::vector<std::string>{"aaa", "bbb", "ccc", "ddd", "eee"}));
}

// ---- Threat lists ----

TEST_F(SqliteStoreTest, ThreatListCreateGetUpdateDeleteForBothKinds) {
  CreateDetector("d1");
  for (ThreatListKind kind : {ThreatListKind::kIpSet, ThreatListKind::kThreatIntelSet}) {
    SCOPED_TRACE(static_cast<int>(kind));
    auto created = store_->CreateThreatList(MakeList(kind, "d1", "l1"), {}, 6, NoToken());
    ASSERT_TRUE(created.ok()) << created.status().ToString();
    EXPECT_EQ(*created, "l1");

    auto got = store_->GetThreatList(kind, "d1", "l1");
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    EXPECT_EQ(got->kind, kind);
    EXPECT_EQ(got->detector_id, "d1");
    EXPECT_EQ(got->id, "l1");
    EXPECT_EQ(got->name, "list l1");
    EXPECT_EQ(got->format, "TXT");
    EXPECT_EQ(got->location, "s3://bucket/l1.txt");
    EXPECT_EQ(got->status, "ACTIVE");
    EXPECT_EQ(got->created_at, 3000);
    EXPECT_EQ(got->updated_at, 4000);

    ThreatListRecord changed = MakeList(kind, "d1", "l1");
    changed.name = "renamed";
    changed.location = "https://s3.amazonaws.com/bucket/new.txt";
    changed.status = "INACTIVE";
    changed.updated_at = 5000;
    ASSERT_TRUE(store_->UpdateThreatList(changed).ok());
    got = store_->GetThreatList(kind, "d1", "l1");
    ASSERT_TRUE(got.ok());
    EXPECT_EQ(got->name, "renamed");
    EXPECT_EQ(got->location, "https://s3.amazonaws.com/bucket/new.txt");
    EXPECT_EQ(got->status, "INACTIVE");
    EXPECT_EQ(got->updated_at, 5000);
  }
  // Same id, different kinds: two independent rows.
  ASSERT_TRUE(store_->DeleteThreatList(ThreatListKind::kIpSet, "d1", "l1").ok());
  EXPECT_EQ(store_->GetThreatList(ThreatListKind::kIpSet, "d1", "l1").status().code(),
            StatusCode::kNotFound);
  EXPECT_TRUE(store_->GetThreatList(ThreatListKind::kThreatIntelSet, "d1", "l1").ok());
  EXPECT_EQ(store_->DeleteThreatList(ThreatListKind::kIpSet, "d1", "l1").code(),
            StatusCode::kNotFound);
}

TEST_F(SqliteStoreTest, MissingThreatListIsNotFound) {
  CreateDetector("d1");
  ASSERT_TRUE(
      store_->CreateThreatList(MakeList(ThreatListKind::kIpSet, "d1", "ip1"), {}, 1, NoToken())
          .ok());
  EXPECT_EQ(store_->GetThreatList(ThreatListKind::kThreatIntelSet, "d1", "ip1").status().code(),
            StatusCode::kNotFound);
  EXPECT_EQ(store_->UpdateThreatList(MakeList(ThreatListKind::kIpSet, "d1", "nope")).code(),
            StatusCode::kNotFound);
  EXPECT_EQ(
      store_->CreateThreatList(MakeList(ThreatListKind::kIpSet, "nope", "x"), {}, 1, NoToken())
          .status()
          .code(),
      StatusCode::kNotFound);
}

TEST_F(SqliteStoreTest, ThreatListLimitsArePerKind) {
  CreateDetector("d1");
  ASSERT_TRUE(
      store_->CreateThreatList(MakeList(ThreatListKind::kIpSet, "d1", "ip1"), {}, 1, NoToken())
          .ok());
  auto second_ipset =
      store_->CreateThreatList(MakeList(ThreatListKind::kIpSet, "d1", "ip2"), {}, 1, NoToken());
  ASSERT_FALSE(second_ipset.ok());
  EXPECT_EQ(second_ipset.status().code(), StatusCode::kLimitExceeded);

  for (int i = 0; i < 6; ++i) {
    auto created = store_->CreateThreatList(
        MakeList(ThreatListKind::kThreatIntelSet, "d1", "t" + std::to_string(i)), {}, 6, NoToken());
    ASSERT_TRUE(created.ok()) << i << ": " << created.status().ToString();
  }
  auto seventh = store_->CreateThreatList(MakeList(ThreatListKind::kThreatIntelSet, "d1", "t6"), {},
                                          6, NoToken());
  ASSERT_FALSE(seventh.ok());
  EXPECT_EQ(seventh.status().code(), StatusCode::kLimitExceeded);

  auto ipsets = store_->ListThreatListIds(ThreatListKind::kIpSet, "d1", "", 50);
  ASSERT_TRUE(ipsets.ok());
  EXPECT_EQ(ipsets->keys, std::vector<std::string>{"ip1"});
  auto intel = store_->ListThreatListIds(ThreatListKind::kThreatIntelSet, "d1", "", 4);
  ASSERT_TRUE(intel.ok());
  EXPECT_EQ(intel->keys, (std::vector<std::string>{"t0", "t1", "t2", "t3"}));
  EXPECT_TRUE(intel->has_more);
  auto rest = store_->ListThreatListIds(ThreatListKind::kThreatIntelSet, "d1", "t3", 4);
  ASSERT_TRUE(rest.ok());
  EXPECT_EQ(rest->keys, (std::vector<std::string>{"t4", "t5"}));
  EXPECT_FALSE(rest->has_more);
}

TEST_F(SqliteStoreTest, ClientTokenReturnsTheEarlierThreatList) {
  CreateDetector("d1");
  const ClientToken token{"d1", "CreateIPSet", "tok"};
  ASSERT_TRUE(
      store_->CreateThreatList(MakeList(ThreatListKind::kIpSet, "d1", "ip1"), {}, 1, token).ok());
  auto repeat =
      store_->CreateThreatList(MakeList(ThreatListKind::kIpSet, "d1", "ip2"), {}, 1, token);
  ASSERT_TRUE(repeat.ok()) << repeat.status().ToString();
  EXPECT_EQ(*repeat, "ip1");
}

// ---- Tags ----

TEST_F(SqliteStoreTest, TagsGivenAtCreationAreStored) {
  CreateDetector("d1", kAccount, kRegion, Tags{{"env", "prod"}});
  CreateFilter("d1", "f1", Tags{{"team", "sec"}});
  ASSERT_TRUE(store_
                  ->CreateThreatList(MakeList(ThreatListKind::kThreatIntelSet, "d1", "t1"),
                                     Tags{{"src", "feed"}}, 6, NoToken())
                  .ok());

  auto detector_tags = store_->GetTags(DetectorRef("d1"));
  ASSERT_TRUE(detector_tags.ok()) << detector_tags.status().ToString();
  EXPECT_EQ(*detector_tags, (Tags{{"env", "prod"}}));
  auto filter_tags = store_->GetTags(ResourceRef{"d1", ResourceKind::kFilter, "f1"});
  ASSERT_TRUE(filter_tags.ok()) << filter_tags.status().ToString();
  EXPECT_EQ(*filter_tags, (Tags{{"team", "sec"}}));
  auto list_tags = store_->GetTags(ResourceRef{"d1", ResourceKind::kThreatIntelSet, "t1"});
  ASSERT_TRUE(list_tags.ok()) << list_tags.status().ToString();
  EXPECT_EQ(*list_tags, (Tags{{"src", "feed"}}));
}

TEST_F(SqliteStoreTest, TagResourceMergesAndUntagResourceRemoves) {
  CreateDetector("d1", kAccount, kRegion, Tags{{"a", "1"}, {"b", "2"}});
  ASSERT_TRUE(store_->TagResource(DetectorRef("d1"), Tags{{"b", "20"}, {"c", "3"}}, kMaxTags).ok());
  auto tags = store_->GetTags(DetectorRef("d1"));
  ASSERT_TRUE(tags.ok());
  EXPECT_EQ(*tags, (Tags{{"a", "1"}, {"b", "20"}, {"c", "3"}}));

  ASSERT_TRUE(store_->UntagResource(DetectorRef("d1"), {"a", "missing", "c"}).ok());
  tags = store_->GetTags(DetectorRef("d1"));
  ASSERT_TRUE(tags.ok());
  EXPECT_EQ(*tags, (Tags{{"b", "20"}}));
}

TEST_F(SqliteStoreTest, TagsAreKeptPerResource) {
  CreateDetector("d1");
  CreateFilter("d1", "f1");
  CreateFilter("d1", "f2");
  ASSERT_TRUE(
      store_
          ->TagResource(ResourceRef{"d1", ResourceKind::kFilter, "f1"}, Tags{{"k", "v"}}, kMaxTags)
          .ok());
  auto f2 = store_->GetTags(ResourceRef{"d1", ResourceKind::kFilter, "f2"});
  ASSERT_TRUE(f2.ok());
  EXPECT_TRUE(f2->empty());
  auto detector = store_->GetTags(DetectorRef("d1"));
  ASSERT_TRUE(detector.ok());
  EXPECT_TRUE(detector->empty());
}

TEST_F(SqliteStoreTest, TagLimitIsLimitExceededAndChangesNothing) {
  CreateDetector("d1", kAccount, kRegion, Tags{{"a", "1"}, {"b", "2"}});
  // Overwriting existing keys does not count against the limit.
  ASSERT_TRUE(store_->TagResource(DetectorRef("d1"), Tags{{"a", "10"}, {"c", "3"}}, 3).ok());
  const Status over = store_->TagResource(DetectorRef("d1"), Tags{{"a", "100"}, {"d", "4"}}, 3);
  EXPECT_EQ(over.code(), StatusCode::kLimitExceeded);
  auto tags = store_->GetTags(DetectorRef("d1"));
  ASSERT_TRUE(tags.ok());
  EXPECT_EQ(*tags, (Tags{{"a", "10"}, {"b", "2"}, {"c", "3"}}));
}

TEST_F(SqliteStoreTest, TagsOfAMissingResourceAreNotFound) {
  CreateDetector("d1");
  const ResourceRef missing[] = {
      DetectorRef("nope"),
      ResourceRef{"d1", ResourceKind::kFilter, "nope"},
      ResourceRef{"d1", ResourceKind::kIpSet, "nope"},
      ResourceRef{"d1", ResourceKind::kThreatIntelSet, "nope"},
  };
  for (const ResourceRef& ref : missing) {
    SCOPED_TRACE(ref.child.empty() ? ref.detector_id : ref.child);
    EXPECT_EQ(store_->GetTags(ref).status().code(), StatusCode::kNotFound);
    EXPECT_EQ(store_->TagResource(ref, Tags{{"k", "v"}}, kMaxTags).code(), StatusCode::kNotFound);
    EXPECT_EQ(store_->UntagResource(ref, {"k"}).code(), StatusCode::kNotFound);
  }
}

TEST_F(SqliteStoreTest, DeleteFilterDropsItsTags) {
  CreateDetector("d1");
  CreateFilter("d1", "f1", Tags{{"old", "tag"}});
  ASSERT_TRUE(store_->DeleteFilter("d1", "f1").ok());
  CreateFilter("d1", "f1");
  auto tags = store_->GetTags(ResourceRef{"d1", ResourceKind::kFilter, "f1"});
  ASSERT_TRUE(tags.ok()) << tags.status().ToString();
  EXPECT_TRUE(tags->empty());
}

TEST_F(SqliteStoreTest, DeleteThreatListDropsItsTags) {
  CreateDetector("d1");
  const ThreatListRecord list = MakeList(ThreatListKind::kIpSet, "d1", "ip1");
  ASSERT_TRUE(store_->CreateThreatList(list, Tags{{"old", "tag"}}, 1, NoToken()).ok());
  ASSERT_TRUE(store_->DeleteThreatList(ThreatListKind::kIpSet, "d1", "ip1").ok());
  ASSERT_TRUE(store_->CreateThreatList(list, {}, 1, NoToken()).ok());
  auto tags = store_->GetTags(ResourceRef{"d1", ResourceKind::kIpSet, "ip1"});
  ASSERT_TRUE(tags.ok()) << tags.status().ToString();
  EXPECT_TRUE(tags->empty());
}

TEST_F(SqliteStoreTest, DeleteDetectorCascadesToChildrenAndTheirTags) {
  CreateDetector("d1", kAccount, kRegion, Tags{{"detector", "old"}});
  CreateFilter("d1", "f1", Tags{{"filter", "old"}});
  ASSERT_TRUE(store_
                  ->CreateThreatList(MakeList(ThreatListKind::kIpSet, "d1", "ip1"),
                                     Tags{{"ipset", "old"}}, 1, NoToken())
                  .ok());
  ASSERT_TRUE(store_
                  ->CreateThreatList(MakeList(ThreatListKind::kThreatIntelSet, "d1", "t1"),
                                     Tags{{"intel", "old"}}, 6, NoToken())
                  .ok());

  ASSERT_TRUE(store_->DeleteDetector("d1").ok());
  EXPECT_EQ(store_->GetFilter("d1", "f1").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->GetThreatList(ThreatListKind::kIpSet, "d1", "ip1").status().code(),
            StatusCode::kNotFound);

  // Recreate everything under the same names: none of the old rows or tags come back.
  CreateDetector("d1");
  auto filters = store_->ListFilterNames("d1", "", 50);
  ASSERT_TRUE(filters.ok());
  EXPECT_TRUE(filters->keys.empty());
  auto intel = store_->ListThreatListIds(ThreatListKind::kThreatIntelSet, "d1", "", 50);
  ASSERT_TRUE(intel.ok());
  EXPECT_TRUE(intel->keys.empty());
  CreateFilter("d1", "f1");
  ASSERT_TRUE(
      store_->CreateThreatList(MakeList(ThreatListKind::kIpSet, "d1", "ip1"), {}, 1, NoToken())
          .ok());

  const ResourceRef refs[] = {DetectorRef("d1"), ResourceRef{"d1", ResourceKind::kFilter, "f1"},
                              ResourceRef{"d1", ResourceKind::kIpSet, "ip1"}};
  for (const ResourceRef& ref : refs) {
    SCOPED_TRACE(static_cast<int>(ref.kind));
    auto tags = store_->GetTags(ref);
    ASSERT_TRUE(tags.ok()) << tags.status().ToString();
    EXPECT_TRUE(tags->empty());
  }
}

// ---- Concurrency ----

TEST_F(SqliteStoreTest, ConcurrentCreatesInOneScopeMakeExactlyOneDetector) {
  constexpr int kThreads = 8;
  std::atomic<int> created{0};
  std::atomic<int> limited{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      auto result = store_->CreateDetector(MakeDetector("d" + std::to_string(t)), {}, NoToken());
      if (result.ok()) {
        ++created;
      } else if (result.status().code() == StatusCode::kLimitExceeded) {
        ++limited;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(created.load(), 1);
  EXPECT_EQ(limited.load(), kThreads - 1);
  auto ids = store_->ListDetectorIds(kAccount, kRegion, "", 50);
  ASSERT_TRUE(ids.ok());
  EXPECT_EQ(ids->keys.size(), 1u);
}

TEST_F(SqliteStoreTest, ConcurrentWritersInDifferentScopesAllSucceed) {
  constexpr int kThreads = 8;
  constexpr int kFiltersEach = 20;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      const std::string account = "00000000000" + std::to_string(t);
      const std::string detector_id = "d" + std::to_string(t);
      if (!store_->CreateDetector(MakeDetector(detector_id, account), {}, NoToken()).ok()) {
        ++failures;
        return;
      }
      for (int f = 0; f < kFiltersEach; ++f) {
        if (!store_
                 ->CreateFilter(MakeFilter(detector_id, "f" + std::to_string(f)), {}, 100,
                                NoToken())
                 .ok()) {
          ++failures;
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  for (int t = 0; t < kThreads; ++t) {
    auto names = store_->ListFilterNames("d" + std::to_string(t), "", 50);
    ASSERT_TRUE(names.ok());
    EXPECT_EQ(names->keys.size(), static_cast<size_t>(kFiltersEach)) << t;
  }
}

// ---- CloudTrail event ids ----

TEST_F(SqliteStoreTest, PurgedEventIdsAreFreshAgainAndLaterOnesStaySeen) {
  CreateDetector("d1");
  // Event ids are recorded by the upsert of their batch's findings (here a batch without any).
  const auto record = [this](std::string id, int64_t seen_at) {
    const IngestedBatch batch{"d1", {std::move(id)}, seen_at, std::nullopt};
    return store_->UpsertFindings({}, nullptr, &batch).status();
  };
  ASSERT_TRUE(record("old", 1000).ok());
  ASSERT_TRUE(record("new", 3000).ok());

  ASSERT_TRUE(store_->PurgeEventIdsBefore(2000).ok());

  auto seen = store_->EventIdsSeen("d1", {"old", "new"});
  ASSERT_TRUE(seen.ok()) << seen.status().ToString();
  EXPECT_EQ(*seen, (std::vector<bool>{false, true}));
}

// ---- Processed files (vigil serve --watch) ----

// A watched file is recorded by the upsert of its batch's findings (here a batch without
// any, so its findings_created and findings_updated are 0).
Status RecordProcessedFile(Store& store, std::string path, int64_t size) {
  const IngestedBatch batch{"d1",
                            {},
                            1767225600000,
                            ProcessedFileRecord{std::move(path), size, 1767225600000000000, "d1",
                                                10, 1, 0, 0, 1767225600000}};
  return store.UpsertFindings({}, nullptr, &batch).status();
}

TEST_F(SqliteStoreTest, ProcessedFilesAreListedByDirectory) {
  CreateDetector("d1");
  for (const char* path : {"/logs/a/1.log", "/logs/a/sub/2.log", "/logs/a0/3.log", "/logs/ab/4.log",
                           "/logs/a.log", "/other/a/5.log"}) {
    ASSERT_TRUE(RecordProcessedFile(*store_, path, 1).ok());
  }
  auto files = store_->ListProcessedFiles("/logs/a");
  ASSERT_TRUE(files.ok()) << files.status().ToString();
  std::vector<std::string> paths;
  for (const ProcessedFileRecord& file : *files) paths.push_back(file.path);
  EXPECT_EQ(paths, (std::vector<std::string>{"/logs/a/1.log", "/logs/a/sub/2.log"}));
  const ProcessedFileRecord& first = files->front();
  EXPECT_EQ(first.size, 1);
  EXPECT_EQ(first.modified_at, 1767225600000000000);
  EXPECT_EQ(first.detector_id, "d1");
  EXPECT_EQ(first.records, 10);
  EXPECT_EQ(first.rejected, 1);
  EXPECT_EQ(first.findings_created, 0);
  EXPECT_EQ(first.findings_updated, 0);
  EXPECT_EQ(first.processed_at, 1767225600000);
}

TEST_F(SqliteStoreTest, RecordingAProcessedFileAgainReplacesIt) {
  CreateDetector("d1");
  ASSERT_TRUE(RecordProcessedFile(*store_, "/logs/a.log", 1).ok());
  ASSERT_TRUE(RecordProcessedFile(*store_, "/logs/a.log", 2).ok());
  auto files = store_->ListProcessedFiles("/logs");
  ASSERT_TRUE(files.ok());
  ASSERT_EQ(files->size(), 1u);
  EXPECT_EQ(files->front().size, 2);
}

// ---- Reset, size, persistence ----

TEST_F(SqliteStoreTest, ResetEmptiesEverything) {
  const ClientToken token{std::string(kAccount) + "/" + kRegion, "CreateDetector", "tok"};
  ASSERT_TRUE(store_->CreateDetector(MakeDetector("d1"), Tags{{"a", "b"}}, token).ok());
  CreateFilter("d1", "f1");
  ASSERT_TRUE(
      store_->CreateThreatList(MakeList(ThreatListKind::kIpSet, "d1", "ip1"), {}, 1, NoToken())
          .ok());

  ASSERT_TRUE(store_->Reset().ok());
  EXPECT_EQ(store_->GetDetector(kAccount, kRegion, "d1").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->GetFilter("d1", "f1").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->GetThreatList(ThreatListKind::kIpSet, "d1", "ip1").status().code(),
            StatusCode::kNotFound);
  auto ids = store_->ListDetectorIds(kAccount, kRegion, "", 50);
  ASSERT_TRUE(ids.ok());
  EXPECT_TRUE(ids->keys.empty());

  // The old client token is forgotten too: the same token now creates a new detector.
  auto created = store_->CreateDetector(MakeDetector("d2"), {}, token);
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  EXPECT_EQ(*created, "d2");
}

TEST_F(SqliteStoreTest, SizeBytesIsPositive) { EXPECT_GT(store_->SizeBytes(), 0); }

class SqliteFileStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    directory_ = std::filesystem::temp_directory_path() / ("vigil_store_test_" + NewResourceId());
    ASSERT_TRUE(std::filesystem::create_directories(directory_));
    path_ = (directory_ / "vigil.db").string();
  }
  void TearDown() override {
    std::error_code ignored;
    std::filesystem::remove_all(directory_, ignored);
  }

  std::filesystem::path directory_;
  std::string path_;
};

TEST_F(SqliteFileStoreTest, DataSurvivesClosingAndReopening) {
  {
    auto opened = OpenSqliteStore(path_);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    std::unique_ptr<Store> store = std::move(opened).value();
    ASSERT_TRUE(store->CreateDetector(MakeDetector("d1"), Tags{{"env", "prod"}}, NoToken()).ok());
    ASSERT_TRUE(store->CreateFilter(MakeFilter("d1", "f1"), {}, 100, NoToken()).ok());
    EXPECT_GT(store->SizeBytes(), 0);
  }  // closes the database
  EXPECT_TRUE(std::filesystem::exists(path_));

  auto reopened = OpenSqliteStore(path_);
  ASSERT_TRUE(reopened.ok()) << reopened.status().ToString();
  std::unique_ptr<Store> store = std::move(reopened).value();
  auto detector = store->GetDetector(kAccount, kRegion, "d1");
  ASSERT_TRUE(detector.ok()) << detector.status().ToString();
  EXPECT_EQ(detector->finding_publishing_frequency, "SIX_HOURS");
  EXPECT_EQ(detector->created_at, 1516744412815);
  auto filter = store->GetFilter("d1", "f1");
  ASSERT_TRUE(filter.ok()) << filter.status().ToString();
  EXPECT_EQ(filter->action, "ARCHIVE");
  auto tags = store->GetTags(DetectorRef("d1"));
  ASSERT_TRUE(tags.ok());
  EXPECT_EQ(*tags, (Tags{{"env", "prod"}}));
  // The uniqueness rule holds across restarts.
  EXPECT_EQ(store->CreateDetector(MakeDetector("d2"), {}, NoToken()).status().code(),
            StatusCode::kLimitExceeded);
}

TEST_F(SqliteFileStoreTest, OpeningAPathInAMissingDirectoryFails) {
  auto opened = OpenSqliteStore((directory_ / "no" / "such" / "dir" / "vigil.db").string());
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.status().code(), StatusCode::kInternal);
}

}  // namespace
}  // namespace vigil
