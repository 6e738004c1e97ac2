#include "publish/sinks.h"

#include <curl/curl.h>

#include <filesystem>
#include <fstream>
#include <mutex>

#include "core/ids.h"
#include "core/time.h"
#include "ingest/decompress.h"
#include "intel/s3_signing.h"

namespace vigil {

namespace fs = std::filesystem;

namespace {

constexpr int kRotatedFiles = 5;

class FileSink final : public Sink {
 public:
  FileSink(std::string path, size_t max_bytes) : path_(std::move(path)), max_bytes_(max_bytes) {}

  size_t Deliver(const std::vector<OutboxEntry>& entries, std::string& error) override {
    std::error_code ec;
    uintmax_t size = fs::exists(path_, ec) ? fs::file_size(path_, ec) : 0;
    std::ofstream out(path_, std::ios::binary | std::ios::app);
    size_t delivered = 0;
    for (const OutboxEntry& entry : entries) {
      if (size > 0 && size + entry.payload.size() + 1 > max_bytes_) {
        out.close();
        Rotate();
        out.open(path_, std::ios::binary | std::ios::app);
        size = 0;
      }
      out << entry.payload << '\n';
      if (!out) break;
      size += entry.payload.size() + 1;
      ++delivered;
    }
    if (!out.flush() || delivered < entries.size()) {
      error = "cannot append to " + path_;
      return 0;  // what this batch wrote may be partial; it is offered again
    }
    return delivered;
  }

 private:
  void Rotate() {
    std::error_code ignored;
    fs::remove(path_ + "." + std::to_string(kRotatedFiles), ignored);
    for (int i = kRotatedFiles - 1; i >= 1; --i) {
      fs::rename(path_ + "." + std::to_string(i), path_ + "." + std::to_string(i + 1), ignored);
    }
    fs::rename(path_, path_ + ".1", ignored);
  }

  const std::string path_;
  const size_t max_bytes_;
};

void InitCurlOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

size_t Discard(char*, size_t size, size_t count, void*) { return size * count; }

using CurlHandle = std::unique_ptr<CURL, void (*)(CURL*)>;
using CurlHeaders = std::unique_ptr<curl_slist, void (*)(curl_slist*)>;

// Sends the prepared request; OK for a 2xx answer, otherwise what went wrong.
Status Perform(CURL* curl, const std::string& what) {
  char error[CURL_ERROR_SIZE] = "";
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, Discard);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, 10L);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 5L);
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_USERAGENT, "vigil/" VIGIL_VERSION);
  const CURLcode result = curl_easy_perform(curl);
  if (result != CURLE_OK) {
    return Status::InvalidInput(what + ": " +
                                (error[0] ? std::string(error) : curl_easy_strerror(result)));
  }
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  if (status < 200 || status >= 300) {
    return Status::InvalidInput(what + ": HTTP " + std::to_string(status));
  }
  return Status::Ok();
}

class WebhookSink final : public Sink {
 public:
  explicit WebhookSink(std::string url) : url_(std::move(url)) { InitCurlOnce(); }

  size_t Deliver(const std::vector<OutboxEntry>& entries, std::string& error) override {
    CurlHandle curl(curl_easy_init(), curl_easy_cleanup);  // one connection for the batch
    CurlHeaders headers(curl_slist_append(nullptr, "Content-Type: application/json"),
                        curl_slist_free_all);
    if (!curl) {
      error = "cannot start an HTTP client";
      return 0;
    }
    size_t delivered = 0;
    for (const OutboxEntry& entry : entries) {
      curl_easy_setopt(curl.get(), CURLOPT_URL, url_.c_str());
      curl_easy_setopt(curl.get(), CURLOPT_HTTPHEADER, headers.get());
      curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDS, entry.payload.data());
      curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDSIZE_LARGE,
                       static_cast<curl_off_t>(entry.payload.size()));
      if (Status sent = Perform(curl.get(), "POST " + url_); !sent.ok()) {
        error = sent.message();
        break;
      }
      ++delivered;
    }
    return delivered;
  }

 private:
  const std::string url_;
};

}  // namespace

