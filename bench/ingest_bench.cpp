// Log parsing rates, the first stage of ingest: every flow log record and DNS query goes
// through these parsers before any rule sees it. Records per second per core, over
// generated buffers shaped like AWS's own samples (a mix of IPv4 flows with a few NODATA
// records; DNS queries with one answer).
#include <benchmark/benchmark.h>

#include <cstdint>
#include <random>
#include <string>

#include "detect/detection_engine.h"
#include "detect/rules.h"
#include "ingest/cloudtrail.h"
#include "ingest/decompress.h"
#include "ingest/dns_logs.h"
#include "ingest/flow_logs.h"

namespace {

using namespace vigil;

constexpr int kFlowLogLines = 1'000'000;
constexpr int kDnsLines = 200'000;

std::string RandomPrivateAddress(std::mt19937& random) {
  return "10." + std::to_string(random() % 256) + "." + std::to_string(random() % 256) + "." +
         std::to_string(random() % 256);
}

std::string RandomPublicAddress(std::mt19937& random) {
  return std::to_string(1 + random() % 223) + "." + std::to_string(random() % 256) + "." +
         std::to_string(random() % 256) + "." + std::to_string(random() % 256);
}

// The default version-2 format; one line in a hundred is NODATA, as idle ENIs produce.
std::string DefaultFormatFlowLogs() {
  std::mt19937 random(42);
  std::string content;
  content.reserve(size_t{kFlowLogLines} * 110);
  for (int line = 0; line < kFlowLogLines; ++line) {
    const int64_t start = 1'700'000'000 + line / 100;
    const std::string interface_id =
        "eni-0" + std::to_string(100000000 + random() % 1000) + "abcdef0";
    if (line % 100 == 99) {
      content += "2 123456789010 " + interface_id + " - - - - - - - " + std::to_string(start) +
                 " " + std::to_string(start + 60) + " - NODATA\n";
      continue;
    }
    const bool inbound = random() % 2 == 0;
    const std::string local = RandomPrivateAddress(random);
    const std::string remote = RandomPublicAddress(random);
    content += "2 123456789010 " + interface_id + " " + (inbound ? remote : local) + " " +
               (inbound ? local : remote) + " " + std::to_string(1024 + random() % 64000) + " " +
               std::to_string(random() % 2 == 0 ? 443 : 22) + " 6 " +
               std::to_string(1 + random() % 100) + " " + std::to_string(40 + random() % 100000) +
               " " + std::to_string(start) + " " + std::to_string(start + 60) + " " +
               (random() % 4 == 0 ? "REJECT" : "ACCEPT") + " OK\n";
  }
  return content;
}

std::string DnsQueryLogs() {
  std::mt19937 random(7);
  std::string content;
  content.reserve(size_t{kDnsLines} * 520);
  for (int line = 0; line < kDnsLines; ++line) {
    const std::string name = "host" + std::to_string(random() % 100000) + ".Example.com.";
    content += R"({"version":"1.100000","account_id":"111122223333","region":"us-east-1",)"
               R"("vpc_id":"vpc-7example","query_timestamp":"2021-02-04T17:51:)" +
               std::to_string(10 + line % 50) + R"(.123Z","query_name":")" + name +
               R"(","query_type":"A","query_class":"IN","rcode":"NOERROR","answers":[{"Rdata":")" +
               RandomPublicAddress(random) + R"(","Type":"A","Class":"IN"}],"srcaddr":")" +
               RandomPrivateAddress(random) + R"(","srcport":")" +
               std::to_string(1024 + random() % 64000) +
               R"(","transport":"UDP","srcids":{"instance":"i-0d15cd0d3example"}})" + "\n";
  }
  return content;
}

void BM_ParseFlowLogsDefault(benchmark::State& state) {
  const std::string content = DefaultFormatFlowLogs();
  size_t records = 0;
  for (auto _ : state) {
    const ParseResult<FlowRecord> result = ParseFlowLogs(content);
    records += result.records.size() + result.skipped;
    benchmark::DoNotOptimize(result.records.data());
  }
  state.SetItemsProcessed(static_cast<int64_t>(records));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * content.size()));
}
BENCHMARK(BM_ParseFlowLogsDefault)->Unit(benchmark::kMillisecond);

