// Optional data sources on the wire: a detector's DataSourceConfigurations in requests
// (CreateDetector, UpdateDetector, UpdateMemberDetectors) and DataSourceConfigurationsResult
// in responses (GetDetector, GetMemberDetectors); an organization's
// OrganizationDataSourceConfigurations (UpdateOrganizationConfiguration).
#pragma once

#include <boost/json/object.hpp>

#include "core/json_input.h"
#include "store/records.h"

namespace vigil::api {

// Applies the optional "dataSources" member of `in` to `settings`; members left out keep
// their value. A problem is recorded in `in`.
void ReadDataSources(JsonReader& in, DataSourceSettings& settings);

// The same for an organization's auto-enable settings (each source's "autoEnable").
void ReadOrganizationDataSources(JsonReader& in, DataSourceSettings& settings);

// The DataSourceConfigurationsResult of `detector` (flow logs, CloudTrail and DNS logs are
// always on).
boost::json::object DataSourcesResult(const DetectorRecord& detector);

}  // namespace vigil::api
