#include "detect/ingest_session.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json/serialize.hpp>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "core/ids.h"
#include "ingest/cloudtrail.h"
#include "ingest/dns_logs.h"
#include "ingest/flow_logs.h"

namespace vigil {
namespace {

namespace json = boost::json;

constexpr size_t kNoLimit = size_t{1} << 40;
constexpr int64_t kStart = 1767225600;  // 2026-01-01T00:00:00Z

// Thresholds low enough for a few lines to make findings.
DetectionSettings SmallThresholds() {
  DetectionSettings settings;
  settings.brute_force_attempts = 4;
  settings.port_scan_ports = 5;
  settings.port_sweep_hosts = 5;
  settings.port_probe_targets = 3;
  settings.dns_exfiltration_names = 4;
  return settings;
}

std::string Flow(const std::string& source, const std::string& destination, int source_port,
                 int destination_port, int64_t start, const std::string& status = "OK") {
  return "2 123456789010 eni-1 " + source + " " + destination + " " + std::to_string(source_port) +
         " " + std::to_string(destination_port) + " 6 3 180 " + std::to_string(start) + " " +
         std::to_string(start + 2) + " ACCEPT " + status;
}

// SSH attempts from outside (a brute force) and probes of five ports (a scan).
std::string FlowAttack(int64_t start) {
  std::string text;
  for (int i = 0; i < 5; ++i) {
    text += Flow("198.51.100.9", "10.0.0.6", 50000 + i, 22, start + i * 10) + "\n";
  }
  for (int port = 1; port <= 5; ++port) {
    text += Flow("10.0.0.7", "203.0.113.5", 40000, port, start + port) + "\n";
  }
  return text;
}

constexpr std::string_view kFlowHeader =
    "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes "
    "start end action log-status";

std::string CloudTrailLine(const std::string& id, const std::string& name, int second) {
  std::string line = R"({"eventTime":"2026-01-01T00:00:)" + std::to_string(10 + second) +
                     R"(Z","eventSource":"cloudtrail.amazonaws.com","eventName":")" + name +
                     R"(","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::1:user/a"})";
  if (!id.empty()) line += R"(,"eventID":")" + id + "\"";
  return line + "}";
}

std::string DnsLine(const std::string& name, int second) {
  return R"({"query_timestamp":"2026-01-01T00:00:)" + std::to_string(10 + second) +
         R"(Z","query_name":")" + name + R"(.","srcaddr":"10.0.0.6","srcids":{"instance":"i-1"}})";
}

struct Body {
  std::string name;
  LogSource source;
  std::string text;
};

