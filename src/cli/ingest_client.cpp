#include "cli/ingest_client.h"

#include <curl/curl.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <mutex>
#include <thread>

#include "core/digest.h"

namespace vigil {

namespace {

namespace json = boost::json;

// Answers are small (counts and the first few rejected records); anything far larger is
// not a Vigil server talking.
constexpr size_t kMaxAnswerBytes = 8 << 20;
constexpr long kConnectTimeoutSeconds = 10;
// The server answers only once a batch is processed and stored, so a long silence after
// the upload is normal; this much of it means the server is stuck.
constexpr long kStalledSeconds = 600;

size_t OnAnswer(char* data, size_t size, size_t count, void* user) {
  auto* answer = static_cast<std::string*>(user);
  const size_t bytes = size * count;
  if (answer->size() + bytes > kMaxAnswerBytes) return 0;  // aborts the transfer
  answer->append(data, bytes);
  return bytes;
}

std::optional<size_t> Count(const json::object& answer, std::string_view key) {
  const json::value* value = answer.if_contains(key);
  if (value == nullptr) return std::nullopt;
  boost::system::error_code ec;
  const auto number = value->to_number<uint64_t>(ec);
  if (ec) return std::nullopt;
  return static_cast<size_t>(number);
}

std::string FirstLine(std::string_view text, size_t max_chars) {
  text = text.substr(0, text.find_first_of("\r\n"));
  if (text.size() > max_chars) return std::string(text.substr(0, max_chars)) + "...";
  return std::string(text);
}

}  // namespace

struct IngestClient::Curl {
  CURL* handle = nullptr;
  curl_slist* headers = nullptr;
  curl_slist* body_headers = nullptr;  // `headers` plus those of the body being posted
  char error[CURL_ERROR_SIZE] = "";

  ~Curl() {
    curl_slist_free_all(body_headers);
    curl_slist_free_all(headers);
    if (handle != nullptr) curl_easy_cleanup(handle);
  }
};

struct IngestClient::Attempt {
  CURLcode result = CURLE_OK;
  long http_status = 0;
  bool request_sent = false;  // false: the server never saw this attempt
  std::string answer;
  std::string error;  // curl's description when result is not CURLE_OK
};

IngestClient::IngestClient(IngestTarget target, RetryPolicy retry)
    : target_(std::move(target)), retry_(retry), curl_(std::make_unique<Curl>()) {
  static std::once_flag curl_initialized;
  std::call_once(curl_initialized, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  curl_->handle = curl_easy_init();
  if (curl_->handle == nullptr) return;  // Post reports it
  CURL* curl = curl_->handle;

  std::string endpoint = target_.endpoint;
  while (!endpoint.empty() && endpoint.back() == '/') endpoint.pop_back();
  char* detector = curl_easy_escape(curl, target_.detector_id.data(),
                                    static_cast<int>(target_.detector_id.size()));
  url_ = endpoint + "/_vigil/ingest/" + (detector ? detector : "") + "/" + target_.source;
  curl_free(detector);

  curl_easy_setopt(curl, CURLOPT_URL, url_.c_str());
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, kConnectTimeoutSeconds);
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, kStalledSeconds);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, curl_->error);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, OnAnswer);
  curl_easy_setopt(curl, CURLOPT_USERAGENT, "vigil-ingest/" VIGIL_VERSION);

  curl_->headers = curl_slist_append(curl_->headers, "Content-Type: application/octet-stream");
  // curl asks large bodies to wait for "100 Continue", which Vigil does not send: do not
  // wait. (Removing the header with "Expect:" instead would break the signature: curl
  // signs the empty header it does not send.)
  curl_easy_setopt(curl, CURLOPT_EXPECT_100_TIMEOUT_MS, 0L);
  if (target_.credentials) {
    const AwsCredentials& credentials = *target_.credentials;
    const std::string provider = "aws:amz:" + target_.region + ":guardduty";
    curl_easy_setopt(curl, CURLOPT_AWS_SIGV4, provider.c_str());  // curl copies strings
    curl_easy_setopt(curl, CURLOPT_USERNAME, credentials.access_key_id.c_str());
    curl_easy_setopt(curl, CURLOPT_PASSWORD, credentials.secret_access_key.c_str());
    if (!credentials.session_token.empty()) {
      curl_->headers = curl_slist_append(
          curl_->headers, ("x-amz-security-token: " + credentials.session_token).c_str());
    }
  }
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, curl_->headers);
}

IngestClient::~IngestClient() = default;

IngestClient::Attempt IngestClient::PostOnce(const std::string& body) {
  CURL* curl = curl_->handle;
  Attempt attempt;
  curl_->error[0] = '\0';
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.data());
  curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &attempt.answer);
  attempt.result = curl_easy_perform(curl);
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &attempt.http_status);
  long request_bytes = 0;
  curl_easy_getinfo(curl, CURLINFO_REQUEST_SIZE, &request_bytes);
  attempt.request_sent = request_bytes > 0;
  if (attempt.result != CURLE_OK) {
    attempt.error = curl_->error[0] ? curl_->error : curl_easy_strerror(attempt.result);
  }
  return attempt;
}

