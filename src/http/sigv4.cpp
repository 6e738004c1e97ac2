#include "http/sigv4.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <optional>

#include "core/digest.h"
#include "http/percent.h"

namespace vigil::http {

namespace {

constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";
constexpr std::string_view kTerminator = "aws4_request";
constexpr std::string_view kUnsignedPayload = "UNSIGNED-PAYLOAD";

// AWS's messages, word for word where AWS has one.
constexpr std::string_view kMissingToken = "Missing Authentication Token";
constexpr std::string_view kInvalidToken = "The security token included in the request is invalid.";
constexpr std::string_view kSignatureMismatch =
    "The request signature we calculated does not match the signature you provided. Check "
    "your AWS Secret Access Key and signing method. Consult the service documentation for "
    "details.";

Status Incomplete(std::string message) {
  return Status(StatusCode::kIncompleteSignature, std::move(message));
}
Status Invalid(std::string message) {
  return Status(StatusCode::kInvalidSignature, std::move(message));
}
Status Unrecognized() {
  return Status(StatusCode::kUnrecognizedClient, std::string(kInvalidToken));
}

bool IsUnreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_' || c == '.' || c == '~';
}

// Percent-encodes every byte but unreserved ones (and '/' when `keep_slash`), with
// upper-case hex digits: Python's quote(), which botocore uses, does the same.
std::string UriEncode(std::string_view text, bool keep_slash) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (unsigned char c : text) {
    if (IsUnreserved(c) || (keep_slash && c == '/')) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
    }
  }
  return out;
}

// What Python's str.split() splits on, within ASCII.
bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r' ||
         (c >= '\x1c' && c <= '\x1f');
}

// SigV4's Trimall: no space at either end, runs of spaces as one.
void AppendTrimmed(std::string& out, std::string_view value) {
  bool pending_space = false;
  bool any = false;
  for (char c : value) {
    if (IsSpace(c)) {
      pending_space = any;
      continue;
    }
    if (pending_space) out += ' ';
    pending_space = false;
    any = true;
    out += c;
  }
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

std::optional<std::string_view> FindHeader(const RequestHead& head, std::string_view name) {
  for (const auto& [key, value] : head.headers) {
    if (EqualsIgnoreCase(key, name)) return value;
  }
  return std::nullopt;
}

std::string_view Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

std::vector<std::string_view> Split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  while (true) {
    const size_t end = text.find(separator);
    parts.push_back(text.substr(0, end));
    if (end == std::string_view::npos) return parts;
    text.remove_prefix(end + 1);
  }
}

// "20150830T123600Z" ⇄ seconds since the epoch.
std::optional<int64_t> ParseBasicIso(std::string_view text) {
  using namespace std::chrono;
  if (text.size() != 16 || text[8] != 'T' || text[15] != 'Z') return std::nullopt;
  int fields[6];
  const size_t starts[6] = {0, 4, 6, 9, 11, 13};
  const size_t lengths[6] = {4, 2, 2, 2, 2, 2};
  for (int i = 0; i < 6; ++i) {
    int value = 0;
    for (size_t j = 0; j < lengths[i]; ++j) {
      const char c = text[starts[i] + j];
      if (c < '0' || c > '9') return std::nullopt;
      value = value * 10 + (c - '0');
    }
    fields[i] = value;
  }
  const year_month_day date{year(fields[0]), month(fields[1]), day(fields[2])};
  if (!date.ok() || fields[3] > 23 || fields[4] > 59 || fields[5] > 60) return std::nullopt;
  const auto point = sys_days(date) + hours(fields[3]) + minutes(fields[4]) + seconds(fields[5]);
  return duration_cast<seconds>(point.time_since_epoch()).count();
}