std::vector<Body> Bodies() {
  const std::string attack = FlowAttack(kStart);
  std::vector<Body> bodies = {
      {"flow header, repeats, blanks, junk", LogSource::kFlowLogs,
       "\n  \t\n" + std::string(kFlowHeader) + "\n\n" + attack.substr(0, 180) + "\n" +
           std::string(kFlowHeader) + "\r\nnot a record\n" +
           "2 123456789010 eni-1 - - - - - - - 1767225600 1767225660 - NODATA\n" +
           "srcaddr dstaddr\n" + attack.substr(180) + "2 1 2 3"},
      {"flow default format", LogSource::kFlowLogs, attack + "2 x\n\n"},
      {"flow junk first", LogSource::kFlowLogs, " \n\r\nnot a record at all\n" + attack},
      {"flow NODATA first", LogSource::kFlowLogs,
       "2 123456789010 eni-1 - - - - - - - 1767225600 1767225660 - NODATA\n" + attack +
           std::string(kFlowHeader) + "\n"},
      {"flow custom header", LogSource::kFlowLogs,
       "${account-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${packets} "
       "${start} ${end} ${action} ${instance-id}\n"
       "1 198.51.100.9 10.0.0.6 50000 22 6 3 1767225600 1767225602 ACCEPT i-1\n"
       "1 198.51.100.9 10.0.0.6 50001 22 6 3 1767225610 1767225612 ACCEPT i-1\n"
       "1 198.51.100.9 10.0.0.6 50002 22 6 3 1767225620 1767225622 ACCEPT i-1\n"
       "1 198.51.100.9 10.0.0.6 50003 22 6 3 1767225630 1767225632 ACCEPT i-1\n"},
      {"cloudtrail lines", LogSource::kCloudTrail,
       "\xEF\xBB\xBF" + CloudTrailLine("e-1", "StopLogging", 0) + "\r\n\n" +
           CloudTrailLine("e-2", "DescribeInstances", 1) + "\n{\"broken\": \n" +
           CloudTrailLine("e-1", "StopLogging", 2) + "\n{\"Records\":[" +
           CloudTrailLine("e-3", "DeleteAccountPasswordPolicy", 3) + "," +
           CloudTrailLine("", "StopLogging", 4) + ",{\"x\":1}]}\n" +
           CloudTrailLine("", "StopLogging", 5) + "\n  \n"},
      {"cloudtrail lines, first not an event", LogSource::kCloudTrail,
       "{\"eventVersion\":\"1.08\"}\n" + CloudTrailLine("e-1", "StopLogging", 0) + "\n" +
           CloudTrailLine("e-2", "StopLogging", 1)},
      {"cloudtrail document", LogSource::kCloudTrail,
       "{\"Records\": [\n  " + CloudTrailLine("e-1", "StopLogging", 0) + ",\n  " +
           CloudTrailLine("e-2", "DeleteFlowLogs", 1) + ",\n  {\"y\": 2}\n]}\n"},
      {"cloudtrail lines, broken first", LogSource::kCloudTrail,
       "{\"eventTime\": \n" + CloudTrailLine("e-1", "StopLogging", 0) + "\n" +
           CloudTrailLine("e-2", "StopLogging", 1) + "\n"},
      {"cloudtrail one line", LogSource::kCloudTrail,
       "\n" + CloudTrailLine("e-1", "StopLogging", 0) + "\n\n \n"},
      {"dns", LogSource::kDns,
       DnsLine("eu.pool.supportxmr.com", 0) + "\n\nnot json\n" + DnsLine("www.example.com", 1) +
           "\r\n{\"query_type\":\"A\"}\n" +
           DnsLine("a9f8e7d6c5b4a39281706f5e4d3c2b1a0f9e8d7c.exfil.example", 2) + "\n" +
           DnsLine("0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c.exfil.example", 3) + "\n" +
           DnsLine("9a8b7c6d5e4f30211203f4e5d6c7b8a99a8b7c6d.exfil.example", 4) + "\n" +
           DnsLine("5e4d3c2b1a0f9e8d7c6b5a49382716051e2d3c4b.exfil.example", 5)},
  };
  return bodies;
}

// What a batch came to, in terms that do not depend on the detector it went to.
struct Result {
  std::string error;  // empty on success
  size_t records = 0;
  size_t rejected = 0;
  std::vector<std::pair<size_t, std::string>> rejects;
  size_t findings_created = 0;
  std::vector<std::string> findings;  // each finding's JSON without its ids

  bool operator==(const Result&) const = default;
};

void PrintTo(const Result& result, std::ostream* out) {
  *out << "error '" << result.error << "' records " << result.records << " rejected "
       << result.rejected << " created " << result.findings_created << " rejects [";
  for (const auto& [position, reason] : result.rejects) *out << position << ":" << reason << "; ";
  *out << "] findings [";
  for (const std::string& finding : result.findings) *out << finding << "\n";
  *out << "]";
}

class IngestSessionTest : public ::testing::Test {
 protected:
  IngestSessionTest()
      : store_(std::move(OpenSqliteStore(":memory:").value())),
        findings_(*store_),
        engine_(*store_, findings_, nullptr, clock_, SmallThresholds()) {}

  DetectorRecord NewDetector() {
    DetectorRecord detector;
    detector.id = NewResourceId();
    detector.account = std::to_string(100000000000 + ++detectors_);
    detector.region = "us-east-1";
    EXPECT_TRUE(store_->CreateDetector(detector, {}, {}).ok());
    return detector;
  }

  // Feeds `body` cut at `cuts` to a new session of a new detector.
  Result Stream(const DetectorRecord& detector, LogSource source, std::string_view body,
                const std::vector<size_t>& cuts, size_t piece_bytes, size_t max_bytes = kNoLimit) {
    std::unique_ptr<IngestSession> session =
        engine_.StartIngest(detector, source, max_bytes, piece_bytes);
    size_t from = 0;
    Status fed;
    for (size_t cut : cuts) {
      fed = session->Feed(body.substr(from, cut - from));
      from = cut;
      if (!fed.ok()) break;
    }
    if (fed.ok()) fed = session->Feed(body.substr(from));
    StatusOr<IngestOutcome> outcome = fed.ok() ? session->Finish() : StatusOr<IngestOutcome>(fed);
    return Summarize(detector, outcome);
  }

