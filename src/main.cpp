// vigil: a self-hosted threat detection service that speaks the Amazon GuardDuty API.
//
//   vigil serve [--listen 127.0.0.1:8484] [--data-dir ./vigil-data | --in-memory] ...
//   vigil ingest --endpoint URL --detector-id ID --source flowlogs|cloudtrail|dns FILE|DIR...
//   vigil scan --source flowlogs|cloudtrail|dns [--threat-list FILE]... FILE|DIR...
//   vigil lists check --format FORMAT FILE
//   vigil version
//
// Every flag has a VIGIL_* environment variable twin (--data-dir ↔ VIGIL_DATA_DIR).
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <mutex>
#include <optional>

#include "api/organization_file.h"
#include "api/routes.h"
#include "cli/ingest.h"
#include "cli/scan.h"
#include "core/ids.h"
#include "core/json_input.h"
#include "core/periodic_task.h"
#include "core/shutdown_signals.h"
#include "findings/finding_service.h"
#include "http/credentials_file.h"
#include "http/dispatcher.h"
#include "http/server.h"
#include "http/sigv4.h"
#include "intel/list_parser.h"
#include "intel/threat_intel_service.h"
#include "store/store.h"
#include "watch/folder_watcher.h"

namespace {

struct ServeFlags {
  std::string listen = "127.0.0.1:8484";
  std::string data_dir = "./vigil-data";
  bool in_memory = false;
  std::string account = "123456789012";
  std::string region = "us-east-1";
  std::string log_level = "info";
  std::string auth = "none";
  std::string credentials;
  size_t threads = 0;
  size_t max_body_bytes = 10 * 1024 * 1024;
  size_t max_ingest_bytes = 256 * 1024 * 1024;
  std::string flowlog_format;
  std::string aws_ip_ranges;
  std::string publish_file;
  size_t publish_file_max_bytes = 100 * 1024 * 1024;
  std::string publish_webhook;
  bool test_clock = false;
  std::string s3_root;
  std::string s3_endpoint;
  std::string s3_region = "us-east-1";
  std::vector<std::string> list_locations;  // prefixes; empty = any location
  int idle_timeout_seconds = 60;
  int header_timeout_seconds = 10;
  int body_timeout_seconds = 30;
  // Hostile input: what one request and all connections together may hold (the limits'
  // own structs carry their defaults).
  size_t max_header_bytes = 64 * 1024;
  vigil::http::RequestLimits request_limits;
  vigil::JsonLimits json_limits;
  size_t max_connections = 1024;
  std::vector<std::string> watch;  // SOURCE=DIR[:DETECTOR_ID], from --watch or VIGIL_WATCH
  std::string organization_management_account;
  std::string organization_accounts;  // file: ACCOUNT_ID [EMAIL] per line
};

bool SplitHostPort(const std::string& listen, std::string& host, uint16_t& port) {
  const size_t colon = listen.rfind(':');
  if (colon == std::string::npos) return false;
  host = listen.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  try {
    const int value = std::stoi(listen.substr(colon + 1));
    if (value < 0 || value > 65535) return false;
    port = static_cast<uint16_t>(value);
  } catch (const std::exception&) {
    return false;
  }
  return !host.empty();
}

// The --watch entries as folders to watch, directories made absolute; nullopt (after
// saying why) when one is malformed or names no directory.
std::optional<std::vector<vigil::WatchSpec>> ParseWatchFlags(
    const std::vector<std::string>& entries) {
  std::vector<vigil::WatchSpec> specs;
  for (const std::string& entry : entries) {
    auto spec = vigil::ParseWatchSpec(entry);
    if (!spec.ok()) {
      std::cerr << "vigil: --watch '" << entry << "': " << spec.status().message() << "\n";
      return std::nullopt;
    }
    std::error_code ec;
    const std::filesystem::path directory = std::filesystem::canonical(spec->directory, ec);
    if (ec || !std::filesystem::is_directory(directory, ec)) {
      std::cerr << "vigil: --watch '" << entry << "': " << spec->directory
                << " is not a directory\n";
      return std::nullopt;
    }
    spec->directory = directory.string();
    specs.push_back(std::move(*spec));
  }
  if (auto distinct = vigil::CheckDistinctFolders(specs); !distinct.ok()) {
    std::cerr << "vigil: --watch: " << distinct.message() << "\n";
    return std::nullopt;
  }
  return specs;
}

// `vigil lists check`: what Vigil (and GuardDuty's rules) make of a list file.
int CheckList(const std::string& format_name, const std::string& path) {
  const std::optional<vigil::ListFormat> format = vigil::ParseListFormat(format_name);
  vigil::FetchOptions options;
  auto content = vigil::FetchList("file://" + std::filesystem::absolute(path).string(), options);
  if (!content.ok()) {
    std::cerr << "vigil: " << content.status().message() << "\n";
    return 1;
  }
  const vigil::ParsedList parsed = vigil::ParseList(*format, *content);
  std::cout << path << " (" << format_name << "): " << parsed.lines << " lines, "
            << parsed.entries() << " entries (" << parsed.ranges.size() << " IPv4 ranges, "
            << parsed.domains.size() << " domains), " << parsed.ipv6_ignored << " IPv6 ignored, "
            << parsed.bad_line_count << " bad lines\n";
  for (const vigil::BadLine& bad : parsed.bad_lines) {
    std::cout << "  line " << bad.line << ": " << bad.reason << "\n";
  }
  if (parsed.bad_line_count > parsed.bad_lines.size()) {
    std::cout << "  ... and " << parsed.bad_line_count - parsed.bad_lines.size() << " more\n";
  }
  const bool fits_trusted = parsed.entries() <= vigil::kMaxTrustedListEntries;
  const bool fits_threat = parsed.entries() <= vigil::kMaxThreatListEntries;
  std::cout << "usable as a trusted list (IPSet, at most " << vigil::kMaxTrustedListEntries
            << " entries): " << (fits_trusted ? "yes" : "no") << "\n"
            << "usable as a threat list (ThreatIntelSet, at most " << vigil::kMaxThreatListEntries
            << " entries): " << (fits_threat ? "yes" : "no") << "\n";
  return parsed.bad_line_count == 0 && fits_threat ? 0 : 3;
}

int Serve(const ServeFlags& flags) {
  // First, before any thread starts: SIGINT / SIGTERM then reach only the watcher.
  // The signal thread stops the server under `running_mutex`, and Serve() clears `running`
  // under it before the server is destroyed: Stop() must not be half-way through the
  // server's io_context while the main thread destroys it (ASan: heap-use-after-free).
  std::mutex running_mutex;
  vigil::http::Server* running = nullptr;
  bool stop_requested = false;
  vigil::ShutdownSignals signals([&](int) {
    std::lock_guard lock(running_mutex);
    stop_requested = true;
    if (running != nullptr) running->Stop();
  });
  spdlog::set_default_logger(spdlog::stderr_color_mt("vigil"));
  spdlog::set_level(spdlog::level::from_str(flags.log_level));
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %^%l%$ %v", spdlog::pattern_time_type::utc);

  vigil::http::ServerOptions options;
  if (!SplitHostPort(flags.listen, options.host, options.port)) {
    std::cerr << "vigil: --listen must be HOST:PORT, got '" << flags.listen << "'\n";
    return 2;
  }
  options.threads = flags.threads;
  options.body_limit_bytes = flags.max_body_bytes;
  options.large_body_path_prefix = "/_vigil/ingest/";
  options.large_body_limit_bytes = flags.max_ingest_bytes;
  std::optional<vigil::FlowLogFormat> flow_format;
  if (!flags.flowlog_format.empty()) {
    auto parsed = vigil::FlowLogFormat::Parse(flags.flowlog_format);
    if (!parsed.ok()) {
      std::cerr << "vigil: --flowlog-format: " << parsed.status().message() << "\n";
      return 2;
    }
    flow_format = *parsed;
  }
  std::shared_ptr<const vigil::AwsIpRanges> aws_ip_ranges;
  if (!flags.aws_ip_ranges.empty()) {
    auto loaded = vigil::AwsIpRanges::Load(flags.aws_ip_ranges);
    if (!loaded.ok()) {
      std::cerr << "vigil: --aws-ip-ranges: " << loaded.status().message() << "\n";
      return 2;
    }
    aws_ip_ranges = std::make_shared<const vigil::AwsIpRanges>(std::move(*loaded));
  }
  const std::optional<std::vector<vigil::WatchSpec>> watch_specs = ParseWatchFlags(flags.watch);
  if (!watch_specs) return 2;
  // Signatures are judged by the wall clock even with --test-clock: a test clock moved
  // hours on would otherwise find every fresh signature expired.
  vigil::SystemClock system_clock;
  std::unique_ptr<vigil::http::SigV4Verifier> verifier;
  if (flags.auth == "sigv4") {
    if (flags.credentials.empty()) {
      std::cerr << "vigil: --auth sigv4 needs --credentials FILE (or VIGIL_CREDENTIALS)\n";
      return 2;
    }
    auto principals = vigil::http::LoadCredentialsFile(flags.credentials);
    if (!principals.ok()) {
      std::cerr << "vigil: --credentials " << principals.status().message() << "\n";
      return 2;
    }
    std::error_code ec;
    const auto permissions = std::filesystem::status(flags.credentials, ec).permissions();
    using std::filesystem::perms;
    if (!ec && (permissions & (perms::group_read | perms::others_read)) != perms::none) {
      spdlog::warn("{} holds secret keys but other users may read it (chmod 600 it)",
                   flags.credentials);
    }
    spdlog::info("auth=sigv4: {} access keys from {}", principals->size(), flags.credentials);
    verifier = std::make_unique<vigil::http::SigV4Verifier>(std::move(*principals), system_clock);
  } else if (!flags.credentials.empty()) {
    std::cerr << "vigil: --credentials is used only with --auth sigv4\n";
    return 2;
  }
  options.idle_timeout = std::chrono::seconds(flags.idle_timeout_seconds);
  options.header_timeout = std::chrono::seconds(flags.header_timeout_seconds);
  options.body_timeout = std::chrono::seconds(flags.body_timeout_seconds);
  options.header_limit_bytes = flags.max_header_bytes;
  options.request_limits = flags.request_limits;
  options.max_connections = flags.max_connections;
  vigil::SetJsonBodyLimits(flags.json_limits);

  std::string store_path = ":memory:";
  if (!flags.in_memory) {
    std::error_code ec;
    std::filesystem::create_directories(flags.data_dir, ec);
    if (ec) {
      std::cerr << "vigil: cannot create --data-dir " << flags.data_dir << ": " << ec.message()
                << "\n";
      return 1;
    }
    store_path = (std::filesystem::path(flags.data_dir) / "vigil.db").string();
  }
  auto store = vigil::OpenSqliteStore(store_path);
  if (!store.ok()) {
    std::cerr << "vigil: " << store.status().message() << "\n";
    return 1;
  }

  vigil::Organization organization;
  if (!flags.organization_management_account.empty() || !flags.organization_accounts.empty()) {
    if (!vigil::IsAccountId(flags.organization_management_account)) {
      std::cerr << "vigil: --organization-management-account must be 12 digits (and is needed "
                   "with --organization-accounts)\n";
      return 2;
    }
    organization.management_account = flags.organization_management_account;
    if (!flags.organization_accounts.empty()) {
      auto accounts = vigil::api::LoadOrganizationAccounts(flags.organization_accounts);
      if (!accounts.ok()) {
        std::cerr << "vigil: --organization-accounts " << accounts.status().message() << "\n";
        return 2;
      }
      organization.accounts = std::move(*accounts);
    }
    // Auto-enable reaches accounts added to the file since the last start.
    auto enrolled = (*store)->AutoEnableOrganizationMembers(organization, system_clock.NowMillis());
    if (!enrolled.ok()) {
      std::cerr << "vigil: organization auto-enable: " << enrolled.status().message() << "\n";
      return 1;
    }
    if (!enrolled->empty()) spdlog::info("auto-enabled {} organization members", enrolled->size());
  }

  vigil::FindingService findings(**store);
  vigil::api::Services services;
  services.organization = organization.management_account.empty() ? nullptr : &organization;
  services.store = store->get();
  services.findings = &findings;
  services.allow_reset = flags.auth == "none";
  vigil::http::Router router;
  vigil::api::RegisterRoutes(router, services);
  vigil::http::Metrics metrics(vigil::http::MetricSlots(router));
  services.metrics = &metrics;

  // The test clock starts at the real time and moves only when POST /_vigil/clock says.
  std::unique_ptr<vigil::ManualClock> test_clock;
  if (flags.test_clock) test_clock = std::make_unique<vigil::ManualClock>(system_clock.NowMillis());
  const vigil::Clock& clock =
      test_clock ? static_cast<const vigil::Clock&>(*test_clock) : system_clock;
  vigil::FetchOptions fetch_options;
  fetch_options.s3_root = flags.s3_root;
  fetch_options.s3_endpoint = flags.s3_endpoint;
  fetch_options.s3_region = flags.s3_region;
  vigil::StatusOr<vigil::ListLocationPolicy> locations =
      vigil::ListLocationPolicy::FromPrefixes(flags.list_locations);
  if (!locations.ok()) {
    std::cerr << "vigil: " << locations.status().message() << "\n";
    return 2;
  }
  fetch_options.locations = *std::move(locations);
  vigil::ThreatIntelService intel(**store, fetch_options, clock);
  services.intel = &intel;
  if (auto queued = intel.LoadAll(); !queued.ok()) {
    spdlog::error("cannot load the threat lists: {}", queued.message());
  }
  vigil::DetectionEngine engine(**store, findings, &intel, clock, vigil::DetectionSettings{},
                                flow_format, aws_ip_ranges);
  services.engine = &engine;
  vigil::PublisherOptions publishing;
  publishing.file_path = flags.publish_file;
  publishing.file_max_bytes = flags.publish_file_max_bytes;
  publishing.webhook_url = flags.publish_webhook;
  publishing.s3 = {flags.s3_root, flags.s3_endpoint, flags.s3_region};
  vigil::FindingPublisher publisher(**store, clock, publishing);
  services.publisher = &publisher;
  services.test_clock = test_clock.get();
  services.max_ingest_bytes = flags.max_ingest_bytes;
  // Watched folders feed the engine from a thread of their own, joined as `watcher` is
  // destroyed (after the server has stopped).
  std::unique_ptr<vigil::FolderWatcher> watcher;
  if (!watch_specs->empty()) {
    vigil::WatchOptions watch_options;
    watch_options.default_account = flags.account;
    watch_options.default_region = flags.region;
    watch_options.max_file_bytes = flags.max_ingest_bytes;
    watch_options.max_content_bytes = flags.max_ingest_bytes * 10;  // as POST /_vigil/ingest
    watcher =
        std::make_unique<vigil::FolderWatcher>(*watch_specs, **store, engine, clock, watch_options);
    if (auto started = watcher->Start(); !started.ok()) {
      std::cerr << "vigil: --watch: " << started.message() << "\n";
      return 1;
    }
    services.watcher = watcher.get();
  }
  // Housekeeping, at start and hourly: the 90-day finding retention (CloudTrail event ids
  // are remembered as long, so the dedup table does not grow without bound) and fresh
  // planner statistics.
  vigil::PeriodicTask housekeeping(std::chrono::hours(1), [&] {
    auto purged = findings.PurgeExpired(clock.NowMillis());
    if (!purged.ok()) spdlog::error("finding retention: {}", purged.status().message());
    if (purged.ok() && *purged > 0) spdlog::info("purged {} findings older than 90 days", *purged);
    const int64_t event_id_cutoff = clock.NowMillis() - vigil::kFindingRetentionMillis;
    if (auto forgotten = (*store)->PurgeEventIdsBefore(event_id_cutoff); !forgotten.ok()) {
      spdlog::error("CloudTrail event id retention: {}", forgotten.message());
    }
    if (auto analyzed = (*store)->RefreshStatistics(); !analyzed.ok()) {
      spdlog::error("store statistics: {}", analyzed.message());
    }
  });
  // New findings go out within about a second; updates when their frequency is due.
  vigil::PeriodicTask publishing_loop(std::chrono::seconds(1), [&] { publisher.RunOnce(); });
  vigil::http::Dispatcher dispatcher(router, metrics, clock, {flags.account, flags.region},
                                     {verifier.get(), flags.max_body_bytes});
  vigil::http::Server server(options, dispatcher, metrics);
  if (auto listening = server.Listen(); !listening.ok()) {
    std::cerr << "vigil: " << listening.message() << "\n";
    return 1;
  }
  spdlog::warn("vigil {} listening on {}:{} store={} auth={}", VIGIL_VERSION, options.host,
               server.port(), store_path, flags.auth);
  {
    std::lock_guard lock(running_mutex);
    running = &server;
    if (stop_requested) server.Stop();  // a signal that came during start-up
  }
  server.Run();
  {
    std::lock_guard lock(running_mutex);
    running = nullptr;
  }
  spdlog::warn("vigil stopped");
  return 0;  // the store closes as `store` goes out of scope
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Vigil: a self-hosted threat detection service that speaks the GuardDuty API"};
  app.require_subcommand(1);

  ServeFlags flags;
  CLI::App* serve = app.add_subcommand("serve", "Serve the GuardDuty API over HTTP");
  serve->add_option("--listen", flags.listen, "HOST:PORT to listen on")
      ->envname("VIGIL_LISTEN")
      ->capture_default_str();
  serve->add_option("--data-dir", flags.data_dir, "Directory of the SQLite store")
      ->envname("VIGIL_DATA_DIR")
      ->capture_default_str();
  serve->add_flag("--in-memory", flags.in_memory, "Keep all state in memory (lost on exit)")
      ->envname("VIGIL_IN_MEMORY");
  serve->add_option("--account", flags.account, "Account of requests without a 12-digit key id")
      ->envname("VIGIL_ACCOUNT")
      ->check([](const std::string& value) {
        const bool ok =
            value.size() == 12 && value.find_first_not_of("0123456789") == std::string::npos;
        return ok ? std::string() : std::string("--account must be 12 digits");
      })
      ->capture_default_str();
  serve->add_option("--region", flags.region, "Region of requests without a SigV4 scope")
      ->envname("VIGIL_REGION")
      ->capture_default_str();
  serve
      ->add_option("--organization-management-account", flags.organization_management_account,
                   "Account allowed to name the organization's delegated GuardDuty administrator")
      ->envname("VIGIL_ORGANIZATION_MANAGEMENT_ACCOUNT");
  serve
      ->add_option("--organization-accounts", flags.organization_accounts,
                   "File of the organization's member accounts: ACCOUNT_ID [EMAIL] per line")
      ->envname("VIGIL_ORGANIZATION_ACCOUNTS");
  serve->add_option("--log-level", flags.log_level, "trace, debug, info, warn, error or off")
      ->envname("VIGIL_LOG_LEVEL")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "critical", "off"}))
      ->capture_default_str();
  serve
      ->add_option("--auth", flags.auth,
                   "Authentication: 'none' trusts the SigV4 header's key id and region unchecked; "
                   "'sigv4' verifies every signature against --credentials")
      ->envname("VIGIL_AUTH")
      ->check(CLI::IsMember({"none", "sigv4"}))
      ->capture_default_str();
  serve
      ->add_option("--credentials", flags.credentials,
                   "With --auth sigv4: JSON or TOML file of access keys, secrets and accounts")
      ->envname("VIGIL_CREDENTIALS");
  serve->add_option("--threads", flags.threads, "I/O threads (0: one per core)")
      ->envname("VIGIL_THREADS")
      ->capture_default_str();
  serve->add_option("--max-body-bytes", flags.max_body_bytes, "Largest API request body accepted")
      ->envname("VIGIL_MAX_BODY_BYTES")
      ->capture_default_str();

  serve
      ->add_option("--max-ingest-bytes", flags.max_ingest_bytes,
                   "Largest body POST /_vigil/ingest accepts")
      ->envname("VIGIL_MAX_INGEST_BYTES")
      ->capture_default_str();
  serve
      ->add_option("--flowlog-format", flags.flowlog_format,
                   "Custom VPC Flow Log format (\"${version} ${srcaddr} ...\") for files without "
                   "a header line")
      ->envname("VIGIL_FLOWLOG_FORMAT");
  serve
      ->add_option("--aws-ip-ranges", flags.aws_ip_ranges,
                   "AWS's ip-ranges.json: instance credentials used from outside these ranges "
                   "are findings")
      ->envname("VIGIL_AWS_IP_RANGES");
  serve
      ->add_option("--publish-file", flags.publish_file,
                   "Append every published finding event (EventBridge format) to this JSON-lines "
                   "file")
      ->envname("VIGIL_PUBLISH_FILE");
  serve
      ->add_option("--publish-file-max-bytes", flags.publish_file_max_bytes,
                   "Rotate --publish-file at this size (5 old files are kept)")
      ->envname("VIGIL_PUBLISH_FILE_MAX_BYTES")
      ->check(CLI::Range(size_t{1024}, size_t{1} << 40))
      ->capture_default_str();
  serve
      ->add_option("--publish-webhook", flags.publish_webhook,
                   "POST every published finding event (EventBridge format) to this URL")
      ->envname("VIGIL_PUBLISH_WEBHOOK");
  serve
      ->add_flag("--test-clock", flags.test_clock,
                 "Start a clock that only POST /_vigil/clock moves (for test suites)")
      ->envname("VIGIL_TEST_CLOCK");
  serve->add_option("--s3-root", flags.s3_root, "Folder whose sub-folders stand in for S3 buckets")
      ->envname("VIGIL_S3_ROOT");
  serve
      ->add_option("--s3-endpoint", flags.s3_endpoint,
                   "S3-compatible server for s3:// list locations (SigV4 from AWS_* variables)")
      ->envname("VIGIL_S3_ENDPOINT");
  serve->add_option("--s3-region", flags.s3_region, "Region to sign --s3-endpoint requests for")
      ->envname("VIGIL_S3_REGION")
      ->capture_default_str();
  serve
      ->add_option("--list-location", flags.list_locations,
                   "Accept IPSet/ThreatIntelSet locations only under this prefix, e.g. "
                   "file:///srv/lists/ or s3://bucket/ (repeatable; default: any location)")
      ->delimiter(',')
      ->envname("VIGIL_LIST_LOCATIONS");
  // Repeatable; VIGIL_WATCH (read in main, not by CLI11) separates entries with commas
  // or newlines, which a directory given on the command line may contain.
  serve
      ->add_option("--watch", flags.watch,
                   "SOURCE=DIR[:DETECTOR_ID]: process the log files that land under DIR "
                   "(SOURCE flowlogs, cloudtrail or dns; repeatable)")
      ->allow_extra_args(false);
  serve
      ->add_option("--idle-timeout", flags.idle_timeout_seconds,
                   "Seconds a connection may wait for its next request")
      ->envname("VIGIL_IDLE_TIMEOUT")
      ->check(CLI::Range(1, 86400))
      ->capture_default_str();
  serve
      ->add_option("--header-timeout", flags.header_timeout_seconds,
                   "Seconds a begun request has to complete its headers")
      ->envname("VIGIL_HEADER_TIMEOUT")
      ->check(CLI::Range(1, 3600))
      ->capture_default_str();
  serve
      ->add_option("--body-timeout", flags.body_timeout_seconds,
                   "Seconds to receive a body (and send a response) after the headers")
      ->envname("VIGIL_BODY_TIMEOUT")
      ->check(CLI::Range(1, 3600))
      ->capture_default_str();
  serve
      ->add_option("--max-header-bytes", flags.max_header_bytes,
                   "Largest request head (request line and headers); beyond it 431")
      ->envname("VIGIL_MAX_HEADER_BYTES")
      ->check(CLI::Range(size_t{1024}, size_t{4} << 20))
      ->capture_default_str();
  serve
      ->add_option("--max-header-count", flags.request_limits.max_header_count,
                   "Most header fields in a request; beyond it 431")
      ->envname("VIGIL_MAX_HEADER_COUNT")
      ->check(CLI::Range(size_t{8}, size_t{10'000}))
      ->capture_default_str();
  serve
      ->add_option("--max-header-field-bytes", flags.request_limits.max_field_bytes,
                   "Largest single header field (name and value); beyond it 431")
      ->envname("VIGIL_MAX_HEADER_FIELD_BYTES")
      ->check(CLI::Range(size_t{256}, size_t{4} << 20))
      ->capture_default_str();
  serve
      ->add_option("--max-uri-bytes", flags.request_limits.max_target_bytes,
                   "Longest request-target (path and query); beyond it 414")
      ->envname("VIGIL_MAX_URI_BYTES")
      ->check(CLI::Range(size_t{256}, size_t{4} << 20))
      ->capture_default_str();
  serve
      ->add_option("--max-json-depth", flags.json_limits.max_depth,
                   "Deepest nesting of objects and arrays in a JSON body; beyond it 400")
      ->envname("VIGIL_MAX_JSON_DEPTH")
      ->check(CLI::Range(size_t{4}, size_t{1000}))
      ->capture_default_str();
  serve
      ->add_option("--max-json-elements", flags.json_limits.max_elements,
                   "Most values (members and array items) in a JSON body; beyond it 400")
      ->envname("VIGIL_MAX_JSON_ELEMENTS")
      ->check(CLI::Range(size_t{16}, size_t{100'000'000}))
      ->capture_default_str();
  serve
      ->add_option("--max-connections", flags.max_connections,
                   "Connections open at once; one more is answered 503 and closed")
      ->envname("VIGIL_MAX_CONNECTIONS")
      ->check(CLI::Range(size_t{1}, size_t{1'000'000}))
      ->capture_default_str();

  CLI::App* version = app.add_subcommand("version", "Print the version");

  CLI::App* lists = app.add_subcommand("lists", "Work with threat and trusted list files");
  lists->require_subcommand(1);
  CLI::App* check = lists->add_subcommand("check", "Parse a list file offline and report");
  std::string check_format;
  std::string check_file;
  check
      ->add_option("--format", check_format,
                   "TXT, STIX, OTX_CSV, ALIEN_VAULT, PROOF_POINT or FIRE_EYE")
      ->required()
      ->check(CLI::IsMember({"TXT", "STIX", "OTX_CSV", "ALIEN_VAULT", "PROOF_POINT", "FIRE_EYE"}));
  check->add_option("FILE", check_file, "The list file")->required();

  vigil::ScanOptions scan_options;
  CLI::App* scan = app.add_subcommand("scan", "Detect in log files offline and print findings");
  scan->add_option("--source", scan_options.source, "flowlogs, cloudtrail or dns")
      ->required()
      ->check(CLI::IsMember({"flowlogs", "cloudtrail", "dns"}));
  // One file per flag, so the log files that follow are not taken as more lists.
  scan->add_option("--threat-list", scan_options.threat_lists, "A threat list file (repeatable)")
      ->allow_extra_args(false);
  scan->add_option("--trusted-list", scan_options.trusted_lists, "A trusted list file")
      ->allow_extra_args(false);
  scan->add_option("--list-format", scan_options.list_format, "Format of the list files")
      ->check(CLI::IsMember({"TXT", "STIX", "OTX_CSV", "ALIEN_VAULT", "PROOF_POINT", "FIRE_EYE"}))
      ->capture_default_str();
  scan->add_option("--flowlog-format", scan_options.flowlog_format,
                   "Custom flow log format for files without a header line");
  scan->add_option("--aws-ip-ranges", scan_options.aws_ip_ranges,
                   "AWS's ip-ranges.json, for instance credentials used outside AWS");
  scan->add_option("--format", scan_options.output, "json (JSON lines) or table")
      ->check(CLI::IsMember({"json", "table"}))
      ->capture_default_str();
  scan->add_option("PATH", scan_options.paths, "Log files or directories")->required();

  vigil::IngestOptions ingest_options;
  // The region AWS tools would use, unless --region or VIGIL_REGION says otherwise.
  for (const char* variable : {"AWS_DEFAULT_REGION", "AWS_REGION"}) {
    if (const char* region = std::getenv(variable); region != nullptr && *region != '\0') {
      ingest_options.region = region;
    }
  }
  CLI::App* ingest =
      app.add_subcommand("ingest", "Send log files to a running Vigil server for detection");
  ingest->add_option("--endpoint", ingest_options.endpoint, "URL of vigil serve")
      ->envname("VIGIL_ENDPOINT")
      ->required();
  ingest->add_option("--detector-id", ingest_options.detector_id, "Detector to ingest into")
      ->envname("VIGIL_DETECTOR_ID")
      ->required();
  // Checked by RunIngest, so an unknown source exits 2 like the other bad options.
  ingest->add_option("--source", ingest_options.source, "flowlogs, cloudtrail or dns")
      ->envname("VIGIL_SOURCE")
      ->required();
  ingest->add_option("--parallel", ingest_options.parallel, "Files in flight at once")
      ->envname("VIGIL_PARALLEL")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  ingest
      ->add_option("--region", ingest_options.region,
                   "Region to sign for (default: AWS_REGION, AWS_DEFAULT_REGION, us-east-1)")
      ->envname("VIGIL_REGION")
      ->capture_default_str();
  bool no_sign = false;
  ingest
      ->add_flag("--no-sign", no_sign,
                 "Send no Authorization header (the server's default account and region)")
      ->envname("VIGIL_NO_SIGN");
  ingest->add_option("PATH", ingest_options.paths, "Log files or directories")->required();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    // --help is a ParseError too (exit code 0); any other is a usage error: exit 2.
    return app.exit(error) == 0 ? 0 : 2;
  }
  if (scan->parsed()) return vigil::RunScan(scan_options);
  if (ingest->parsed()) {
    ingest_options.sign = !no_sign;
    return vigil::RunIngest(ingest_options);
  }
  if (version->parsed()) {
    std::cout << "vigil " << VIGIL_VERSION << "\n";
    return 0;
  }
  if (check->parsed()) return CheckList(check_format, check_file);
  if (flags.watch.empty()) {
    if (const char* watch = std::getenv("VIGIL_WATCH")) flags.watch = vigil::SplitWatchList(watch);
  }
  return Serve(flags);
}