PostResult IngestClient::Post(const std::string& body) {
  PostResult result;
  if (curl_->handle == nullptr) {
    result.error = "cannot start an HTTP client";
    return result;
  }
  if (target_.credentials) {
    // The body's SHA-256 in a signed header (curl signs every header it sends) lets a
    // server that verifies signatures (--auth sigv4) check this one before the body
    // arrives, and so take the body as it streams in rather than hold it.
    curl_slist_free_all(curl_->body_headers);
    curl_->body_headers = nullptr;
    for (const curl_slist* header = curl_->headers; header != nullptr; header = header->next) {
      curl_->body_headers = curl_slist_append(curl_->body_headers, header->data);
    }
    curl_->body_headers = curl_slist_append(curl_->body_headers,
                                            ("x-amz-content-sha256: " + Sha256Hex(body)).c_str());
    curl_easy_setopt(curl_->handle, CURLOPT_HTTPHEADER, curl_->body_headers);
  }
  std::chrono::milliseconds backoff = retry_.first_backoff;
  for (int number = 1;; ++number) {
    const Attempt attempt = PostOnce(body);
    bool retry = false;
    if (attempt.result != CURLE_OK) {
      // Only failures of the connection itself are worth another try; a timeout after
      // the upload would most likely repeat, and a body the server may have processed
      // would count twice.
      const bool broken = attempt.result == CURLE_SEND_ERROR ||
                          attempt.result == CURLE_RECV_ERROR || attempt.result == CURLE_GOT_NOTHING;
      retry = !attempt.request_sent || broken;
      result.outcome =
          attempt.request_sent ? PostResult::Outcome::kFailed : PostResult::Outcome::kUnreachable;
      result.error = "cannot reach " + target_.endpoint + ": " + attempt.error;
    } else if (attempt.http_status >= 200 && attempt.http_status < 300) {
      auto counts = ParseIngestAnswer(attempt.answer);
      if (!counts.ok()) {
        result.outcome = PostResult::Outcome::kFailed;
        result.error = counts.status().message();
        return result;
      }
      result.outcome = PostResult::Outcome::kIngested;
      result.counts = std::move(*counts);
      return result;
    } else {
      retry = attempt.http_status >= 500;
      result.outcome = PostResult::Outcome::kFailed;
      result.error = DescribeErrorAnswer(attempt.http_status, attempt.answer);
    }
    if (!retry) return result;
    if (number >= retry_.max_attempts) {
      result.error += " (" + std::to_string(number) + " attempts)";
      return result;
    }
    std::this_thread::sleep_for(backoff);
    backoff *= 2;
  }
}

StatusOr<IngestCounts> ParseIngestAnswer(std::string_view body) {
  boost::system::error_code ec;
  const json::value document = json::parse(body, ec);
  const json::object* answer = ec ? nullptr : document.if_object();
  IngestCounts counts;
  const auto records = answer ? Count(*answer, "records") : std::nullopt;
  const auto rejected = answer ? Count(*answer, "rejected") : std::nullopt;
  const auto created = answer ? Count(*answer, "findingsCreated") : std::nullopt;
  const auto updated = answer ? Count(*answer, "findingsUpdated") : std::nullopt;
  if (!records || !rejected || !created || !updated) {
    return Status::InvalidInput("the server's answer is not an ingest result: " +
                                FirstLine(body, 200));
  }
  counts.records = *records;
  counts.rejected = *rejected;
  counts.findings_created = *created;
  counts.findings_updated = *updated;
  const json::value* rejects = answer->if_contains("rejectedRecords");
  if (rejects != nullptr && rejects->is_array() && !rejects->as_array().empty()) {
    if (const json::object* first = rejects->as_array().front().if_object()) {
      const json::value* position = first->if_contains("position");
      const json::value* reason = first->if_contains("reason");
      counts.first_rejection = (position ? json::serialize(*position) : std::string("?")) + ": " +
                               (reason && reason->is_string() ? std::string(reason->as_string())
                                                              : std::string("rejected"));
    }
  }
  return counts;
}

std::string DescribeErrorAnswer(long http_status, std::string_view body) {
  std::string description = "HTTP " + std::to_string(http_status);
  boost::system::error_code ec;
  const json::value document = json::parse(body, ec);
  if (!ec && document.is_object()) {
    const json::value* message = document.as_object().if_contains("message");
    if (message == nullptr) message = document.as_object().if_contains("Message");
    if (message != nullptr && message->is_string()) {
      return description + ": " + std::string(message->as_string());
    }
  }
  const std::string line = FirstLine(body, 300);
  return line.empty() ? description : description + ": " + line;
}

}  // namespace vigil
