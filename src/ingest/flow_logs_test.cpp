#include "ingest/flow_logs.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace vigil {
namespace {

// Host-order address from its four octets, so expectations read like the input.
constexpr uint32_t Ip(uint32_t a, uint32_t b, uint32_t c, uint32_t d) {
  return (a << 24) | (b << 16) | (c << 8) | d;
}

// Each line followed by a newline.
std::string Lines(std::initializer_list<std::string_view> lines) {
  std::string content;
  for (const std::string_view line : lines) content.append(line).push_back('\n');
  return content;
}

std::vector<size_t> RejectedLines(const ParseResult<FlowRecord>& result) {
  std::vector<size_t> lines;
  for (const RejectedRecord& reject : result.rejects) lines.push_back(reject.position);
  return lines;
}

// The default-format samples of reference/guardduty-detection.md section 1a, verbatim.
constexpr std::string_view kDefaultSamples =
    "2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 "
    "1418530010 1418530070 ACCEPT OK\n"
    "2 123456789010 eni-1235b8ca123456789 172.31.9.69 172.31.9.12 49761 3389 6 20 4249 "
    "1418530010 1418530070 REJECT OK\n"
    "2 123456789010 eni-1235b8ca123456789 - - - - - - - 1431280876 1431280934 - NODATA\n"
    "2 123456789010 eni-11111111aaaaaaaaa - - - - - - - 1431280876 1431280934 - SKIPDATA\n"
    "2 123456789010 eni-1235b8ca123456789 2001:db8:1234:a100:8d6e:3477:df66:f105 "
    "2001:db8:1234:a102:3304:8879:34cf:4071 34892 22 6 54 8855 1477913708 1477913820 ACCEPT "
    "OK\n";

// The custom v3 sample of the reference, with its field order as a header line.
constexpr std::string_view kCustomV3Header =
    "version vpc-id subnet-id instance-id interface-id account-id type srcaddr dstaddr srcport "
    "dstport pkt-srcaddr pkt-dstaddr protocol bytes packets start end action tcp-flags "
    "log-status";
constexpr std::string_view kCustomV3Line =
    "3 vpc-abcdefab012345678 subnet-aaaaaaaa012345678 i-01234567890123456 "
    "eni-1235b8ca123456789 123456789010 IPv4 52.213.180.42 10.0.0.62 43416 5001 52.213.180.42 "
    "10.0.0.62 6 568 8 1566848875 1566848933 ACCEPT 2 OK";

TEST(FlowLogFormatTest, DefaultIsTheVersionTwoFields) {
  const std::vector<std::string> expected = {
      "version",  "account-id", "interface-id", "srcaddr", "dstaddr", "srcport", "dstport",
      "protocol", "packets",    "bytes",        "start",   "end",     "action",  "log-status"};
  EXPECT_EQ(FlowLogFormat::Default().fields(), expected);
}

TEST(FlowLogFormatTest, ParsesPlaceholdersAndBareNames) {
  const StatusOr<FlowLogFormat> with_placeholders =
      FlowLogFormat::Parse("${version} ${vpc-id} ${srcaddr} ${flow-direction}");
  ASSERT_TRUE(with_placeholders.ok()) << with_placeholders.status().ToString();
  const std::vector<std::string> expected = {"version", "vpc-id", "srcaddr", "flow-direction"};
  EXPECT_EQ(with_placeholders->fields(), expected);

  const StatusOr<FlowLogFormat> bare = FlowLogFormat::Parse(
      "  version vpc-id\tsrcaddr  "
      "flow-direction ");
  ASSERT_TRUE(bare.ok());
  EXPECT_EQ(bare->fields(), expected);
}

TEST(FlowLogFormatTest, KeepsUnknownNames) {
  const StatusOr<FlowLogFormat> format = FlowLogFormat::Parse("${version} ${next-hop-type}");
  ASSERT_TRUE(format.ok());
  EXPECT_EQ(format->fields(), (std::vector<std::string>{"version", "next-hop-type"}));
}

TEST(FlowLogFormatTest, RejectsEmptyAndMalformedFormats) {
  for (const std::string_view bad : {"", "   ", "${version", "${}", "${a}b", "a}"}) {
    const StatusOr<FlowLogFormat> format = FlowLogFormat::Parse(bad);
    ASSERT_FALSE(format.ok()) << bad;
    EXPECT_EQ(format.status().code(), StatusCode::kInvalidInput) << bad;
  }
}

TEST(FlowLogsTest, ParsesTheDefaultFormatSamples) {
  const ParseResult<FlowRecord> result = ParseFlowLogs(kDefaultSamples);
  EXPECT_EQ(result.rejected, 0u);
  EXPECT_EQ(result.skipped, 2u);  // NODATA and SKIPDATA
  ASSERT_EQ(result.records.size(), 3u);

  const FlowRecord& ssh = result.records[0];
  EXPECT_EQ(ssh.account_id, "123456789010");
  EXPECT_EQ(ssh.interface_id, "eni-1235b8ca123456789");
  EXPECT_EQ(ssh.source, "172.31.16.139");
  EXPECT_EQ(ssh.destination, "172.31.16.21");
  EXPECT_EQ(ssh.logged_source, "172.31.16.139");
  EXPECT_EQ(ssh.logged_destination, "172.31.16.21");
  EXPECT_EQ(ssh.source_v4, Ip(172, 31, 16, 139));
  EXPECT_EQ(ssh.destination_v4, Ip(172, 31, 16, 21));
  EXPECT_EQ(ssh.source_port, 20641);
  EXPECT_EQ(ssh.destination_port, 22);
  EXPECT_EQ(ssh.protocol, 6);
  EXPECT_EQ(ssh.packets, 20);
  EXPECT_EQ(ssh.bytes, 4249);
  EXPECT_EQ(ssh.start, 1418530010);
  EXPECT_EQ(ssh.end, 1418530070);
  EXPECT_TRUE(ssh.accepted);
  // Fields the default format does not have keep their "absent" values.
  EXPECT_EQ(ssh.vpc_id, "");
  EXPECT_EQ(ssh.instance_id, "");
  EXPECT_EQ(ssh.tcp_flags, -1);
  EXPECT_EQ(ssh.direction, FlowRecord::Direction::kUnknown);

  const FlowRecord& rdp = result.records[1];
  EXPECT_EQ(rdp.destination_port, 3389);
  EXPECT_FALSE(rdp.accepted);
}

TEST(FlowLogsTest, KeepsIpv6AddressesAsText) {
  const ParseResult<FlowRecord> result = ParseFlowLogs(kDefaultSamples);
  ASSERT_EQ(result.records.size(), 3u);
  const FlowRecord& ipv6 = result.records[2];
  EXPECT_EQ(ipv6.source, "2001:db8:1234:a100:8d6e:3477:df66:f105");
  EXPECT_EQ(ipv6.destination, "2001:db8:1234:a102:3304:8879:34cf:4071");
  EXPECT_EQ(ipv6.source_v4, std::nullopt);
  EXPECT_EQ(ipv6.destination_v4, std::nullopt);
  EXPECT_EQ(ipv6.source_port, 34892);
  EXPECT_EQ(ipv6.packets, 54);
  EXPECT_EQ(ipv6.end, 1477913820);
}

TEST(FlowLogsTest, SkipsNoDataAndSkipData) {
  const ParseResult<FlowRecord> result = ParseFlowLogs(
      "2 123456789010 eni-1235b8ca123456789 - - - - - - - 1431280876 1431280934 - NODATA\n"
      "2 123456789010 eni-11111111aaaaaaaaa - - - - - - - 1431280876 1431280934 - SKIPDATA\n");
  EXPECT_TRUE(result.records.empty());
  EXPECT_EQ(result.skipped, 2u);
  EXPECT_EQ(result.rejected, 0u);
}

TEST(FlowLogsTest, TakesTheFormatFromAHeaderLine) {
  const std::string content = Lines({kCustomV3Header, kCustomV3Line});
  const ParseResult<FlowRecord> result = ParseFlowLogs(content);
  EXPECT_EQ(result.rejected, 0u) << (result.rejects.empty() ? "" : result.rejects[0].reason);
  EXPECT_EQ(result.skipped, 1u);  // the header
  ASSERT_EQ(result.records.size(), 1u);
  const FlowRecord& record = result.records[0];
  EXPECT_EQ(record.vpc_id, "vpc-abcdefab012345678");
  EXPECT_EQ(record.subnet_id, "subnet-aaaaaaaa012345678");
  EXPECT_EQ(record.instance_id, "i-01234567890123456");
  EXPECT_EQ(record.interface_id, "eni-1235b8ca123456789");
  EXPECT_EQ(record.account_id, "123456789010");
  EXPECT_EQ(record.source, "52.213.180.42");
  EXPECT_EQ(record.destination, "10.0.0.62");
  EXPECT_EQ(record.source_v4, Ip(52, 213, 180, 42));
  EXPECT_EQ(record.destination_v4, Ip(10, 0, 0, 62));
  EXPECT_EQ(record.source_port, 43416);
  EXPECT_EQ(record.destination_port, 5001);
  EXPECT_EQ(record.protocol, 6);
  EXPECT_EQ(record.bytes, 568);
  EXPECT_EQ(record.packets, 8);
  EXPECT_EQ(record.start, 1566848875);
  EXPECT_EQ(record.end, 1566848933);
  EXPECT_TRUE(record.accepted);
  EXPECT_EQ(record.tcp_flags, 2);  // SYN
}

TEST(FlowLogsTest, HeaderWinsOverTheFormatArgument) {
  const std::string content = Lines({kCustomV3Header, kCustomV3Line});
  const ParseResult<FlowRecord> result = ParseFlowLogs(content, FlowLogFormat::Default());
  EXPECT_EQ(result.rejected, 0u);
  ASSERT_EQ(result.records.size(), 1u);
  EXPECT_EQ(result.records[0].vpc_id, "vpc-abcdefab012345678");
}

TEST(FlowLogsTest, SkipsARepeatedHeaderOfConcatenatedFiles) {
  const ParseResult<FlowRecord> result =
      ParseFlowLogs(Lines({kCustomV3Header, kCustomV3Line, kCustomV3Header, kCustomV3Line}));
  EXPECT_EQ(result.rejected, 0u);
  EXPECT_EQ(result.skipped, 2u);
  EXPECT_EQ(result.records.size(), 2u);
}

TEST(FlowLogsTest, UsesAFormatStringArgument) {
  const StatusOr<FlowLogFormat> format = FlowLogFormat::Parse(
      "${version} ${vpc-id} ${subnet-id} ${instance-id} ${interface-id} ${account-id} ${type} "
      "${srcaddr} ${dstaddr} ${srcport} ${dstport} ${pkt-srcaddr} ${pkt-dstaddr} ${protocol} "
      "${bytes} ${packets} ${start} ${end} ${action} ${tcp-flags} ${log-status}");
  ASSERT_TRUE(format.ok());
  const ParseResult<FlowRecord> result = ParseFlowLogs(kCustomV3Line, *format);
  EXPECT_EQ(result.rejected, 0u);
  EXPECT_EQ(result.skipped, 0u);
  ASSERT_EQ(result.records.size(), 1u);
  EXPECT_EQ(result.records[0].instance_id, "i-01234567890123456");
  EXPECT_EQ(result.records[0].tcp_flags, 2);
}

TEST(FlowLogsTest, DataLineStartingWithAnAddressIsNotAHeader) {
  // A custom format whose first field is not a number: the first line is still data.
  const StatusOr<FlowLogFormat> format = FlowLogFormat::Parse("srcaddr dstaddr action");
  ASSERT_TRUE(format.ok());
  const ParseResult<FlowRecord> result =
      ParseFlowLogs("10.0.0.1 10.0.0.2 ACCEPT\nfe80::1 fe80::2 REJECT\n", *format);
  EXPECT_EQ(result.rejected, 0u);
  EXPECT_EQ(result.skipped, 0u);
  ASSERT_EQ(result.records.size(), 2u);
  EXPECT_EQ(result.records[0].source_v4, Ip(10, 0, 0, 1));
  EXPECT_EQ(result.records[1].source, "fe80::1");
}

TEST(FlowLogsTest, PrefersPacketAddressesWhenSet) {
  const StatusOr<FlowLogFormat> format =
      FlowLogFormat::Parse("${srcaddr} ${dstaddr} ${pkt-srcaddr} ${pkt-dstaddr} ${action}");
  ASSERT_TRUE(format.ok());
  const ParseResult<FlowRecord> result = ParseFlowLogs(
      // Behind a NAT gateway: the ENI logs its own addresses, the packets carry the originals.
      "10.0.1.5 10.0.0.220 203.0.113.7 10.0.0.220 ACCEPT\n"
      // pkt-* not set: srcaddr / dstaddr stand.
      "10.0.1.5 10.0.0.220 - - ACCEPT\n",
      *format);
  EXPECT_EQ(result.rejected, 0u);
  ASSERT_EQ(result.records.size(), 2u);
  EXPECT_EQ(result.records[0].source, "203.0.113.7");
  EXPECT_EQ(result.records[0].source_v4, Ip(203, 0, 113, 7));
  EXPECT_EQ(result.records[0].logged_source, "10.0.1.5");
  EXPECT_EQ(result.records[0].destination, "10.0.0.220");
  EXPECT_EQ(result.records[1].source, "10.0.1.5");
  EXPECT_EQ(result.records[1].logged_source, "10.0.1.5");
}

TEST(FlowLogsTest, DashFieldsAreAbsent) {
  const StatusOr<FlowLogFormat> format = FlowLogFormat::Parse(
      "account-id interface-id instance-id srcaddr dstaddr srcport dstport protocol tcp-flags "
      "packets bytes action");
  ASSERT_TRUE(format.ok());
  const ParseResult<FlowRecord> result = ParseFlowLogs("- eni-1 - - - - - - - - - REJECT", *format);
  EXPECT_EQ(result.rejected, 0u);
  ASSERT_EQ(result.records.size(), 1u);
  const FlowRecord& record = result.records[0];
  EXPECT_EQ(record.account_id, "");
  EXPECT_EQ(record.interface_id, "eni-1");
  EXPECT_EQ(record.instance_id, "");  // requester-managed ENI
  EXPECT_EQ(record.source, "");
  EXPECT_EQ(record.source_v4, std::nullopt);
  EXPECT_EQ(record.source_port, -1);
  EXPECT_EQ(record.destination_port, -1);
  EXPECT_EQ(record.protocol, -1);
  EXPECT_EQ(record.tcp_flags, -1);
  EXPECT_EQ(record.packets, 0);
  EXPECT_EQ(record.bytes, 0);
  EXPECT_FALSE(record.accepted);
}

TEST(FlowLogsTest, ReadsTcpFlagsAndFlowDirection) {
  const StatusOr<FlowLogFormat> format =
      FlowLogFormat::Parse("${srcaddr} ${dstaddr} ${tcp-flags} ${flow-direction} ${action}");
  ASSERT_TRUE(format.ok());
  const ParseResult<FlowRecord> result = ParseFlowLogs(
      "198.51.100.9 10.0.0.5 19 ingress ACCEPT\n"  // SYN-ACK + FIN
      "10.0.0.5 198.51.100.9 3 egress ACCEPT\n"    // SYN + FIN
      "10.0.0.5 198.51.100.9 0 - ACCEPT\n",
      *format);
  EXPECT_EQ(result.rejected, 0u);
  ASSERT_EQ(result.records.size(), 3u);
  EXPECT_EQ(result.records[0].tcp_flags, 19);
  EXPECT_EQ(result.records[0].direction, FlowRecord::Direction::kIngress);
  EXPECT_EQ(result.records[1].tcp_flags, 3);
  EXPECT_EQ(result.records[1].direction, FlowRecord::Direction::kEgress);
  EXPECT_EQ(result.records[2].tcp_flags, 0);
  EXPECT_EQ(result.records[2].direction, FlowRecord::Direction::kUnknown);
}

TEST(FlowLogsTest, RejectsBadLinesWithTheirNumbersAndParsesTheRest) {
  const ParseResult<FlowRecord> result = ParseFlowLogs(
      "2 123456789010 eni-1 10.0.0.1 10.0.0.2 443 22 6 20 4249 1418530010 1418530070 ACCEPT OK\n"
      "2 123456789010 eni-1 10.0.0.1 10.0.0.2 443 22 6 20 4249 1418530010 ACCEPT OK\n"  // 13
      "2 123456789010 eni-1 10.0.0.1 10.0.0.2 http 22 6 20 4249 1418530010 1418530070 ACCEPT "
      "OK\n"
      "\n"
      "2 123456789010 eni-1 10.0.0.1 10.0.0.2 443 70000 6 20 4249 1418530010 1418530070 ACCEPT "
      "OK\n"
      "2 123456789010 eni-1 10.0.0.1 10.0.0.2 443 22 6 -20 4249 1418530010 1418530070 ACCEPT "
      "OK\n"
      "2 123456789010 eni-1 10.0.0.1 10.0.0.2 443 22 6 20 4249 1418530010 1418530070 ALLOW OK\n"
      "2 123456789010 eni-1 10.0.0.1 10.0.0.2 443 22 6 20 4249 1418530010 1418530070 ACCEPT OK "
      "extra\n"
      "2 123456789010 eni-1 10.0.0.3 10.0.0.4 443 22 17 1 99 1418530010 1418530070 REJECT OK\n");
  EXPECT_EQ(result.rejected, 6u);
  EXPECT_EQ(RejectedLines(result), (std::vector<size_t>{2, 3, 5, 6, 7, 8}));
  EXPECT_EQ(result.rejects[0].reason, "expected 14 fields, found 13");
  EXPECT_EQ(result.rejects[1].reason, "bad srcport 'http'");
  EXPECT_EQ(result.rejects[2].reason, "bad dstport '70000'");
  EXPECT_EQ(result.rejects[3].reason, "bad packets '-20'");
  EXPECT_EQ(result.rejects[4].reason, "bad action 'ALLOW'");
  EXPECT_EQ(result.rejects[5].reason, "expected 14 fields, found 15");
  ASSERT_EQ(result.records.size(), 2u);
  EXPECT_EQ(result.records[0].source, "10.0.0.1");
  EXPECT_EQ(result.records[1].source, "10.0.0.3");
  EXPECT_EQ(result.records[1].protocol, 17);
}

TEST(FlowLogsTest, AGarbageFirstLineIsRejectedNotTakenForAHeader) {
  const ParseResult<FlowRecord> result = ParseFlowLogs(
      "<html>not a flow log</html>\n"
      "2 123456789010 eni-1 10.0.0.1 10.0.0.2 443 22 6 20 4249 1418530010 1418530070 ACCEPT OK\n");
  EXPECT_EQ(RejectedLines(result), (std::vector<size_t>{1}));
  EXPECT_EQ(result.records.size(), 1u);
}

TEST(FlowLogsTest, ReportsOnlyTheFirstRejectsButCountsAll) {
  std::string content;
  for (int i = 0; i < 250; ++i) content += "2 garbage\n";
  const ParseResult<FlowRecord> result = ParseFlowLogs(content);
  EXPECT_EQ(result.rejected, 250u);
  EXPECT_EQ(result.rejects.size(), ParseResult<FlowRecord>::kMaxReportedRejects);
}

TEST(FlowLogsTest, ToleratesCrlfBlankLinesAndNoFinalNewline) {
  const ParseResult<FlowRecord> result = ParseFlowLogs(
      "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes "
      "start end action log-status\r\n"
      "\r\n"
      "2 123456789010 eni-1 10.0.0.1 10.0.0.2 443 22 6 20 4249 1418530010 1418530070 ACCEPT "
      "OK\r\n"
      "   \r\n"
      "2 123456789010 eni-1 10.0.0.1 10.0.0.2 443 22 6 20 4249 1418530010 1418530070 REJECT OK");
  EXPECT_EQ(result.rejected, 0u) << (result.rejects.empty() ? "" : result.rejects[0].reason);
  EXPECT_EQ(result.skipped, 1u);
  ASSERT_EQ(result.records.size(), 2u);
  EXPECT_TRUE(result.records[0].accepted);
  EXPECT_FALSE(result.records[1].accepted);
}

TEST(FlowLogsTest, EmptyContentHasNoRecords) {
  for (const std::string_view content : {"", "\n", "\r\n\r\n", "   "}) {
    const ParseResult<FlowRecord> result = ParseFlowLogs(content);
    EXPECT_TRUE(result.records.empty());
    EXPECT_EQ(result.rejected, 0u);
    EXPECT_EQ(result.skipped, 0u);
  }
}

TEST(FlowLogsTest, LongLinesSplitAcrossBlocks) {
  // Field boundaries at and around 64-byte block edges, and a line made of whole blocks.
  for (size_t padding = 0; padding < 140; ++padding) {
    const std::string interface_id = "eni-" + std::string(padding, 'a');
    const std::string line = "2 123456789010 " + interface_id +
                             " 10.0.0.1 10.0.0.2 443 22 6 20 4249 1418530010 1418530070 ACCEPT OK";
    for (const std::string& content : {line, line + "\n", line + "   "}) {
      const ParseResult<FlowRecord> result = ParseFlowLogs(content);
      ASSERT_EQ(result.records.size(), 1u) << content;
      EXPECT_EQ(result.records[0].interface_id, interface_id);
      EXPECT_EQ(result.records[0].start, 1418530010);
      EXPECT_TRUE(result.records[0].accepted);
    }
  }
}

TEST(FlowLogsTest, ReadsNumbersOfEveryLength) {
  // Counters of 1 to 18 digits, each at the end of a line and of the file (where fewer than
  // eight bytes follow), and with a bad digit at each position.
  for (size_t digits = 1; digits <= 18; ++digits) {
    const std::string number = std::string(digits - 1, '7') + "3";
    const int64_t value = std::stoll(number);
    const std::string line = "2 123456789010 eni-1 10.0.0.1 10.0.0.2 443 22 6 20 " + number +
                             " 1418530010 1418530070\n"
                             "2 123456789010 eni-1 10.0.0.1 10.0.0.2 443 22 6 20 4249 1418530010 " +
                             number;
    const StatusOr<FlowLogFormat> format = FlowLogFormat::Parse(
        "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes "
        "start end");
    ASSERT_TRUE(format.ok());
    const ParseResult<FlowRecord> result = ParseFlowLogs(line, *format);
    ASSERT_EQ(result.records.size(), 2u) << number;
    EXPECT_EQ(result.records[0].bytes, value) << number;
    EXPECT_EQ(result.records[1].end, value) << number;

    for (size_t bad = 0; bad < digits; ++bad) {
      for (const char wrong : {'/', ':', 'a', static_cast<char>(0xA0)}) {
        std::string garbled = number;
        garbled[bad] = wrong;
        const ParseResult<FlowRecord> rejected =
            ParseFlowLogs("2 123456789010 eni-1 10.0.0.1 10.0.0.2 443 22 6 20 " + garbled +
                          " 1418530010 1418530070 ACCEPT OK\n");
        EXPECT_EQ(rejected.rejected, 1u) << garbled;
      }
    }
  }
  // Too long for int64 without a check, and ports past their range.
  EXPECT_EQ(ParseFlowLogs("2 1 eni-1 10.0.0.1 10.0.0.2 443 22 6 20 1234567890123456789 1 2 ACCEPT "
                          "OK")
                .rejected,
            1u);
  EXPECT_EQ(ParseFlowLogs("2 1 eni-1 10.0.0.1 10.0.0.2 65536 22 6 20 1 1 2 ACCEPT OK").rejected,
            1u);
  EXPECT_EQ(ParseFlowLogs("2 1 eni-1 10.0.0.1 10.0.0.2 65535 00022 6 20 1 1 2 ACCEPT OK")
                .records.at(0)
                .destination_port,
            22);
}

TEST(FlowLogReaderTest, BatchesAreTheWholeFileInPieces) {
  // Every kind of line: header, records, NODATA, a repeated header, bad lines, blanks.
  std::string content = Lines({kCustomV3Header, kCustomV3Line});
  for (int i = 0; i < 40; ++i) {
    std::string line(kCustomV3Line);
    line.replace(2, 3, "vpc-" + std::to_string(i));
    content.append(line).push_back('\n');
    if (i % 7 == 0) content.append("garbage line\n");
    if (i % 11 == 0) content.push_back('\n');
    if (i % 13 == 0) content.append(kCustomV3Header).push_back('\n');
  }
  const ParseResult<FlowRecord> whole = ParseFlowLogs(content);
  ASSERT_GT(whole.records.size(), 40u);
  for (const size_t batch_size : {size_t{1}, size_t{2}, size_t{7}, size_t{1000}}) {
    FlowLogReader reader(content);
    std::vector<FlowRecord> batch;
    std::vector<std::string_view> vpcs;
    while (reader.Next(batch, batch_size)) {
      EXPECT_LE(batch.size(), batch_size);
      for (const FlowRecord& record : batch) vpcs.push_back(record.vpc_id);
    }
    EXPECT_TRUE(batch.empty());
    EXPECT_FALSE(reader.Next(batch, batch_size));  // stays exhausted
    ASSERT_EQ(vpcs.size(), whole.records.size()) << batch_size;
    for (size_t i = 0; i < vpcs.size(); ++i) EXPECT_EQ(vpcs[i], whole.records[i].vpc_id);
    EXPECT_EQ(reader.tally().skipped, whole.skipped);
    EXPECT_EQ(reader.tally().rejected, whole.rejected);
    EXPECT_EQ(RejectedLines(ParseResult<FlowRecord>{reader.tally(), {}}), RejectedLines(whole));
  }
}

TEST(FlowLogReaderTest, RecordsViewTheContent) {
  const std::string content = Lines({kCustomV3Header, kCustomV3Line});
  FlowLogReader reader(content);
  std::vector<FlowRecord> batch;
  ASSERT_TRUE(reader.Next(batch));
  ASSERT_EQ(batch.size(), 1u);
  const char* const begin = content.data();
  const char* const end = content.data() + content.size();
  for (const std::string_view text : {batch[0].interface_id, batch[0].instance_id, batch[0].source,
                                      batch[0].logged_destination}) {
    EXPECT_TRUE(text.data() >= begin && text.data() + text.size() <= end) << text;
  }
}

}  // namespace
}  // namespace vigil
