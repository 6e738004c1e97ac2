// The whole route table: every GuardDuty operation Vigil serves plus /_vigil/ endpoints.
// Each resource file owns its table; RegisterRoutes binds them all to the services.
#pragma once

#include <span>

#include "api/handler_support.h"
#include "api/services.h"
#include "http/router.h"

namespace vigil::api {

std::span<const RouteSpec> DetectorRoutes();
std::span<const RouteSpec> FilterRoutes();
std::span<const RouteSpec> FindingRoutes();
std::span<const RouteSpec> ThreatListRoutes();  // IPSets and ThreatIntelSets
std::span<const RouteSpec> PublishingDestinationRoutes();
std::span<const RouteSpec> TagRoutes();
std::span<const RouteSpec> UsageRoutes();         // usage statistics, free trial
std::span<const RouteSpec> MalwareScanRoutes();   // malware scans and their settings
std::span<const RouteSpec> MemberRoutes();        // the administrator's side
std::span<const RouteSpec> InvitationRoutes();    // the member's side
std::span<const RouteSpec> OrganizationRoutes();  // delegated administrator, autoEnable
std::span<const RouteSpec> IngestRoutes();        // /_vigil/ingest
std::span<const RouteSpec> VigilRoutes();         // /_vigil/health, metrics, reset

// Adds every route to `router`. `services` must outlive the router.
void RegisterRoutes(http::Router& router, Services& services);

}  // namespace vigil::api