  Result Stream(LogSource source, std::string_view body, const std::vector<size_t>& cuts,
                size_t piece_bytes) {
    return Stream(NewDetector(), source, body, cuts, piece_bytes);
  }

  // The one-shot path over a new detector.
  Result Whole(LogSource source, std::string_view body, size_t max_bytes = kNoLimit) {
    const DetectorRecord detector = NewDetector();
    return Summarize(detector, engine_.Ingest(detector, source, body, max_bytes));
  }

  Result Summarize(const DetectorRecord& detector, const StatusOr<IngestOutcome>& outcome) {
    Result result;
    if (!outcome.ok()) {
      result.error = outcome.status().message();
    } else {
      result.records = outcome->records;
      result.rejected = outcome->rejected;
      for (const RejectedRecord& reject : outcome->rejects) {
        result.rejects.emplace_back(reject.position, reject.reason);
      }
      result.findings_created = outcome->findings_created;
    }
    const StatusOr<FindingIdPage> page =
        findings_.List({detector.id}, std::make_shared<const FindingCriteria>(), {}, 0, 1000);
    EXPECT_TRUE(page.ok());
    const StatusOr<std::vector<json::object>> found = findings_.Get({detector.id}, page->ids, {});
    EXPECT_TRUE(found.ok());
    for (json::object finding : *found) {
      finding.erase("id");
      finding.erase("arn");
      std::string text = json::serialize(finding);
      for (const std::string& name : {detector.id, detector.account}) {
        for (size_t at = text.find(name); at != std::string::npos; at = text.find(name, at)) {
          text.replace(at, name.size(), "<>");
        }
      }
      result.findings.push_back(std::move(text));
    }
    std::sort(result.findings.begin(), result.findings.end());
    return result;
  }

  ManualClock clock_{kStart * 1000 + 3'600'000};
  std::unique_ptr<Store> store_;
  FindingService findings_;
  DetectionEngine engine_;
  int detectors_ = 0;
};

// The parsers' own answer for the whole body.
Result Parsed(LogSource source, std::string_view plain) {
  Result result;
  const auto take = [&result](const auto& parsed) {
    result.records = parsed.records.size();
    result.rejected = parsed.rejected;
    for (const RejectedRecord& reject : parsed.rejects) {
      result.rejects.emplace_back(reject.position, reject.reason);
    }
  };
  switch (source) {
    case LogSource::kFlowLogs:
      take(ParseFlowLogs(plain));
      break;
    case LogSource::kCloudTrail:
      take(ParseCloudTrail(plain));
      break;
    case LogSource::kDns:
      take(ParseDnsLogs(plain));
      break;
  }
  return result;
}

TEST_F(IngestSessionTest, WholeBodyIsParsedAsTheParsersParseIt) {
  for (const Body& body : Bodies()) {
    SCOPED_TRACE(body.name);
    Result whole = Whole(body.source, body.text);
    EXPECT_FALSE(whole.findings.empty()) << "each body is meant to make findings";
    whole.findings.clear();
    whole.findings_created = 0;
    EXPECT_EQ(whole, Parsed(body.source, body.text));
  }
}

TEST_F(IngestSessionTest, SameResultsCutAtEveryByte) {
  for (const Body& body : Bodies()) {
    for (const bool gzip : {false, true}) {
      SCOPED_TRACE(body.name + (gzip ? " (gzip)" : ""));
      const std::string text = gzip ? Gzip(body.text) : body.text;
      const Result expected = Whole(body.source, text);
      ASSERT_TRUE(expected.error.empty()) << expected.error;
      for (size_t cut = 0; cut <= text.size(); ++cut) {
        // One-byte pieces: every line is evaluated on its own, behind the lead.
        ASSERT_EQ(Stream(body.source, text, {cut}, 1), expected) << "cut at " << cut;
      }
    }
  }
}

TEST_F(IngestSessionTest, SameResultsInRandomPieces) {
  std::mt19937 random(11);
  for (const Body& body : Bodies()) {
    for (const bool gzip : {false, true}) {
      SCOPED_TRACE(body.name + (gzip ? " (gzip)" : ""));
      // Two gzip members, as `cat a.gz b.gz` makes.
      const std::string text = gzip ? Gzip(body.text.substr(0, body.text.size() / 3)) +
                                          Gzip(body.text.substr(body.text.size() / 3))
                                    : body.text;
      const Result expected = Whole(body.source, text);
      for (int round = 0; round < 30; ++round) {
        std::vector<size_t> cuts;
        for (size_t at = random() % 40; at < text.size(); at += 1 + random() % 90) {
          cuts.push_back(at);
        }
        ASSERT_EQ(Stream(body.source, text, cuts, 1 + random() % 300), expected)
            << "round " << round;
      }
    }
  }
}