void BM_ParseDnsLogs(benchmark::State& state) {
  const std::string content = DnsQueryLogs();
  size_t records = 0;
  for (auto _ : state) {
    const ParseResult<DnsQuery> result = ParseDnsLogs(content);
    records += result.records.size();
    benchmark::DoNotOptimize(result.records.data());
  }
  state.SetItemsProcessed(static_cast<int64_t>(records));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * content.size()));
}
BENCHMARK(BM_ParseDnsLogs)->Unit(benchmark::kMillisecond);

// CloudTrail: one S3 log file, {"Records":[...]} on one line as AWS delivers it, of about
// kCloudTrailBytes. Records cycle through shapes seen in real trails (1-2 KB each):
// AssumedRole EC2 reads, S3 data events, STS AssumeRole with credentials in the response,
// IAM calls that fail, console sign-ins.
constexpr size_t kCloudTrailBytes = 50 << 20;

std::string RandomHex(std::mt19937& random, int digits) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string text;
  for (int i = 0; i < digits; ++i) text += kHex[random() % 16];
  return text;
}

std::string RandomEventId(std::mt19937& random) {
  return RandomHex(random, 8) + "-" + RandomHex(random, 4) + "-" + RandomHex(random, 4) + "-" +
         RandomHex(random, 4) + "-" + RandomHex(random, 12);
}

