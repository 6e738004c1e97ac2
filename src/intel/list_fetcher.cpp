#include "intel/list_fetcher.h"

#include <curl/curl.h>

#include <boost/url/parse.hpp>
#include <filesystem>
#include <fstream>
#include <mutex>

#include "intel/s3_signing.h"

namespace vigil {

namespace {

std::string_view Trim(std::string_view text, char c) {
  while (!text.empty() && text.front() == c) text.remove_prefix(1);
  return text;
}

// "s3-eu-west-1" or "s3.eu-west-1" → "eu-west-1"; "s3" → "".
std::optional<std::string> S3HostRegion(std::string_view label) {
  if (label == "s3") return std::string();
  if (label.starts_with("s3-") || label.starts_with("s3.")) return std::string(label.substr(3));
  return std::nullopt;
}

StatusOr<std::string> ReadFile(const std::filesystem::path& path, size_t max_bytes) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) return Status::InvalidInput("cannot read " + path.string() + ": " + ec.message());
  if (size > max_bytes) {
    return Status::InvalidInput(path.string() + " is " + std::to_string(size) +
                                " bytes, over the limit of " + std::to_string(max_bytes));
  }
  std::ifstream file(path, std::ios::binary);
  std::string content(size, '\0');
  if (!file.read(content.data(), static_cast<std::streamsize>(size))) {
    return Status::InvalidInput("cannot read " + path.string());
  }
  return content;
}

struct Download {
  std::string body;
  size_t max_bytes = 0;
  bool too_large = false;
};

size_t OnData(char* data, size_t size, size_t count, void* user) {
  auto* download = static_cast<Download*>(user);
  const size_t bytes = size * count;
  if (download->body.size() + bytes > download->max_bytes) {
    download->too_large = true;
    return 0;  // aborts the transfer
  }
  download->body.append(data, bytes);
  return bytes;
}

// libcurl calls this at least once a second, also while a server sends nothing.
int OnProgress(void* cancel, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  const auto* flag = static_cast<const std::atomic_bool*>(cancel);
  return flag != nullptr && flag->load() ? 1 : 0;  // non-zero aborts the transfer
}

void InitCurlOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

// GETs `url`; with `sigv4_region` the request is signed for S3 with the credentials of
// the standard environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN).
StatusOr<std::string> HttpGet(const std::string& url, const FetchOptions& options,
                              const std::string& sigv4_region = "") {
  InitCurlOnce();
  std::unique_ptr<CURL, void (*)(CURL*)> curl(curl_easy_init(), curl_easy_cleanup);
  if (!curl) return Status::Internal("cannot start an HTTP client");
  Download download{"", options.max_bytes, false};
  char error[CURL_ERROR_SIZE] = "";
  curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl.get(), CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  // A redirect could lead outside the allowed locations, so a restricted server follows none.
  const bool follow_redirects = !options.locations.restricts();
  curl_easy_setopt(curl.get(), CURLOPT_FOLLOWLOCATION, follow_redirects ? 1L : 0L);
  curl_easy_setopt(curl.get(), CURLOPT_MAXREDIRS, 5L);
  curl_easy_setopt(curl.get(), CURLOPT_TIMEOUT, static_cast<long>(options.timeout.count()));
  curl_easy_setopt(curl.get(), CURLOPT_CONNECTTIMEOUT, 10L);
  curl_easy_setopt(curl.get(), CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl.get(), CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, OnData);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, &download);
  curl_easy_setopt(curl.get(), CURLOPT_USERAGENT, "vigil/" VIGIL_VERSION);
  if (options.cancel != nullptr) {
    curl_easy_setopt(curl.get(), CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(curl.get(), CURLOPT_XFERINFOFUNCTION, OnProgress);
    curl_easy_setopt(curl.get(), CURLOPT_XFERINFODATA,
                     const_cast<std::atomic_bool*>(options.cancel));
  }
  std::unique_ptr<curl_slist, void (*)(curl_slist*)> headers(nullptr, curl_slist_free_all);
  S3Signing signing;
  if (!sigv4_region.empty()) {
    VIGIL_ASSIGN_OR_RETURN(signing,
                           S3SigningFromEnvironment(sigv4_region, "reading from --s3-endpoint"));
    curl_easy_setopt(curl.get(), CURLOPT_AWS_SIGV4, signing.provider.c_str());
    curl_easy_setopt(curl.get(), CURLOPT_USERPWD, signing.credentials.c_str());
    if (!signing.token_header.empty()) {
      headers.reset(curl_slist_append(nullptr, signing.token_header.c_str()));
      curl_easy_setopt(curl.get(), CURLOPT_HTTPHEADER, headers.get());
    }
  }
  const CURLcode result = curl_easy_perform(curl.get());
  if (download.too_large) {
    return Status::InvalidInput(url + " is over the limit of " + std::to_string(options.max_bytes) +
                                " bytes");
  }
  if (result == CURLE_ABORTED_BY_CALLBACK) return Status::Internal("the fetch was cancelled");
  if (result != CURLE_OK) {
    return Status::InvalidInput("cannot fetch " + url + ": " +
                                (error[0] ? std::string(error) : curl_easy_strerror(result)));
  }
  long status = 0;
  curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &status);
  if (status >= 300) {
    // A 3xx left over when redirects are followed is one curl could not follow (a 304, or
    // no Location header); the note is only true under --list-location.
    const bool redirect_refused = status < 400 && !follow_redirects;
    return Status::InvalidInput(
        "cannot fetch " + url + ": HTTP " + std::to_string(status) +
        (redirect_refused ? " (redirects are not followed under --list-location)" : ""));
  }
  return std::move(download.body);
}

}  // namespace