TEST_F(IngestSessionTest, SameResultsForALargeBodyInRandomPieces) {
  // 5,000 lines: attacks spread over time, and more rejects than are reported.
  std::string flows = std::string(kFlowHeader) + "\n";
  std::string dns;
  std::string cloudtrail;
  for (int i = 0; i < 500; ++i) {
    flows += FlowAttack(kStart + i * 1000);
    if (i % 3 == 0) flows += "rejected line " + std::to_string(i) + "\n";
    dns += DnsLine(i % 7 == 0 ? "eu.pool.supportxmr.com" : "host" + std::to_string(i) + ".example",
                   i % 40) +
           (i % 11 == 0 ? "\nnot json\n" : "\n");
    cloudtrail += CloudTrailLine("id-" + std::to_string(i % 300),
                                 i % 5 == 0 ? "StopLogging" : "DescribeInstances", i % 40) +
                  (i % 13 == 0 ? "\n{]\n" : "\n");
  }
  std::mt19937 random(13);
  for (const auto& [source, plain] :
       {std::pair{LogSource::kFlowLogs, flows}, std::pair{LogSource::kDns, dns},
        std::pair{LogSource::kCloudTrail, cloudtrail}}) {
    for (const bool gzip : {false, true}) {
      const std::string text = gzip ? Gzip(plain) : plain;
      const Result expected = Whole(source, text);
      ASSERT_TRUE(expected.error.empty()) << expected.error;
      ASSERT_FALSE(expected.findings.empty());
      for (int round = 0; round < 4; ++round) {
        std::vector<size_t> cuts;
        for (size_t at = random() % 1000; at < text.size(); at += 1 + random() % 20'000) {
          cuts.push_back(at);
        }
        const size_t piece_bytes = 1 + random() % 30'000;
        ASSERT_EQ(Stream(source, text, cuts, piece_bytes), expected)
            << "gzip " << gzip << " round " << round << " piece_bytes " << piece_bytes;
      }
    }
  }
}

TEST_F(IngestSessionTest, AGzipBombFailsAsTheWholeBodyDoesAndRecordsNothing) {
  const std::string bomb = Gzip(FlowAttack(kStart) + std::string(2'000'000, '\n'));
  const size_t limit = 1'000'000;
  const Result whole = Whole(LogSource::kFlowLogs, bomb, limit);
  EXPECT_EQ(whole.error, "The decompressed content is over the limit of 1000000 bytes.");
  EXPECT_TRUE(whole.findings.empty());
  for (const std::vector<size_t>& cuts : {std::vector<size_t>{}, std::vector<size_t>{10, 100}}) {
    const Result streamed = Stream(NewDetector(), LogSource::kFlowLogs, bomb, cuts, 64, limit);
    EXPECT_EQ(streamed, whole);
  }
}

TEST_F(IngestSessionTest, AFailedBatchGivesBackItsCloudTrailEventIds) {
  const std::string lines = CloudTrailLine("e-1", "StopLogging", 0) + "\n" +
                            CloudTrailLine("e-2", "StopLogging", 1) + "\n";
  const std::string good = Gzip(lines);
  const DetectorRecord detector = NewDetector();

  // Corrupt after both lines were evaluated: nothing is recorded, the ids are released.
  const Result failed =
      Stream(detector, LogSource::kCloudTrail, good + "\x1f\x8b garbage", {}, 1, kNoLimit);
  EXPECT_FALSE(failed.error.empty());
  EXPECT_TRUE(failed.findings.empty());

  // Abandoned part-way: the same.
  {
    std::unique_ptr<IngestSession> session =
        engine_.StartIngest(detector, LogSource::kCloudTrail, kNoLimit, 1);
    ASSERT_TRUE(session->Feed(lines + CloudTrailLine("e-3", "StopLogging", 2)).ok());
  }

  // The retry evaluates every event, as a first delivery does.
  const Result retried = Stream(detector, LogSource::kCloudTrail, good, {}, 1);
  EXPECT_EQ(retried, Whole(LogSource::kCloudTrail, good));
  EXPECT_EQ(retried.records, 2u);
  ASSERT_EQ(retried.findings.size(), 1u);
  EXPECT_NE(retried.findings[0].find("\"count\":2"), std::string::npos) << retried.findings[0];
  // And a re-delivery counts once.
  const Result again = Stream(detector, LogSource::kCloudTrail, good, {}, 1);
  EXPECT_EQ(again.findings_created, 0u);
  EXPECT_EQ(again.findings, retried.findings);
}