std::string CloudTrailRecord(std::mt19937& random, int index) {
  const std::string account = "1234567890" + std::to_string(10 + random() % 90);
  const std::string time = "2024-03-0" + std::to_string(1 + index % 9) + "T1" +
                           std::to_string(index % 10) + ":" + std::to_string(10 + index % 50) +
                           ":" + std::to_string(10 + random() % 50) + "Z";
  const std::string role = "AppRole" + std::to_string(random() % 50);
  const std::string session = "i-0" + RandomHex(random, 16);
  const std::string assumed_role_identity =
      R"({"type":"AssumedRole","principalId":"AROA2EXAMPLE)" + RandomHex(random, 8) + ":" +
      session + R"(","arn":"arn:aws:sts::)" + account + ":assumed-role/" + role + "/" + session +
      R"(","accountId":")" + account + R"(","accessKeyId":"ASIA)" + RandomHex(random, 16) +
      R"(","sessionContext":{"sessionIssuer":{"type":"Role","principalId":"AROA2EXAMPLE)" +
      RandomHex(random, 8) + R"(","arn":"arn:aws:iam::)" + account + ":role/" + role +
      R"(","accountId":")" + account + R"(","userName":")" + role +
      R"("},"webIdFederationData":{},"attributes":{"creationDate":")" + time +
      R"(","mfaAuthenticated":"false"},"ec2RoleDelivery":"2.0"}})";
  const std::string common_tail = R"(,"requestID":")" + RandomEventId(random) + R"(","eventID":")" +
                                  RandomEventId(random) + R"(","recipientAccountId":")" + account +
                                  "\"";
  const std::string source_ip = RandomPublicAddress(random);
  switch (index % 5) {
    case 0:
      return R"({"eventVersion":"1.08","userIdentity":)" + assumed_role_identity +
             R"(,"eventTime":")" + time +
             R"(","eventSource":"ec2.amazonaws.com","eventName":"DescribeInstances",)"
             R"("awsRegion":"us-east-1","sourceIPAddress":")" +
             source_ip +
             R"(","userAgent":"aws-sdk-go-v2/1.21.0 os/linux lang/go#1.21.1 md/GOOS#linux md/GOARCH#amd64 api/ec2#1.118.0",)"
             R"("requestParameters":{"instancesSet":{},"filterSet":{"items":[{"name":"tag:Environment","valueSet":{"items":[{"value":"production"}]}}]}},)"
             R"("responseElements":null)" +
             common_tail +
             R"(,"readOnly":true,"eventType":"AwsApiCall","managementEvent":true,"eventCategory":"Management",)"
             R"("tlsDetails":{"tlsVersion":"TLSv1.3","cipherSuite":"TLS_AES_128_GCM_SHA256","clientProvidedHostHeader":"ec2.us-east-1.amazonaws.com"}})";
    case 1:
      return R"({"eventVersion":"1.09","userIdentity":)" + assumed_role_identity +
             R"(,"eventTime":")" + time +
             R"(","eventSource":"s3.amazonaws.com","eventName":"GetObject","awsRegion":"eu-west-1",)"
             R"("sourceIPAddress":")" +
             source_ip +
             R"(","userAgent":"[aws-cli/2.15.0 Python/3.11.6 Linux/6.1.0 exe/x86_64.debian.12 prompt/off command/s3.cp]",)"
             R"("requestParameters":{"bucketName":"data-lake-raw-)" +
             RandomHex(random, 6) +
             R"(","Host":"data-lake-raw.s3.eu-west-1.amazonaws.com","key":"events/2024/03/01/part-)" +
             RandomHex(random, 12) +
             R"(.parquet"},"responseElements":null,"additionalEventData":{"SignatureVersion":"SigV4",)"
             R"("CipherSuite":"TLS_AES_128_GCM_SHA256","bytesTransferredIn":0,"AuthenticationMethod":"AuthHeader",)"
             R"("x-amz-id-2":"k3YwR)" +
             RandomHex(random, 40) + R"(=","bytesTransferredOut":)" +
             std::to_string(random() % 10000000) + "}" + common_tail +
             R"(,"readOnly":true,"resources":[{"type":"AWS::S3::Object","ARN":"arn:aws:s3:::data-lake-raw/events/part"},)"
             R"({"accountId":")" +
             account +
             R"(","type":"AWS::S3::Bucket","ARN":"arn:aws:s3:::data-lake-raw"}],"eventType":"AwsApiCall",)"
             R"("managementEvent":false,"eventCategory":"Data"})";
    case 2:
      return R"({"eventVersion":"1.08","userIdentity":{"type":"AWSService","invokedBy":"ec2.amazonaws.com"},)"
             R"("eventTime":")" +
             time +
             R"(","eventSource":"sts.amazonaws.com","eventName":"AssumeRole","awsRegion":"us-east-1",)"
             R"("sourceIPAddress":"ec2.amazonaws.com","userAgent":"ec2.amazonaws.com","requestParameters":)"
             R"({"roleArn":"arn:aws:iam::)" +
             account + ":role/" + role + R"(","roleSessionName":")" + session +
             R"(","durationSeconds":3600},"responseElements":{"credentials":{"accessKeyId":"ASIA)" +
             RandomHex(random, 16) + R"(","sessionToken":"IQoJb3JpZ2luX2VjE)" +
             RandomHex(random, 120) +
             R"(","expiration":"Mar 1, 2024, 6:00:00 PM"},"assumedRoleUser":{"assumedRoleId":"AROA2EXAMPLE:)" +
             session + R"(","arn":"arn:aws:sts::)" + account + ":assumed-role/" + role + "/" +
             session + R"("}})" + common_tail + R"(,"readOnly":true,"resources":[{"accountId":")" +
             account + R"(","type":"AWS::IAM::Role","ARN":"arn:aws:iam::)" + account + ":role/" +
             role +
             R"("}],"eventType":"AwsApiCall","managementEvent":true,"eventCategory":"Management",)"
             R"("sharedEventID":")" +
             RandomEventId(random) + R"("})";
    case 3:
      return R"({"eventVersion":"1.08","userIdentity":{"type":"IAMUser","principalId":"AIDA2EXAMPLE)" +
             RandomHex(random, 8) + R"(","arn":"arn:aws:iam::)" + account +
             R"(:user/ci-deployer","accountId":")" + account + R"(","accessKeyId":"AKIA)" +
             RandomHex(random, 16) + R"(","userName":"ci-deployer"},"eventTime":")" + time +
             R"(","eventSource":"iam.amazonaws.com","eventName":"AttachUserPolicy","awsRegion":"us-east-1",)"
             R"("sourceIPAddress":")" +
             source_ip +
             R"(","userAgent":"aws-cli/2.15.0 Python/3.11.6 Linux/6.1.0 botocore/2.4.5","errorCode":"AccessDenied",)"
             R"("errorMessage":"User: arn:aws:iam::)" +
             account +
             R"(:user/ci-deployer is not authorized to perform: iam:AttachUserPolicy on resource: user admin",)"
             R"("requestParameters":{"userName":"admin","policyArn":"arn:aws:iam::aws:policy/AdministratorAccess"},)"
             R"("responseElements":null)" +
             common_tail +
             R"(,"readOnly":false,"eventType":"AwsApiCall","managementEvent":true,"eventCategory":"Management"})";
    default:
      return R"({"eventVersion":"1.08","userIdentity":{"type":"Root","principalId":")" + account +
             R"(","arn":"arn:aws:iam::)" + account + R"(:root","accountId":")" + account +
             R"(","accessKeyId":""},"eventTime":")" + time +
             R"(","eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","awsRegion":"us-east-1",)"
             R"("sourceIPAddress":")" +
             source_ip +
             R"(","userAgent":"Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0",)"
             R"("requestParameters":null,"responseElements":{"ConsoleLogin":"Success"},)"
             R"("additionalEventData":{"LoginTo":"https://console.aws.amazon.com/console/home?state=hashArgs%23&isauthcode=true",)"
             R"("MobileVersion":"No","MFAUsed":"No"})" +
             common_tail +
             R"(,"readOnly":false,"eventType":"AwsConsoleSignIn","managementEvent":true,)"
             R"("eventCategory":"Management"})";
  }
}

