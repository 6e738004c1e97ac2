// libFuzzer target for SigV4 verification: any bytes are a request head. The first line
// is the request-target (path and query), the rest the Authorization header; the same
// bytes also go through the canonical URI and query builders. Read must accept or refuse
// with a status (never crash), and what it accepts must verify or be refused as well.
// Crashes, sanitizer reports and broken invariants abort.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "core/time.h"
#include "fuzz_support.h"
#include "http/sigv4.h"

using vigil::fuzz::Require;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t newline = input.find('\n');
  const std::string_view target = input.substr(0, newline);
  const std::string_view authorization =
      newline == std::string_view::npos ? std::string_view() : input.substr(newline + 1);

  static const vigil::ManualClock clock(1440938160000);  // 2015-08-30T12:36:00Z
  static const vigil::http::SigV4Verifier verifier(
      {{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "111122223333"}}, clock);

  const size_t question = target.find('?');
  const std::string uri = vigil::http::CanonicalUri(target.substr(0, question));
  // Request-targets start with '/' (origin form); so does their canonical form.
  Require(!target.starts_with('/') || uri.starts_with('/'));
  if (question != std::string_view::npos) {
    vigil::http::CanonicalQueryString(target.substr(question + 1), false);
    vigil::http::CanonicalQueryString(target.substr(question + 1), true);
  }

  vigil::http::RequestHead head;
  head.method = "POST";
  head.target = target;
  head.headers = {{"Host", "guardduty.us-east-1.amazonaws.com"},
                  {"X-Amz-Date", "20150830T123600Z"},
                  {"Authorization", authorization}};
  const auto claim = verifier.Read(head);
  if (!claim.ok()) {
    Require(!claim.status().message().empty());
    return 0;
  }
  Require(claim->principal != nullptr);
  verifier.VerifyHead(*claim);
  verifier.VerifyBody(*claim, std::string(64, '0'));
  verifier.Verify(head, input);
  return 0;
}
