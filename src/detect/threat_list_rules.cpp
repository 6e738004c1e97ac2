#include "detect/rules.h"
#include "findings/finding_types.h"

namespace vigil {

namespace {

// The occurrence fields every list match shares.
void NameLists(const std::vector<const ListIdentity*>& lists, Occurrence& occurrence) {
  occurrence.threat_list_name = lists.front()->name;
  for (const ListIdentity* list : lists) occurrence.threat_names.push_back(list->name);
}

bool IsReadOnlyCall(const CloudTrailEvent& event) {
  if (event.read_only) return *event.read_only;
  const std::string& name = event.event_name;
  return name.starts_with("List") || name.starts_with("Describe") || name.starts_with("Get") ||
         name.starts_with("Head");
}

}  // namespace

void MatchFlowThreats(const FlowRecord& record, const OrientedFlow& flow,
                      const ThreatSnapshot& lists, Emitter& emitter) {
  if (!flow.remote_v4 || !lists.NamesThreat(flow.remote_lists)) return;
  const std::vector<const ListIdentity*> matches = lists.ThreatLists(flow.remote_lists);
  static const FindingTypeInfo* type =
      FindFindingType("UnauthorizedAccess:EC2/MaliciousIPCaller.Custom");
  Occurrence occurrence =
      ConnectionOccurrence(type, record, flow, flow.inbound ? "TARGET" : "ACTOR");
  NameLists(matches, occurrence);
  const std::string finding_key = std::string(FlowResourceKey(record)) + "|" +
                                  occurrence.resource_role + "|" + std::string(flow.remote_ip);
  emitter.Emit(finding_key, std::move(occurrence));
}

void MatchCloudTrailThreats(const CloudTrailEvent& event, const ThreatSnapshot& lists,
                            Emitter& emitter) {
  if (!event.source_ip_v4 || lists.list_count() == 0) return;
  const std::vector<const ListIdentity*> matches = lists.ThreatListsForIp(*event.source_ip_v4);
  if (matches.empty()) return;
  const bool read_only = IsReadOnlyCall(event);
  const bool s3_data = event.event_source == "s3.amazonaws.com" && event.event_category == "Data";
  const char* type_name = s3_data
                              ? (read_only ? "Discovery:S3/MaliciousIPCaller.Custom"
                                           : "UnauthorizedAccess:S3/MaliciousIPCaller.Custom")
                              : (read_only ? "Recon:IAMUser/MaliciousIPCaller.Custom"
                                           : "UnauthorizedAccess:IAMUser/MaliciousIPCaller.Custom");
  Occurrence occurrence;
  occurrence.type = FindFindingType(type_name);
  if (occurrence.type == nullptr) return;
  occurrence.access_key = AccessKeyOf(event);
  occurrence.action.action_type = "AWS_API_CALL";
  occurrence.action.api = event.event_name;
  occurrence.action.service_name = event.event_source;
  occurrence.action.user_agent = event.user_agent;
  occurrence.action.error_code = event.error_code;
  occurrence.action.remote_ip = event.source_ip;
  occurrence.first_seen = occurrence.last_seen = event.event_time;
  NameLists(matches, occurrence);
  const std::string principal =
      event.access_key_id.empty() ? event.principal_id : event.access_key_id;
  emitter.Emit(principal + "|" + event.source_ip, std::move(occurrence));
}

void MatchDnsThreats(const DnsQuery& query, const ThreatSnapshot& lists, Emitter& emitter) {
  if (query.query_name.empty() || lists.list_count() == 0) return;
  const std::vector<const ListIdentity*> matches = lists.ThreatListsForDomain(query.query_name);
  if (matches.empty()) return;
  static const FindingTypeInfo* type = FindFindingType("Impact:EC2/MaliciousDomainRequest.Custom");
  Occurrence occurrence;
  occurrence.type = type;
  occurrence.resource_role = "ACTOR";
  occurrence.instance = InstanceResource{query.instance_id, "", query.source, query.vpc_id, ""};
  occurrence.action.action_type = "DNS_REQUEST";
  occurrence.action.domain = query.query_name;
  occurrence.action.protocol = query.transport;
  occurrence.first_seen = occurrence.last_seen = query.query_time;
  NameLists(matches, occurrence);
  const std::string resource = query.instance_id.empty() ? query.source : query.instance_id;
  emitter.Emit(resource + "|" + query.query_name, std::move(occurrence));
}

}  // namespace vigil
