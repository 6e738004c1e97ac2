#include "detect/rules.h"

namespace vigil {

InstanceResource InstanceOf(const FlowRecord& record, const OrientedFlow& flow) {
  return InstanceResource{std::string(record.instance_id), std::string(record.interface_id),
                          std::string(flow.local_ip), std::string(record.vpc_id),
                          std::string(record.subnet_id)};
}

AccessKeyResource AccessKeyOf(const CloudTrailEvent& event) {
  return AccessKeyResource{event.access_key_id, event.principal_id, event.user_name,
                           event.identity_type};
}

std::string_view FlowResourceKey(const FlowRecord& record) {
  return record.instance_id.empty() ? record.interface_id : record.instance_id;
}

Occurrence ConnectionOccurrence(const FindingTypeInfo* type, const FlowRecord& record,
                                const OrientedFlow& flow, std::string resource_role) {
  Occurrence occurrence;
  occurrence.type = type;
  occurrence.resource_role = std::move(resource_role);
  occurrence.instance = InstanceOf(record, flow);
  occurrence.action.action_type = "NETWORK_CONNECTION";
  occurrence.action.connection_direction = flow.direction;
  occurrence.action.protocol = ProtocolName(record.protocol);
  occurrence.action.local_port = flow.local_port;
  occurrence.action.remote_port = flow.remote_port;
  occurrence.action.local_ip = flow.local_ip;
  occurrence.action.remote_ip = flow.remote_ip;
  occurrence.action.blocked = !record.accepted;
  occurrence.first_seen = record.start * 1000;
  occurrence.last_seen = record.end * 1000;
  return occurrence;
}

}  // namespace vigil