std::unique_ptr<Sink> MakeFileSink(std::string path, size_t max_bytes) {
  return std::make_unique<FileSink>(std::move(path), max_bytes);
}

std::unique_ptr<Sink> MakeWebhookSink(std::string url) {
  return std::make_unique<WebhookSink>(std::move(url));
}

StatusOr<std::string> WriteS3Export(const S3ExportOptions& options,
                                    const std::string& destination_arn, const std::string& account,
                                    const std::string& region, int64_t now_millis,
                                    const std::vector<std::string>& lines) {
  constexpr std::string_view kArnPrefix = "arn:aws:s3:::";
  const std::string path = destination_arn.substr(kArnPrefix.size());
  const std::string bucket = path.substr(0, path.find('/'));
  std::string prefix = path.size() > bucket.size() ? path.substr(bucket.size() + 1) : "";
  while (!prefix.empty() && prefix.back() == '/') prefix.pop_back();
  const std::string date = FormatIsoMillis(now_millis).substr(0, 10);  // YYYY-MM-DD
  const std::string key = (prefix.empty() ? "" : prefix + "/") + "AWSLogs/" + account +
                          "/GuardDuty/" + region + "/" + date.substr(0, 4) + "/" +
                          date.substr(5, 2) + "/" + date.substr(8, 2) + "/" + NewRequestId() +
                          ".jsonl.gz";
  std::string body;
  for (const std::string& line : lines) body += line + "\n";
  const std::string object = Gzip(body);

  if (!options.s3_root.empty()) {
    const fs::path bucket_dir = fs::path(options.s3_root) / bucket;
    std::error_code ec;
    if (!fs::is_directory(bucket_dir, ec)) {
      return Status::InvalidInput("the bucket '" + bucket + "' does not exist under --s3-root");
    }
    const fs::path file = bucket_dir / key;
    fs::create_directories(file.parent_path(), ec);
    // Written aside and renamed, so a reader never sees half an object.
    const fs::path partial = file.string() + ".partial";
    {
      std::ofstream out(partial, std::ios::binary | std::ios::trunc);
      out.write(object.data(), static_cast<std::streamsize>(object.size()));
      if (!out.flush()) return Status::InvalidInput("cannot write " + file.string());
    }
    fs::rename(partial, file, ec);
    if (ec) return Status::InvalidInput("cannot write " + file.string() + ": " + ec.message());
    return key;
  }
  if (!options.s3_endpoint.empty()) {
    InitCurlOnce();
    std::string endpoint = options.s3_endpoint;
    while (!endpoint.empty() && endpoint.back() == '/') endpoint.pop_back();
    const std::string url = endpoint + "/" + bucket + "/" + key;
    VIGIL_ASSIGN_OR_RETURN(S3Signing signing, S3SigningFromEnvironment(
                                                  options.s3_region, "exporting to --s3-endpoint"));
    CurlHandle curl(curl_easy_init(), curl_easy_cleanup);
    if (!curl) return Status::Internal("cannot start an HTTP client");
    CurlHeaders headers(curl_slist_append(nullptr, "Content-Type: application/gzip"),
                        curl_slist_free_all);
    if (!signing.token_header.empty()) {
      headers.reset(curl_slist_append(headers.release(), signing.token_header.c_str()));
    }
    curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl.get(), CURLOPT_CUSTOMREQUEST, "PUT");
    curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDS, object.data());
    curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(object.size()));
    curl_easy_setopt(curl.get(), CURLOPT_HTTPHEADER, headers.get());
    curl_easy_setopt(curl.get(), CURLOPT_AWS_SIGV4, signing.provider.c_str());
    curl_easy_setopt(curl.get(), CURLOPT_USERPWD, signing.credentials.c_str());
    VIGIL_RETURN_IF_ERROR(Perform(curl.get(), "PUT " + url));
    return key;
  }
  return Status::InvalidInput("S3 exports need vigil serve --s3-root DIR or --s3-endpoint URL");
}

}  // namespace vigil
