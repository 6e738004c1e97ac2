#include "ingest/dns_logs.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

namespace vigil {
namespace {

constexpr uint32_t Ip(uint32_t a, uint32_t b, uint32_t c, uint32_t d) {
  return (a << 24) | (b << 16) | (c << 8) | d;
}

// 2021-02-04T17:51:55Z in epoch milliseconds.
constexpr int64_t kSampleMillis = 1612461115000;

// The sample of reference/guardduty-detection.md section 1c, on one line as the logs carry it.
constexpr std::string_view kReferenceSample =
    R"({"srcaddr": "4.5.64.102", "vpc_id": "vpc-7example", )"
    R"("answers": [{"Rdata": "203.0.113.9", "Type": "PTR", "Class": "IN"}], )"
    R"("firewall_rule_group_id": "rslvr-frg-01234567890abcdef", "firewall_rule_action": "BLOCK", )"
    R"("query_name": "15.3.4.32.in-addr.arpa.", "firewall_domain_list_id": "rslvr-fdl-01234567890abcdef", )"
    R"("query_class": "IN", "srcids": {"instance": "i-0d15cd0d3example"}, "rcode": "NOERROR", )"
    R"("query_type": "PTR", "transport": "UDP", "version": "1.100000", "account_id": "111122223333", )"
    R"("srcport": "56067", "query_timestamp": "2021-02-04T17:51:55Z", "region": "us-east-1"})";

std::string Query(std::string_view name, std::string_view more = "") {
  return R"({"query_name":")" + std::string(name) + "\"" + std::string(more) + "}";
}

std::vector<size_t> RejectedLines(const ParseResult<DnsQuery>& result) {
  std::vector<size_t> lines;
  for (const RejectedRecord& reject : result.rejects) lines.push_back(reject.position);
  return lines;
}

TEST(DnsLogsTest, ParsesTheReferenceSample) {
  const ParseResult<DnsQuery> result = ParseDnsLogs(kReferenceSample);
  EXPECT_EQ(result.rejected, 0u) << (result.rejects.empty() ? "" : result.rejects[0].reason);
  ASSERT_EQ(result.records.size(), 1u);
  const DnsQuery& query = result.records[0];
  EXPECT_EQ(query.query_time, kSampleMillis);
  EXPECT_EQ(query.account_id, "111122223333");
  EXPECT_EQ(query.region, "us-east-1");
  EXPECT_EQ(query.vpc_id, "vpc-7example");
  EXPECT_EQ(query.query_name, "15.3.4.32.in-addr.arpa");
  EXPECT_EQ(query.query_type, "PTR");
  EXPECT_EQ(query.rcode, "NOERROR");
  EXPECT_EQ(query.source, "4.5.64.102");
  EXPECT_EQ(query.source_v4, Ip(4, 5, 64, 102));
  EXPECT_EQ(query.source_port, 56067);
  EXPECT_EQ(query.transport, "UDP");
  EXPECT_EQ(query.instance_id, "i-0d15cd0d3example");
  EXPECT_EQ(query.answers, (std::vector<std::string>{"203.0.113.9"}));
}

TEST(DnsLogsTest, LowercasesAndDropsOneTrailingDot) {
  const ParseResult<DnsQuery> result =
      ParseDnsLogs(Query("WWW.Example.COM.") + "\n" + Query("example.org") + "\n" +
                   Query("trailing..") + "\n" + Query("."));
  EXPECT_EQ(result.rejected, 0u);
  ASSERT_EQ(result.records.size(), 4u);
  EXPECT_EQ(result.records[0].query_name, "www.example.com");
  EXPECT_EQ(result.records[1].query_name, "example.org");
  EXPECT_EQ(result.records[2].query_name, "trailing.");
  EXPECT_EQ(result.records[3].query_name, "");  // the root
}

TEST(DnsLogsTest, CollectsEveryAnswerRdata) {
  const ParseResult<DnsQuery> result = ParseDnsLogs(
      Query(
          "multi.example.com.",
          R"(,"answers":[{"Rdata":"198.51.100.1","Type":"A","Class":"IN"},)"
          R"({"Type":"A","Rdata":"198.51.100.2"},{"Rdata":"cname.example.net.","Type":"CNAME"}])") +
      "\n" + Query("none.example.com.", R"(,"answers":[])"));
  EXPECT_EQ(result.rejected, 0u);
  ASSERT_EQ(result.records.size(), 2u);
  EXPECT_EQ(result.records[0].answers,
            (std::vector<std::string>{"198.51.100.1", "198.51.100.2", "cname.example.net."}));
  EXPECT_TRUE(result.records[1].answers.empty());
}

TEST(DnsLogsTest, ReadsTimestampsWithMilliseconds) {
  const ParseResult<DnsQuery> result =
      ParseDnsLogs(Query("a.com", R"(,"query_timestamp":"2021-02-04T17:51:55.123Z")") + "\n" +
                   Query("a.com", R"(,"query_timestamp":"2021-02-04T17:51:55.5Z")") + "\n" +
                   Query("a.com", R"(,"query_timestamp":"2021-02-04T17:51:55.123456Z")") + "\n" +
                   Query("a.com", R"(,"query_timestamp":"2021-02-04T18:51:55+01:00")"));
  EXPECT_EQ(result.rejected, 0u);
  ASSERT_EQ(result.records.size(), 4u);
  EXPECT_EQ(result.records[0].query_time, kSampleMillis + 123);
  EXPECT_EQ(result.records[1].query_time, kSampleMillis + 500);
  EXPECT_EQ(result.records[2].query_time, kSampleMillis + 123);
  EXPECT_EQ(result.records[3].query_time, kSampleMillis);
}

TEST(DnsLogsTest, AcceptsANumericSourcePortAndIpv6Sources) {
  const ParseResult<DnsQuery> result =
      ParseDnsLogs(Query("a.com", R"(,"srcport":53,"srcaddr":"2001:db8::5")") + "\n" +
                   Query("b.com", R"(,"srcport":"not a port")"));
  EXPECT_EQ(result.rejected, 0u);
  ASSERT_EQ(result.records.size(), 2u);
  EXPECT_EQ(result.records[0].source_port, 53);
  EXPECT_EQ(result.records[0].source, "2001:db8::5");
  EXPECT_EQ(result.records[0].source_v4, std::nullopt);
  EXPECT_EQ(result.records[1].source_port, -1);
}

TEST(DnsLogsTest, RejectsBadLinesWithTheirNumbersAndParsesTheRest) {
  const ParseResult<DnsQuery> result =
      ParseDnsLogs(Query("one.com") + "\n" +                    // 1
                   "not json at all\n" +                        // 2
                   R"({"query_type":"A"})" + "\n" +             // 3: no query_name
                   "\n" +                                       // 4: blank
                   R"({"query_name":"truncated.com")" + "\n" +  // 5
                   R"({"query_name":42})" + "\n" +              // 6
                   "[1,2,3]\n" +                                // 7
                   Query("bad-time.com", R"(,"query_timestamp":"yesterday")") + "\n" +  // 8
                   Query("two.com") + Query("glued.com") + "\n" +                       // 9
                   Query("three.com", R"(,"extra":{"nested":[1,{"deep":null}]})"));     // 10
  EXPECT_EQ(RejectedLines(result), (std::vector<size_t>{2, 3, 5, 6, 7, 8, 9}));
  EXPECT_EQ(result.rejected, 7u);
  EXPECT_EQ(result.rejects[1].reason, "missing query_name");
  EXPECT_EQ(result.rejects[5].reason, "bad query_timestamp 'yesterday'");
  ASSERT_EQ(result.records.size(), 2u);
  EXPECT_EQ(result.records[0].query_name, "one.com");
  EXPECT_EQ(result.records[1].query_name, "three.com");
}

TEST(DnsLogsTest, ToleratesCrlfAndMissingOptionalFields) {
  const ParseResult<DnsQuery> result = ParseDnsLogs(
      Query("a.com") + "\r\n" + Query("b.com", R"(,"srcids":{},"answers":null)") + "\r\n  \r\n");
  EXPECT_EQ(result.rejected, 0u);
  ASSERT_EQ(result.records.size(), 2u);
  EXPECT_EQ(result.records[0].query_time, 0);
  EXPECT_EQ(result.records[0].source_port, -1);
  EXPECT_EQ(result.records[1].instance_id, "");
  EXPECT_TRUE(result.records[1].answers.empty());
}

TEST(DnsLogsTest, EmptyContentHasNoRecords) {
  const ParseResult<DnsQuery> result = ParseDnsLogs("");
  EXPECT_TRUE(result.records.empty());
  EXPECT_EQ(result.rejected, 0u);
}

}  // namespace
}  // namespace vigil