std::string FormatBasicIso(int64_t epoch_seconds) {
  using namespace std::chrono;
  const sys_seconds point{seconds(epoch_seconds)};
  const auto day_point = floor<days>(point);
  const year_month_day date{day_point};
  const hh_mm_ss time{point - day_point};
  char buffer[24];
  std::snprintf(buffer, sizeof(buffer), "%04d%02u%02uT%02d%02d%02dZ", static_cast<int>(date.year()),
                static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                static_cast<int>(time.hours().count()), static_cast<int>(time.minutes().count()),
                static_cast<int>(time.seconds().count()));
  return buffer;
}

// An HTTP Date header, "Sun, 30 Aug 2015 12:36:00 GMT" (botocore writes "-0000" for GMT).
std::optional<int64_t> ParseHttpDate(std::string_view text) {
  static constexpr std::string_view kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const size_t comma = text.find(", ");
  if (comma == std::string_view::npos) return std::nullopt;
  const std::vector<std::string_view> parts = Split(text.substr(comma + 2), ' ');
  if (parts.size() != 5) return std::nullopt;
  const std::string_view zone = parts[4];
  if (zone != "GMT" && zone != "UTC" && zone != "+0000" && zone != "-0000") return std::nullopt;
  const auto month = std::find(std::begin(kMonths), std::end(kMonths), parts[1]);
  if (month == std::end(kMonths) || parts[0].size() != 2 || parts[2].size() != 4 ||
      parts[3].size() != 8 || parts[3][2] != ':' || parts[3][5] != ':') {
    return std::nullopt;
  }
  const int month_number = static_cast<int>(month - std::begin(kMonths)) + 1;
  const std::string iso = std::string(parts[2]) + (month_number < 10 ? "0" : "") +
                          std::to_string(month_number) + std::string(parts[0]) + "T" +
                          std::string(parts[3].substr(0, 2)) + std::string(parts[3].substr(3, 2)) +
                          std::string(parts[3].substr(6, 2)) + "Z";
  return ParseBasicIso(iso);
}

// Percent-decodes a query component without reading '+' as a space, as SigV4 does; a
// malformed escape is kept as it came (the signature then cannot match).
std::string DecodeComponent(std::string_view encoded) {
  std::optional<std::string> decoded = DecodePathSegment(encoded);
  return decoded ? std::move(*decoded) : std::string(encoded);
}

// The query's parameters, decoded; empty when the query is malformed.
std::vector<std::pair<std::string, std::string>> QueryParameters(std::string_view raw_query) {
  auto decoded = DecodeQuery(raw_query);
  return decoded ? std::move(*decoded) : std::vector<std::pair<std::string, std::string>>{};
}

const std::string* Parameter(const std::vector<std::pair<std::string, std::string>>& parameters,
                             std::string_view name) {
  for (const auto& [key, value] : parameters) {
    if (key == name) return &value;
  }
  return nullptr;
}

// The parts of a signature, from either form.
struct SignatureParts {
  std::string credential;
  std::string signed_headers;
  std::string signature;
  std::string request_time;  // as sent: X-Amz-Date, or the Date header
  int64_t request_seconds = 0;
  std::optional<std::string> expires;  // presigned only
};

Status BadDate(std::string_view date) {
  return Incomplete("Date must be in ISO-8601 'basic format'. Got '" + std::string(date) +
                    "'. See http://en.wikipedia.org/wiki/ISO_8601");
}

