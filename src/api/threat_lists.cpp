// IPSets (trusted IP lists) and ThreatIntelSets (known-bad lists): the same five
// operations over one shape, so one set of handlers parameterized by a ListApi.
// Activating a list makes it ACTIVATING and hands it to the ThreatIntelService, which
// loads it off the request thread and moves it to ACTIVE or ERROR; deactivating makes
// it INACTIVE at once. As in GuardDuty, a changed file is read again only on activation.
#include <array>

#include "api/routes.h"
#include "api/validation.h"
#include "core/ids.h"

namespace vigil::api {

namespace json = boost::json;

namespace {

// What differs between IPSets and ThreatIntelSets on the wire.
struct ListApi {
  ThreatListKind kind;
  std::string_view id_label;    // path label and response member of the id
  std::string_view ids_member;  // list response member
  std::string_view create_operation;
  size_t max_per_detector;
};

constexpr ListApi kIpSets{ThreatListKind::kIpSet, "ipSetId", "ipSetIds", "CreateIPSet", 1};
constexpr ListApi kThreatIntelSets{ThreatListKind::kThreatIntelSet, "threatIntelSetId",
                                   "threatIntelSetIds", "CreateThreatIntelSet", 6};

constexpr std::array<std::string_view, 6> kFormats = {"TXT",         "STIX",        "OTX_CSV",
                                                      "ALIEN_VAULT", "PROOF_POINT", "FIRE_EYE"};

const char* StatusFor(bool activate) { return activate ? "ACTIVATING" : "INACTIVE"; }

void NotifyIntel(Services& services, const ThreatListRecord& list, bool reload) {
  if (services.intel != nullptr) {
    services.intel->ListChanged(list.detector_id, list.kind, list.id, reload);
  }
}

std::optional<std::string> ReadLocation(Services& services, JsonReader& in, Presence presence) {
  std::optional<std::string> location = in.String("location", presence, 1, 300);
  if (location && !IsUri(*location)) {
    in.Fail(InvalidParameter("location", "'" + *location +
                                             "' is not a URI (expected e.g. s3://bucket/key or "
                                             "https://s3.amazonaws.com/bucket/key)."));
    return std::nullopt;
  }
  if (location && services.intel != nullptr) {
    if (Status allowed = services.intel->CheckLocation(*location); !allowed.ok()) {
      in.Fail(InvalidParameter("location", allowed.message() + "."));
      return std::nullopt;
    }
  }
  return location;
}

// As GuardDuty, an associated member detects with its administrator's lists and may not
// create, change or delete its own.
Status RefuseMembers(Services& services, const http::Request& request) {
  VIGIL_ASSIGN_OR_RETURN(std::optional<MemberRecord> administrator,
                         services.store->GetAdministratorRelationship(request.context.account,
                                                                      request.context.region));
  if (administrator) {
    return Status::InvalidInput(
        "The request is rejected because member accounts cannot manage IPSets or "
        "ThreatIntelSets.");
  }
  return Status::Ok();
}

template <const ListApi& Api>
StatusOr<ThreatListRecord> CallerList(Services& services, const http::Request& request) {
  VIGIL_ASSIGN_OR_RETURN(DetectorRecord detector, CallerDetector(services, request));
  return services.store->GetThreatList(Api.kind, detector.id, request.Label(Api.id_label));
}

template <const ListApi& Api>
StatusOr<http::Response> Create(Services& services, const http::Request& request) {
  VIGIL_ASSIGN_OR_RETURN(DetectorRecord detector, CallerDetector(services, request));
  VIGIL_RETURN_IF_ERROR(RefuseMembers(services, request));
  VIGIL_ASSIGN_OR_RETURN(json::object body, ParseBodyObject(request.body));
  JsonReader in(body);
  ThreatListRecord list;
  list.kind = Api.kind;
  list.detector_id = detector.id;
  list.id = NewResourceId();
  list.name = in.String("name", Presence::kRequired, 1, 300).value_or("");
  list.format = in.Enum("format", Presence::kRequired, kFormats).value_or("");
  list.location = ReadLocation(services, in, Presence::kRequired).value_or("");
  const bool activate = in.Bool("activate", Presence::kRequired).value_or(false);
  list.status = StatusFor(activate);
  const Tags tags = ReadTags(in, "tags", Presence::kOptional).value_or(Tags{});
  const ClientToken token = ReadClientToken(in, detector.id, Api.create_operation);
  VIGIL_RETURN_IF_ERROR(in.status());
  list.created_at = list.updated_at = request.context.clock->NowMillis();
  VIGIL_ASSIGN_OR_RETURN(std::string id,
                         services.store->CreateThreatList(list, tags, Api.max_per_detector, token));
  if (id == list.id) NotifyIntel(services, list, activate);  // not a ClientToken repeat
  return JsonResponse({{Api.id_label, id}});
}

template <const ListApi& Api>
StatusOr<http::Response> Get(Services& services, const http::Request& request) {
  VIGIL_ASSIGN_OR_RETURN(ThreatListRecord list, CallerList<Api>(services, request));
  const ResourceKind kind =
      Api.kind == ThreatListKind::kIpSet ? ResourceKind::kIpSet : ResourceKind::kThreatIntelSet;
  VIGIL_ASSIGN_OR_RETURN(Tags tags, services.store->GetTags({list.detector_id, kind, list.id}));
  return JsonResponse({
      {"name", list.name},
      {"format", list.format},
      {"location", list.location},
      {"status", list.status},
      {"tags", ToJsonObject(tags)},
  });
}

template <const ListApi& Api>
StatusOr<http::Response> Update(Services& services, const http::Request& request) {
  VIGIL_ASSIGN_OR_RETURN(ThreatListRecord list, CallerList<Api>(services, request));
  VIGIL_RETURN_IF_ERROR(RefuseMembers(services, request));
  VIGIL_ASSIGN_OR_RETURN(json::object body, ParseBodyObject(request.body));
  JsonReader in(body);
  if (auto name = in.String("name", Presence::kOptional, 1, 300)) list.name = *name;
  if (auto location = ReadLocation(services, in, Presence::kOptional)) list.location = *location;
  const std::optional<bool> activate = in.Bool("activate", Presence::kOptional);
  if (activate) list.status = StatusFor(*activate);
  VIGIL_RETURN_IF_ERROR(in.status());
  list.updated_at = request.context.clock->NowMillis();
  VIGIL_RETURN_IF_ERROR(services.store->UpdateThreatList(list));
  if (activate) NotifyIntel(services, list, *activate);
  return JsonResponse({});
}

template <const ListApi& Api>
StatusOr<http::Response> Delete(Services& services, const http::Request& request) {
  VIGIL_ASSIGN_OR_RETURN(ThreatListRecord list, CallerList<Api>(services, request));
  VIGIL_RETURN_IF_ERROR(RefuseMembers(services, request));
  VIGIL_RETURN_IF_ERROR(services.store->DeleteThreatList(Api.kind, list.detector_id, list.id));
  NotifyIntel(services, list, false);
  return JsonResponse({});
}

template <const ListApi& Api>
StatusOr<http::Response> List(Services& services, const http::Request& request) {
  VIGIL_ASSIGN_OR_RETURN(DetectorRecord detector, CallerDetector(services, request));
  VIGIL_ASSIGN_OR_RETURN(PageRequest page_request, QueryPageRequest(request));
  VIGIL_ASSIGN_OR_RETURN(
      KeyPage page, services.store->ListThreatListIds(Api.kind, detector.id, page_request.after,
                                                      page_request.limit));
  json::object body{{Api.ids_member, ToJsonArray(page.keys)}};
  AddNextToken(body, page);
  return JsonResponse(body);
}

constexpr RouteSpec kRoutes[] = {
    {"POST", "/detector/{detectorId}/ipset", "CreateIPSet", Create<kIpSets>},
    {"GET", "/detector/{detectorId}/ipset", "ListIPSets", List<kIpSets>},
    {"GET", "/detector/{detectorId}/ipset/{ipSetId}", "GetIPSet", Get<kIpSets>},
    {"POST", "/detector/{detectorId}/ipset/{ipSetId}", "UpdateIPSet", Update<kIpSets>},
    {"DELETE", "/detector/{detectorId}/ipset/{ipSetId}", "DeleteIPSet", Delete<kIpSets>},
    {"POST", "/detector/{detectorId}/threatintelset", "CreateThreatIntelSet",
     Create<kThreatIntelSets>},
    {"GET", "/detector/{detectorId}/threatintelset", "ListThreatIntelSets", List<kThreatIntelSets>},
    {"GET", "/detector/{detectorId}/threatintelset/{threatIntelSetId}", "GetThreatIntelSet",
     Get<kThreatIntelSets>},
    {"POST", "/detector/{detectorId}/threatintelset/{threatIntelSetId}", "UpdateThreatIntelSet",
     Update<kThreatIntelSets>},
    {"DELETE", "/detector/{detectorId}/threatintelset/{threatIntelSetId}", "DeleteThreatIntelSet",
     Delete<kThreatIntelSets>},
};

}  // namespace

std::span<const RouteSpec> ThreatListRoutes() { return kRoutes; }

}  // namespace vigil::api