TEST_F(IngestSessionTest, AnEventInTwoConcurrentBatchesCountsOnce) {
  const std::string lines = CloudTrailLine("e-1", "StopLogging", 0) + "\n" +
                            CloudTrailLine("e-2", "StopLogging", 1) + "\n";
  const DetectorRecord detector = NewDetector();
  auto first = engine_.StartIngest(detector, LogSource::kCloudTrail, kNoLimit, 1);
  auto second = engine_.StartIngest(detector, LogSource::kCloudTrail, kNoLimit, 1);
  ASSERT_TRUE(first->Feed(lines).ok());
  ASSERT_TRUE(second->Feed(lines).ok());  // evaluated while the first is not yet stored
  ASSERT_TRUE(second->Finish().ok());
  ASSERT_TRUE(first->Finish().ok());
  const Result once = Whole(LogSource::kCloudTrail, lines);
  ASSERT_EQ(once.findings.size(), 1u);
  EXPECT_NE(once.findings[0].find("\"count\":2"), std::string::npos) << once.findings[0];
  EXPECT_EQ(Summarize(detector, StatusOr<IngestOutcome>(IngestOutcome{})).findings, once.findings);
}

// A process killed while a batch was being evaluated has stored nothing of it: the
// retry a client makes against the restarted process (here a second store over the
// same database file) evaluates every event of the batch.
TEST_F(IngestSessionTest, ABatchCutOffByACrashLeavesNoEventIdsBehind) {
  const std::filesystem::path path =
      std::filesystem::temp_directory_path() / ("vigil-crash-" + NewResourceId() + ".db");
  const std::string lines = CloudTrailLine("e-1", "StopLogging", 0) + "\n" +
                            CloudTrailLine("e-2", "StopLogging", 1) + "\n";
  DetectorRecord detector;
  detector.id = NewResourceId();
  detector.account = "111122223333";
  detector.region = "us-east-1";
  {
    std::unique_ptr<Store> before_crash = std::move(OpenSqliteStore(path.string()).value());
    ASSERT_TRUE(before_crash->CreateDetector(detector, {}, {}).ok());
    FindingService findings(*before_crash);
    DetectionEngine engine(*before_crash, findings, nullptr, clock_, SmallThresholds());
    auto cut_off = engine.StartIngest(detector, LogSource::kCloudTrail, kNoLimit, 1);
    ASSERT_TRUE(cut_off->Feed(lines).ok());  // both events evaluated, the batch not finished

    std::unique_ptr<Store> restarted = std::move(OpenSqliteStore(path.string()).value());
    FindingService restarted_findings(*restarted);
    DetectionEngine restarted_engine(*restarted, restarted_findings, nullptr, clock_,
                                     SmallThresholds());
    auto retried = restarted_engine.Ingest(detector, LogSource::kCloudTrail, lines, kNoLimit);
    ASSERT_TRUE(retried.ok()) << retried.status().ToString();
    EXPECT_EQ(retried->records, 2u);
    EXPECT_EQ(retried->findings_created, 1u);
  }
  for (const char* suffix : {"", "-wal", "-shm"}) {
    std::filesystem::remove(path.string() + suffix);
  }
}

TEST_F(IngestSessionTest, BatchesOfOneDetectorInterleavePieceByPiece) {
  // The detector's state is locked per piece, not per batch: two uploads in turn on one
  // thread would deadlock otherwise.
  const DetectorRecord detector = NewDetector();
  const std::string attack = FlowAttack(kStart);
  auto first = engine_.StartIngest(detector, LogSource::kFlowLogs, kNoLimit, 1);
  auto second = engine_.StartIngest(detector, LogSource::kFlowLogs, kNoLimit, 1);
  const size_t half = attack.find('\n', attack.size() / 2) + 1;
  ASSERT_TRUE(first->Feed(attack.substr(0, half)).ok());
  ASSERT_TRUE(second->Feed(attack.substr(0, half)).ok());
  ASSERT_TRUE(first->Feed(attack.substr(half)).ok());
  ASSERT_TRUE(second->Feed(attack.substr(half)).ok());
  ASSERT_TRUE(first->Finish().ok());
  ASSERT_TRUE(second->Finish().ok());
}

}  // namespace
}  // namespace vigil