StatusOr<SignatureParts> ReadAuthorizationHeader(const RequestHead& head,
                                                 std::string_view authorization) {
  authorization = Trim(authorization);
  const size_t space = authorization.find(' ');
  const std::string_view algorithm = authorization.substr(0, space);
  const std::string_view rest =
      space == std::string_view::npos ? std::string_view() : authorization.substr(space + 1);
  SignatureParts parts;
  bool has_credential = false, has_signed_headers = false, has_signature = false;
  for (std::string_view component : Split(rest, ',')) {
    component = Trim(component);
    if (component.empty()) continue;
    const size_t equals = component.find('=');
    if (equals == std::string_view::npos) {
      // AWS quotes the component; it may be part of a signature, so Vigil does not.
      return Incomplete(
          "A part of the Authorization header is not a valid key=value pair (missing "
          "equal-sign).");
    }
    const std::string_view key = component.substr(0, equals);
    const std::string value(component.substr(equals + 1));
    if (key == "Credential") {
      parts.credential = value;
      has_credential = true;
    } else if (key == "SignedHeaders") {
      parts.signed_headers = value;
      has_signed_headers = true;
    } else if (key == "Signature") {
      parts.signature = value;
      has_signature = true;
    }
  }
  const std::optional<std::string_view> amz_date = FindHeader(head, "x-amz-date");
  const std::optional<std::string_view> date = FindHeader(head, "date");
  std::string missing;
  if (!has_credential) missing += "Authorization header requires 'Credential' parameter. ";
  if (!has_signature) missing += "Authorization header requires 'Signature' parameter. ";
  if (!has_signed_headers) missing += "Authorization header requires 'SignedHeaders' parameter. ";
  if (!amz_date && !date) {
    missing +=
        "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. ";
  }
  if (!missing.empty()) {
    missing.pop_back();
    return Incomplete(std::move(missing));
  }
  if (algorithm != kAlgorithm) {
    return Incomplete("Unsupported AWS 'algorithm': '" + std::string(algorithm) +
                      "'. Vigil verifies AWS4-HMAC-SHA256 signatures.");
  }
  if (amz_date) {
    const std::optional<int64_t> seconds = ParseBasicIso(Trim(*amz_date));
    if (!seconds) return BadDate(*amz_date);
    parts.request_seconds = *seconds;
    parts.request_time = std::string(Trim(*amz_date));
  } else {
    // The string to sign carries the Date header's time in the basic form.
    const std::optional<int64_t> seconds = ParseHttpDate(Trim(*date));
    if (!seconds) return BadDate(*date);
    parts.request_seconds = *seconds;
    parts.request_time = FormatBasicIso(*seconds);
  }
  return parts;
}

