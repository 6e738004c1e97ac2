#include "detect/usage_tally.h"

#include <gtest/gtest.h>

#include <map>

#include "detect/detection_engine.h"

namespace vigil {
namespace {

std::map<std::string, int64_t> Resources(const UsageBatch& batch) {
  return {batch.resource_records.begin(), batch.resource_records.end()};
}

TEST(UsageTallyTest, FlowRecordsCountTowardTheirInstanceElseTheirInterface) {
  FlowRecord with_instance;
  with_instance.instance_id = "i-1";
  with_instance.interface_id = "eni-1";
  FlowRecord without_instance;
  without_instance.interface_id = "eni-2";
  FlowRecord anonymous;
  const FlowRecord records[] = {with_instance, without_instance, without_instance, anonymous};
  UsageTally tally;
  tally.AddBytes(120);
  tally.Add(records);
  const UsageBatch batch = tally.ToBatch("d1", LogSource::kFlowLogs, 7);
  EXPECT_EQ(batch.data_source, "FLOW_LOGS");
  EXPECT_EQ(batch.day, 7);
  EXPECT_EQ(batch.bytes, 120);
  EXPECT_EQ(batch.records, 4);  // the anonymous record counts toward the data source only
  EXPECT_EQ(Resources(batch), (std::map<std::string, int64_t>{{"eni-2", 2}, {"i-1", 1}}));
}

TEST(UsageTallyTest, CloudTrailEventsCountTowardTheirKeyElseTheirPrincipal) {
  CloudTrailEvent by_key;
  by_key.access_key_id = "AKIA1";
  by_key.identity_arn = "arn:aws:iam::1:user/a";
  CloudTrailEvent by_arn;
  by_arn.identity_arn = "arn:aws:iam::1:role/r";
  CloudTrailEvent by_principal;
  by_principal.principal_id = "AIDA1";
  const CloudTrailEvent events[] = {by_key, by_arn, by_principal};
  UsageTally tally;
  tally.Add(events);
  const UsageBatch batch = tally.ToBatch("d1", LogSource::kCloudTrail, 0);
  EXPECT_EQ(batch.data_source, "CLOUD_TRAIL");
  EXPECT_EQ(Resources(batch), (std::map<std::string, int64_t>{
                                  {"AIDA1", 1}, {"AKIA1", 1}, {"arn:aws:iam::1:role/r", 1}}));
}

TEST(UsageTallyTest, DnsQueriesCountTowardTheirInstanceElseTheirVpc) {
  DnsQuery from_instance;
  from_instance.instance_id = "i-9";
  from_instance.vpc_id = "vpc-1";
  DnsQuery from_vpc;
  from_vpc.vpc_id = "vpc-1";
  const DnsQuery queries[] = {from_instance, from_vpc, from_instance};
  UsageTally tally;
  tally.Add(queries);
  const UsageBatch batch = tally.ToBatch("d1", LogSource::kDns, 0);
  EXPECT_EQ(batch.data_source, "DNS_LOGS");
  EXPECT_EQ(Resources(batch), (std::map<std::string, int64_t>{{"i-9", 2}, {"vpc-1", 1}}));
}

}  // namespace
}  // namespace vigil