std::string CloudTrailLogFile() {
  std::mt19937 random(11);
  std::string content;
  content.reserve(kCloudTrailBytes + 4096);
  content += R"({"Records":[)";
  for (int index = 0; content.size() < kCloudTrailBytes; ++index) {
    if (index > 0) content += ',';
    content += CloudTrailRecord(random, index);
  }
  content += "]}";
  return content;
}

void BM_ParseCloudTrail(benchmark::State& state) {
  const std::string content = CloudTrailLogFile();
  size_t records = 0;
  for (auto _ : state) {
    const ParseResult<CloudTrailEvent> result = ParseCloudTrail(content);
    if (result.rejected != 0) state.SkipWithError("generated records were rejected");
    records += result.records.size();
    benchmark::DoNotOptimize(result.records.data());
  }
  state.SetItemsProcessed(static_cast<int64_t>(records));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * content.size()));
}
BENCHMARK(BM_ParseCloudTrail)->Unit(benchmark::kMillisecond);

// Detection over flow logs: parse, orient, and run every flow rule the server runs
// (threat lists, brute force, port scan, port sweep, port probe) against a snapshot of 6
// threat lists x 250,000 random entries (the issue's load), the findings collected but
// not stored.
std::shared_ptr<const ThreatSnapshot> SixLargeThreatLists() {
  std::mt19937 random(99);
  std::vector<LoadedList> lists;
  for (int list = 0; list < 6; ++list) {
    auto parsed = std::make_shared<ParsedList>();
    for (int i = 0; i < 250'000; ++i) {
      const uint32_t address = static_cast<uint32_t>(random());
      // Mostly single addresses and small networks, as real feeds: ~2% of the address
      // space is listed, so most traffic matches nothing.
      const int prefix = 24 + static_cast<int>(random() % 9);
      const uint32_t mask = prefix == 32 ? ~uint32_t{0} : ~(~uint32_t{0} >> prefix);
      parsed->ranges.push_back({address & mask, (address & mask) | ~mask});
    }
    lists.push_back(
        {{"list" + std::to_string(list), "threats-" + std::to_string(list), false}, parsed});
  }
  return ThreatSnapshot::Build(lists);
}

// Traffic as a VPC sees it: mostly HTTPS, some DNS and SSH sessions, 1 in 100 idle.
std::string RealisticFlowLogs() {
  std::mt19937 random(43);
  std::string content;
  content.reserve(size_t{kFlowLogLines} * 110);
  constexpr int kPorts[] = {443, 443, 443, 443, 80, 80, 53, 123, 3306, 22};
  for (int line = 0; line < kFlowLogLines; ++line) {
    const int64_t start = 1'700'000'000 + line / 100;
    const std::string interface_id =
        "eni-0" + std::to_string(100000000 + random() % 1000) + "abcdef0";
    const bool inbound = random() % 2 == 0;
    const std::string local = RandomPrivateAddress(random);
    const std::string remote = RandomPublicAddress(random);
    const int service = kPorts[random() % 10];
    const int client = 1024 + static_cast<int>(random() % 64000);
    content += "2 123456789010 " + interface_id + " " + (inbound ? remote : local) + " " +
               (inbound ? local : remote) + " " + std::to_string(client) + " " +
               std::to_string(service) + " 6 " + std::to_string(1 + random() % 100) + " " +
               std::to_string(40 + random() % 100000) + " " + std::to_string(start) + " " +
               std::to_string(start + 60) + " ACCEPT OK\n";
  }
  return content;
}

