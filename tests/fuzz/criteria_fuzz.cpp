// libFuzzer target for FindingCriteria: any bytes are a request body. When they are a
// JSON object, FindingCriteria::Parse must accept it or say why (never crash), and a
// parsed criteria must evaluate against a real finding's projection. Crashes, sanitizer
// reports and broken invariants abort.
#include <boost/json/parse.hpp>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "findings/criteria.h"
#include "findings/projection.h"
#include "fuzz_support.h"

namespace {

// A finding with the attributes criteria name most often.
const std::string& SampleProjection() {
  static const std::string encoded = vigil::FindingProjection::Encode(
      boost::json::parse(R"({"accountId":"111122223333","region":"us-east-1","type":
        "Recon:EC2/Portscan","severity":5,"updatedAt":"2026-01-01T00:00:00.000Z","id":"f1",
        "resource":{"resourceType":"Instance","instanceDetails":{"instanceId":"i-1",
        "networkInterfaces":[{"vpcId":"vpc-1","privateIpAddress":"10.0.0.6"}],
        "tags":[{"key":"env","value":"prod"}]}},"service":{"archived":false,"count":3,
        "resourceRole":"ACTOR","action":{"actionType":"NETWORK_CONNECTION",
        "networkConnectionAction":{"remoteIpDetails":{"ipAddressV4":"198.51.100.9"},
        "localPortDetails":{"port":22}}}}})")
          .as_object());
  return encoded;
}

}  // namespace

using vigil::fuzz::Require;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  boost::system::error_code ec;
  // Depth is bounded as the API bounds it, so the parser's own recursion is not the test.
  boost::json::parse_options options;
  options.max_depth = 64;
  const boost::json::value value = boost::json::parse(body, ec, {}, options);
  if (ec || !value.is_object()) return 0;
  const auto criteria = vigil::FindingCriteria::Parse(value.as_object(), "findingCriteria");
  if (!criteria.ok()) {
    Require(!criteria.status().message().empty());
    return 0;
  }
  const vigil::FindingProjection projection(SampleProjection());
  const bool matches = criteria->Matches(projection);
  Require(matches == criteria->Matches(projection));  // no hidden state
  Require(!criteria->empty() || matches);             // no condition: everything matches
  return 0;
}