StatusOr<SignatureParts> ReadPresignedQuery(
    const std::vector<std::pair<std::string, std::string>>& parameters) {
  const std::string* algorithm = Parameter(parameters, "X-Amz-Algorithm");
  const std::string* credential = Parameter(parameters, "X-Amz-Credential");
  const std::string* signature = Parameter(parameters, "X-Amz-Signature");
  const std::string* date = Parameter(parameters, "X-Amz-Date");
  const std::string* signed_headers = Parameter(parameters, "X-Amz-SignedHeaders");
  const std::string* expires = Parameter(parameters, "X-Amz-Expires");
  if (!algorithm || !credential || !signature || !date || !signed_headers || !expires) {
    return Incomplete(
        "Query-string authentication version 4 requires the X-Amz-Algorithm, "
        "X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and "
        "X-Amz-Expires parameters.");
  }
  if (*algorithm != kAlgorithm) {
    return Incomplete("X-Amz-Algorithm only supports \"AWS4-HMAC-SHA256\"");
  }
  if (expires->empty() || expires->size() > 9 ||
      !std::all_of(expires->begin(), expires->end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return Incomplete("X-Amz-Expires should be a number");
  }
  if (std::stoll(*expires) > SigV4Verifier::kMaxExpiresSeconds) {
    return Incomplete("X-Amz-Expires must be less than a week (in seconds) that is 604800");
  }
  const std::optional<int64_t> seconds = ParseBasicIso(*date);
  if (!seconds) return BadDate(*date);
  SignatureParts parts;
  parts.credential = *credential;
  parts.signed_headers = *signed_headers;
  parts.signature = *signature;
  parts.request_seconds = *seconds;
  parts.request_time = *date;
  parts.expires = *expires;
  return parts;
}

bool IsPlausibleRegion(std::string_view region) {
  return !region.empty() && region.size() <= 32 &&
         std::all_of(region.begin(), region.end(), [](char c) {
           return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
         });
}

bool IsLowerHexSha256(std::string_view text) {
  return text.size() == 64 && std::all_of(text.begin(), text.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

}  // namespace

std::string CanonicalUri(std::string_view raw_path) {
  // botocore's remove_dot_segments: RFC 3986 5.2.4 plus dropping empty segments.
  if (raw_path.empty()) return "/";
  std::vector<std::string_view> segments;
  for (std::string_view segment : Split(raw_path, '/')) {
    if (segment.empty() || segment == ".") continue;
    if (segment == "..") {
      if (!segments.empty()) segments.pop_back();
      continue;
    }
    segments.push_back(segment);
  }
  std::string normalized = raw_path.front() == '/' ? "/" : "";
  for (size_t i = 0; i < segments.size(); ++i) {
    if (i > 0) normalized += '/';
    normalized += segments[i];
  }
  if (raw_path.back() == '/' && !segments.empty()) normalized += '/';
  return UriEncode(normalized, /*keep_slash=*/true);
}

std::string CanonicalQueryString(std::string_view raw_query, bool presigned) {
  std::vector<std::pair<std::string, std::string>> pairs;
  for (std::string_view pair : Split(raw_query, '&')) {
    if (pair.empty()) continue;
    const size_t equals = pair.find('=');
    std::string name = DecodeComponent(pair.substr(0, equals));
    if (presigned && name == "X-Amz-Signature") continue;
    std::string value = DecodeComponent(equals == std::string_view::npos ? std::string_view()
                                                                         : pair.substr(equals + 1));
    pairs.emplace_back(UriEncode(name, false), UriEncode(value, false));
  }
  std::sort(pairs.begin(), pairs.end());
  std::string canonical;
  for (const auto& [name, value] : pairs) {
    if (!canonical.empty()) canonical += '&';
    canonical += name;
    canonical += '=';
    canonical += value;
  }
  return canonical;
}

std::string CanonicalRequestHead(const RequestHead& head, std::string_view signed_headers,
                                 bool presigned) {
  const size_t query_start = head.target.find('?');
  const std::string_view raw_path = head.target.substr(0, query_start);
  const std::string_view raw_query = query_start == std::string_view::npos
                                         ? std::string_view()
                                         : head.target.substr(query_start + 1);
  std::string canonical(head.method);
  canonical += '\n';
  canonical += CanonicalUri(raw_path);
  canonical += '\n';
  canonical += CanonicalQueryString(raw_query, presigned);
  canonical += '\n';
  for (std::string_view name : Split(signed_headers, ';')) {
    canonical += name;
    canonical += ':';
    bool first = true;
    for (const auto& [key, value] : head.headers) {
      if (!EqualsIgnoreCase(key, name)) continue;
      if (!first) canonical += ',';
      first = false;
      AppendTrimmed(canonical, value);
    }
    canonical += '\n';
  }
  canonical += '\n';
  canonical += signed_headers;
  canonical += '\n';
  return canonical;
}

std::string StringToSign(std::string_view request_time, std::string_view scope,
                         std::string_view canonical_request) {
  std::string text(kAlgorithm);
  text += '\n';
  text += request_time;
  text += '\n';
  text += scope;
  text += '\n';
  text += Sha256Hex(canonical_request);
  return text;
}

std::string SigV4Signature(std::string_view secret, std::string_view date, std::string_view region,
                           std::string_view service, std::string_view string_to_sign) {
  const std::string date_key = HmacSha256("AWS4" + std::string(secret), date);
  const std::string region_key = HmacSha256(date_key, region);
  const std::string service_key = HmacSha256(region_key, service);
  const std::string signing_key = HmacSha256(service_key, kTerminator);
  return HexEncode(HmacSha256(signing_key, string_to_sign));
}

SigV4Verifier::SigV4Verifier(std::vector<Principal> principals, const Clock& clock,
                             std::string service)
    : clock_(clock), service_(std::move(service)) {
  for (Principal& principal : principals) {
    std::string key = principal.access_key_id;
    principals_.emplace(std::move(key), std::move(principal));
  }
}

StatusOr<SignatureClaim> SigV4Verifier::Read(const RequestHead& head) const {
  const size_t query_start = head.target.find('?');
  const auto parameters =
      QueryParameters(query_start == std::string_view::npos ? std::string_view()
                                                            : head.target.substr(query_start + 1));
  const std::optional<std::string_view> authorization = FindHeader(head, "authorization");
  const bool presigned = Parameter(parameters, "X-Amz-Algorithm") ||
                         Parameter(parameters, "X-Amz-Credential") ||
                         Parameter(parameters, "X-Amz-Signature");
  if (!authorization && !presigned) {
    return Status(StatusCode::kMissingAuthentication, std::string(kMissingToken));
  }
  if (authorization && presigned) {
    return Incomplete(
        "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature "
        "query string parameter or the Authorization header should be specified");
  }
  VIGIL_ASSIGN_OR_RETURN(SignatureParts parts, presigned
                                                   ? ReadPresignedQuery(parameters)
                                                   : ReadAuthorizationHeader(head, *authorization));

  // Credential=AKID/DATE/REGION/SERVICE/aws4_request
  const std::vector<std::string_view> scope = Split(parts.credential, '/');
  if (scope.size() != 5) {
    return Incomplete(
        "Credential must have exactly 5 slash-delimited elements, e.g. "
        "keyid/date/region/service/term, got '" +
        parts.credential + "'");
  }
  const std::vector<std::string_view> signed_headers = Split(parts.signed_headers, ';');
  if (std::find(signed_headers.begin(), signed_headers.end(), "host") == signed_headers.end()) {
    return Incomplete("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
  }
  if (scope[4] != kTerminator) {
    return Invalid("Credential should be scoped with a valid terminator: 'aws4_request', not '" +
                   std::string(scope[4]) + "'.");
  }
  if (scope[3] != service_) {
    return Invalid("Credential should be scoped to correct service: '" + service_ + "'.");
  }
  if (!IsPlausibleRegion(scope[2])) {
    return Invalid("Credential should be scoped to a valid region.");
  }
  if (scope[1] != std::string_view(parts.request_time).substr(0, 8)) {
    return Invalid(
        "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from "
        "HTTP: '" +
        std::string(scope[1]) + "' != '" + parts.request_time.substr(0, 8) + "', from '" +
        parts.request_time + "'.");
  }
  // Vigil's keys are long-term: a session token cannot be one of its own.
  if (FindHeader(head, "x-amz-security-token") || Parameter(parameters, "X-Amz-Security-Token")) {
    return Unrecognized();
  }
  const auto principal = principals_.find(std::string(scope[0]));
  if (principal == principals_.end()) return Unrecognized();
  VIGIL_RETURN_IF_ERROR(CheckTime(parts.request_seconds, parts.request_time,
                                  parts.expires ? &*parts.expires : nullptr));

  SignatureClaim claim;
  if (const auto declared = FindHeader(head, "x-amz-content-sha256")) {
    if (*declared != kUnsignedPayload && !IsLowerHexSha256(*declared)) {
      return Invalid(
          "x-amz-content-sha256 must be UNSIGNED-PAYLOAD or the payload's SHA-256 in lowercase "
          "hex; streaming (chunk-signed) payloads are not supported.");
    }
    claim.declared_payload_hash = std::string(*declared);
  }
  claim.principal = &principal->second;
  claim.region = std::string(scope[2]);
  claim.presigned = presigned;
  claim.canonical_request_head = CanonicalRequestHead(head, parts.signed_headers, presigned);
  claim.request_time = std::move(parts.request_time);
  claim.scope = parts.credential.substr(scope[0].size() + 1);
  claim.signature = std::move(parts.signature);
  return claim;
}

Status SigV4Verifier::CheckTime(int64_t request_seconds, const std::string& request_time,
                                const std::string* expires) const {
  const int64_t now = clock_.NowMillis() / 1000;
  if (request_seconds > now + kMaxSkewSeconds) {
    return Invalid("Signature not yet current: " + request_time + " is still later than " +
                   FormatBasicIso(now + kMaxSkewSeconds) + " (" + FormatBasicIso(now) +
                   " + 15 min.)");
  }
  if (expires != nullptr) {
    const int64_t lifetime = std::stoll(*expires);
    if (now > request_seconds + lifetime) {
      return Invalid("Signature expired: " + request_time + " is now earlier than " +
                     FormatBasicIso(now - lifetime) + " (" + FormatBasicIso(now) + " - " +
                     *expires + " sec.)");
    }
  } else if (request_seconds < now - kMaxSkewSeconds) {
    return Invalid("Signature expired: " + request_time + " is now earlier than " +
                   FormatBasicIso(now - kMaxSkewSeconds) + " (" + FormatBasicIso(now) +
                   " - 15 min.)");
  }
  return Status::Ok();
}

bool SigV4Verifier::Holds(const SignatureClaim& claim, std::string_view payload_hash) const {
  const std::vector<std::string_view> scope = Split(claim.scope, '/');
  const std::string string_to_sign = StringToSign(
      claim.request_time, claim.scope, claim.canonical_request_head + std::string(payload_hash));
  const std::string expected = SigV4Signature(claim.principal->secret_access_key, scope[0],
                                              scope[1], scope[2], string_to_sign);
  return ConstantTimeEquals(expected, claim.signature);
}

StatusOr<PayloadCoverage> SigV4Verifier::VerifyHead(const SignatureClaim& claim) const {
  if (claim.declared_payload_hash == kUnsignedPayload) {
    if (!Holds(claim, kUnsignedPayload)) return Invalid(std::string(kSignatureMismatch));
    return PayloadCoverage::kUnsigned;
  }
  if (!claim.declared_payload_hash.empty()) {
    if (!Holds(claim, claim.declared_payload_hash)) return Invalid(std::string(kSignatureMismatch));
    return PayloadCoverage::kDeclared;
  }
  // A presigned URL may be signed for any body (S3's way), or for the body's hash
  // (botocore's for other services). Only the signer's choice can match.
  if (claim.presigned && Holds(claim, kUnsignedPayload)) return PayloadCoverage::kUnsigned;
  return PayloadCoverage::kBodyHash;
}

Status SigV4Verifier::VerifyBody(const SignatureClaim& claim, std::string_view body_sha256) const {
  if (claim.declared_payload_hash == kUnsignedPayload) {
    return Holds(claim, kUnsignedPayload) ? Status::Ok() : Invalid(std::string(kSignatureMismatch));
  }
  if (!claim.declared_payload_hash.empty()) {
    if (!ConstantTimeEquals(claim.declared_payload_hash, body_sha256)) {
      return Invalid(
          "The provided 'x-amz-content-sha256' header does not match what was computed.");
    }
    return Holds(claim, body_sha256) ? Status::Ok() : Invalid(std::string(kSignatureMismatch));
  }
  if (Holds(claim, body_sha256)) return Status::Ok();
  if (claim.presigned && Holds(claim, kUnsignedPayload)) return Status::Ok();
  return Invalid(std::string(kSignatureMismatch));
}

StatusOr<SignatureClaim> SigV4Verifier::Verify(const RequestHead& head,
                                               std::string_view body) const {
  VIGIL_ASSIGN_OR_RETURN(SignatureClaim claim, Read(head));
  // An unsigned payload need not be hashed.
  const std::string body_sha256 =
      claim.declared_payload_hash == kUnsignedPayload ? "" : Sha256Hex(body);
  VIGIL_RETURN_IF_ERROR(VerifyBody(claim, body_sha256));
  return claim;
}

}  // namespace vigil::http