void BM_DetectFlowLogs(benchmark::State& state) {
  const std::string content = RealisticFlowLogs();
  const auto lists = SixLargeThreatLists();
  const DetectionSettings settings;
  size_t records = 0;
  size_t found = 0;
  for (auto _ : state) {
    BruteForceRule brute_force(settings);
    PortScanRule port_scan(settings);
    PortSweepRule port_sweep(settings);
    PortProbeRule port_probe(settings);
    DenialOfServiceRule denial_of_service(settings);
    SpambotRule spambot(settings);
    Emitter emitter;
    // Every flow rule the server runs (DetectionEngine::EvaluateFlows), over batches of
    // records (the server's batches are 4 MiB runs of lines).
    FlowLogReader reader(content);
    std::vector<FlowRecord> batch;
    std::vector<OrientedFlow> flows;
    while (reader.Next(batch)) {
      Orient(batch, *lists, flows);
      for (size_t i = 0; i < batch.size(); ++i) {
        const FlowRecord& record = batch[i];
        const OrientedFlow& flow = flows[i];
        MatchFlowThreats(record, flow, *lists, emitter);
        brute_force.Observe(record, flow, *lists, emitter);
        port_scan.Observe(record, flow, *lists, emitter);
        port_sweep.Observe(record, flow, *lists, emitter);
        port_probe.Observe(record, flow, *lists, emitter);
        denial_of_service.Observe(record, flow, *lists, emitter);
        spambot.Observe(record, flow, *lists, emitter);
      }
      records += batch.size();
    }
    records += reader.tally().skipped;
    found = emitter.pending().size();
  }
  state.SetItemsProcessed(static_cast<int64_t>(records));
  state.counters["findings"] = static_cast<double>(found);
}
BENCHMARK(BM_DetectFlowLogs)->Unit(benchmark::kMillisecond);

void BM_DetectDnsLogs(benchmark::State& state) {
  const std::string content = DnsQueryLogs();
  const DetectionSettings settings;
  size_t records = 0;
  for (auto _ : state) {
    DnsRules rules(settings);
    Emitter emitter;
    const ParseResult<DnsQuery> parsed = ParseDnsLogs(content);
    for (const DnsQuery& query : parsed.records) rules.Observe(query, emitter);
    records += parsed.records.size();
  }
  state.SetItemsProcessed(static_cast<int64_t>(records));
}
BENCHMARK(BM_DetectDnsLogs)->Unit(benchmark::kMillisecond);

// The whole path behind POST /_vigil/ingest, without HTTP: gzip, parse, rules, and
// findings recorded in an in-memory store.
void BM_IngestFlowLogsGzipEndToEnd(benchmark::State& state) {
  const std::string plain = DefaultFormatFlowLogs();
  const std::string gzip = Gzip(plain, 1);
  auto store = std::move(OpenSqliteStore(":memory:").value());
  DetectorRecord detector;
  detector.id = "0123456789abcdef0123456789abcdef";
  detector.account = "123456789010";
  detector.region = "us-east-1";
  store->CreateDetector(detector, {}, {});
  FindingService findings(*store);
  SystemClock clock;
  DetectionEngine engine(*store, findings, nullptr, clock);
  size_t records = 0;
  for (auto _ : state) {
    auto outcome = engine.Ingest(detector, LogSource::kFlowLogs, gzip, size_t{1} << 30);
    records += outcome.ok() ? outcome->records : 0;
  }
  state.SetItemsProcessed(static_cast<int64_t>(records));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * gzip.size()));
}
BENCHMARK(BM_IngestFlowLogsGzipEndToEnd)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
