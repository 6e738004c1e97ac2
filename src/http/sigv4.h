// SigV4: verifies AWS Signature Version 4 on incoming requests as AWS does, for
// `vigil serve --auth sigv4`. Both forms: the Authorization header and presigned query
// strings (X-Amz-Algorithm, X-Amz-Credential, ..., X-Amz-Signature). The canonical request
// is built byte for byte as botocore builds it for a non-S3 service; the credential scope
// must name service `guardduty` (its region is the request's region); a request may be
// 15 minutes older or newer than the server's clock, a presigned one lives X-Amz-Expires
// seconds (at most 7 days).
//
// Checking takes two steps so that a streamed body can be refused before it is read:
// Read parses the signature and checks everything the request head can tell (a known key,
// the scope, the time); VerifyHead and VerifyBody then recompute the signature over the
// payload hash. Failures are the Status codes kMissingAuthentication,
// kIncompleteSignature, kUnrecognizedClient and kInvalidSignature, which the dispatcher
// answers as AWS's 403 error types, with AWS's messages. No message holds a secret or a
// signature, and signatures are compared in constant time.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/status.h"
#include "core/time.h"
#include "http/credentials_file.h"

namespace vigil::http {

// What SigV4 signs of a request, as it arrived on the wire. Borrowed views.
struct RequestHead {
  std::string_view method;
  std::string_view target;  // the raw request-target: path plus optional "?query"
  // Every header as received: names in any case, repeated headers repeated.
  std::vector<std::pair<std::string_view, std::string_view>> headers;
};

// A request's signature as Read found it: well formed, from a known key, in scope and in
// time. Whether it holds is up to VerifyHead or VerifyBody.
struct SignatureClaim {
  const Principal* principal = nullptr;  // the signer; borrowed from the verifier
  std::string region;                    // of the credential scope: the request's region
  bool presigned = false;                // signed in the query string
  // The x-amz-content-sha256 header (64 lowercase hex digits or UNSIGNED-PAYLOAD); empty
  // when the signature covers the body's own SHA-256.
  std::string declared_payload_hash;
  // The canonical request but for its last line, the payload hash.
  std::string canonical_request_head;
  std::string request_time;  // "20150830T123600Z"
  std::string scope;         // "20150830/us-east-1/guardduty/aws4_request"
  std::string signature;     // as sent
};

// What a signature covers of the body, once VerifyHead has found that it holds as far as
// the head can tell.
enum class PayloadCoverage {
  kUnsigned,  // nothing (UNSIGNED-PAYLOAD): the signature holds, the body is not covered
  kDeclared,  // a declared SHA-256: the signature holds; the body must have that hash
  kBodyHash,  // the body's own SHA-256: only VerifyBody can tell whether it holds
};

class SigV4Verifier {
 public:
  static constexpr int64_t kMaxSkewSeconds = 15 * 60;
  static constexpr int64_t kMaxExpiresSeconds = 7 * 24 * 3600;

  // `principals` are the keys that may sign (access key ids unique). `clock` is borrowed,
  // must outlive the verifier, and is the time requests are judged by. `service` is the
  // service the credential scope must name. Thread-safe: every method is const.
  SigV4Verifier(std::vector<Principal> principals, const Clock& clock,
                std::string service = "guardduty");

  // Reads the signature from a request's head and checks what the head can tell.
  StatusOr<SignatureClaim> Read(const RequestHead& head) const;

  // Checks `claim`'s signature as far as possible without the body. kInvalidSignature
  // when it does not hold.
  StatusOr<PayloadCoverage> VerifyHead(const SignatureClaim& claim) const;

  // Checks `claim`'s signature given the SHA-256 of the whole body (64 lowercase hex
  // digits): over the declared hash, which must then be the body's, or over the body's.
  Status VerifyBody(const SignatureClaim& claim, std::string_view body_sha256) const;

  // Read and VerifyBody in one, for a request whose whole body is at hand.
  StatusOr<SignatureClaim> Verify(const RequestHead& head, std::string_view body) const;

 private:
  bool Holds(const SignatureClaim& claim, std::string_view payload_hash) const;
  Status CheckTime(int64_t request_seconds, const std::string& request_time,
                   const std::string* expires) const;

  std::unordered_map<std::string, Principal> principals_;  // by access key id
  const Clock& clock_;
  const std::string service_;
};

// The pieces of SigV4, exposed for tests and for signing requests.

// The canonical URI of a raw (still percent-encoded) path, as botocore makes it for
// services other than S3: dot segments and empty segments removed, then every byte but
// unreserved characters and '/' percent-encoded again (so "%2F" becomes "%252F").
std::string CanonicalUri(std::string_view raw_path);

// The canonical query string of a raw query: each name and value percent-decoded and
// encoded again as SigV4 wants, sorted by name then value. `presigned` leaves out
// X-Amz-Signature.
std::string CanonicalQueryString(std::string_view raw_query, bool presigned);

// The canonical request without its last line (the payload hash) for `signed_headers`
// ("host;x-amz-date"): method, URI, query, headers, signed headers, each ending in '\n'.
std::string CanonicalRequestHead(const RequestHead& head, std::string_view signed_headers,
                                 bool presigned);

// "AWS4-HMAC-SHA256\n<request_time>\n<scope>\n<hex SHA-256 of canonical_request>".
std::string StringToSign(std::string_view request_time, std::string_view scope,
                         std::string_view canonical_request);

// The signature (64 lowercase hex digits) of `string_to_sign` under the key derived from
// `secret` for the scope's date, region and service.
std::string SigV4Signature(std::string_view secret, std::string_view date, std::string_view region,
                           std::string_view service, std::string_view string_to_sign);

}  // namespace vigil::http
