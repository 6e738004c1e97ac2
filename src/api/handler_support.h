// Pieces every GuardDuty handler uses: the route-table entry type, JSON responses,
// the caller's detector, page requests and ClientToken scopes.
#pragma once

#include <boost/json/object.hpp>
#include <memory>
#include <span>
#include <string_view>

#include "api/pagination.h"
#include "api/services.h"
#include "core/json_input.h"
#include "http/router.h"
#include "store/records.h"
#include "store/store.h"

namespace vigil::api {

using ApiHandler = StatusOr<http::Response> (*)(Services&, const http::Request&);
using ApiBodySinkFactory = StatusOr<std::unique_ptr<http::BodySink>> (*)(Services&,
                                                                         const http::Request&);

// One line of a resource's route table: method, path template, operation, handler, and
// for routes that take large bodies as they stream in, what opens their sink.
struct RouteSpec {
  std::string_view method;
  std::string_view path;
  std::string_view operation;
  ApiHandler handler;
  ApiBodySinkFactory open_body_sink = nullptr;
  bool anonymous = false;  // served without authentication (health, metrics)
};

// 200 with `body` serialized.
http::Response JsonResponse(const boost::json::object& body);
// 204 with no body (TagResource, UntagResource).
http::Response NoContentResponse();

// The detector named by the {detectorId} label, if it belongs to the caller's account
// and region. InvalidInput for a malformed id; NotFound ("not owned") otherwise.
StatusOr<DetectorRecord> CallerDetector(Services& services, const http::Request& request);

// The detectors whose findings (and usage) `detector` sees, with their accounts: its own
// first and, when its account is a GuardDuty administrator, those of its Enabled members
// in the region (as GuardDuty, an administrator lists, reads, counts, archives and rates
// its members' findings, and sees their usage).
StatusOr<std::vector<MemberDetector>> MonitoredDetectors(Services& services,
                                                         const DetectorRecord& detector);
// The ids of MonitoredDetectors.
StatusOr<std::vector<std::string>> MonitoredDetectorIds(Services& services,
                                                        const DetectorRecord& detector);

// maxResults / nextToken from the query string.
StatusOr<PageRequest> QueryPageRequest(const http::Request& request);

// Adds "nextToken" to a list response when more keys follow.
void AddNextToken(boost::json::object& body, const KeyPage& page);

// Reads the optional clientToken member into a claim scoped to `scope`.
ClientToken ReadClientToken(JsonReader& in, std::string scope, std::string_view operation);

// A JSON array of strings.
boost::json::array ToJsonArray(const std::vector<std::string>& values);
// A tag map as a JSON object.
boost::json::object ToJsonObject(const Tags& tags);

}  // namespace vigil::api