std::optional<S3Object> ParseS3Location(std::string_view location) {
  auto url = boost::urls::parse_uri(location);
  if (!url) return std::nullopt;
  const std::string scheme = std::string(url->scheme());
  const std::string host = std::string(url->host());
  const std::string path = std::string(url->path());  // decoded
  if (scheme == "s3") {
    const std::string key(Trim(path, '/'));
    if (host.empty() || key.empty()) return std::nullopt;
    return S3Object{host, key, ""};
  }
  if ((scheme != "http" && scheme != "https") || !host.ends_with(".amazonaws.com")) {
    return std::nullopt;
  }
  const std::string_view stem =
      std::string_view(host).substr(0, host.size() - std::string_view(".amazonaws.com").size());
  // Path style: s3.amazonaws.com/bucket/key, s3-REGION.amazonaws.com/bucket/key.
  if (auto region = S3HostRegion(stem)) {
    const std::string_view rest = Trim(path, '/');
    const size_t slash = rest.find('/');
    if (slash == std::string_view::npos || slash == 0 || slash + 1 == rest.size()) {
      return std::nullopt;
    }
    return S3Object{std::string(rest.substr(0, slash)), std::string(rest.substr(slash + 1)),
                    *region};
  }
  // Virtual-hosted style: bucket.s3.amazonaws.com/key, bucket.s3-REGION.../key.
  for (size_t dot = stem.find('.'); dot != std::string_view::npos; dot = stem.find('.', dot + 1)) {
    if (auto region = S3HostRegion(stem.substr(dot + 1))) {
      const std::string key(Trim(path, '/'));
      if (dot == 0 || key.empty()) return std::nullopt;
      return S3Object{std::string(stem.substr(0, dot)), key, *region};
    }
  }
  return std::nullopt;
}

StatusOr<std::string> FetchList(std::string_view location, const FetchOptions& options) {
  VIGIL_RETURN_IF_ERROR(options.locations.Check(location));
  if (std::optional<S3Object> object = ParseS3Location(location)) {
    if (!options.s3_root.empty()) {
      const std::filesystem::path root(options.s3_root);
      const std::filesystem::path file = (root / object->bucket / object->key).lexically_normal();
      // Keys like "../x" must not escape the root.
      const std::string root_text = root.lexically_normal().string();
      if (file.string().compare(0, root_text.size(), root_text) != 0) {
        return Status::InvalidInput("the S3 key of " + std::string(location) + " leaves --s3-root");
      }
      return ReadFile(file, options.max_bytes);
    }
    if (!options.s3_endpoint.empty()) {
      std::string endpoint = options.s3_endpoint;
      while (!endpoint.empty() && endpoint.back() == '/') endpoint.pop_back();
      const std::string region = object->region.empty() ? options.s3_region : object->region;
      return HttpGet(endpoint + "/" + object->bucket + "/" + object->key, options, region);
    }
    return Status::InvalidInput("the S3 location " + std::string(location) +
                                " needs vigil serve --s3-root DIR or --s3-endpoint URL");
  }
  auto url = boost::urls::parse_uri(location);
  if (!url) return Status::InvalidInput("'" + std::string(location) + "' is not a URI");
  const std::string scheme = std::string(url->scheme());
  if (scheme == "file") {
    const std::string path = std::string(url->path());
    if (!url->host().empty() && url->host() != "localhost") {
      return Status::InvalidInput("file locations must be file:///absolute/path");
    }
    return ReadFile(path, options.max_bytes);
  }
  if (scheme == "http" || scheme == "https") return HttpGet(std::string(location), options);
  return Status::InvalidInput("unsupported location scheme '" + scheme +
                              "' (use file://, http://, https:// or s3://)");
}

}  // namespace vigil
