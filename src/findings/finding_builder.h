// Building findings from what the logs said: the detection engine describes an
// occurrence (resource, action, role, times, list match) and gets back a complete
// GuardDuty Finding of a catalogue type, with its title and description rendered.
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "findings/finding_types.h"
#include "findings/sample_findings.h"

namespace vigil {

// The EC2 side of a network finding.
struct InstanceResource {
  std::string instance_id;  // "" when the log did not name the instance
  std::string interface_id;
  std::string private_ip;
  std::string vpc_id;
  std::string subnet_id;
};

// The IAM side of a CloudTrail finding.
struct AccessKeyResource {
  std::string access_key_id;
  std::string principal_id;
  std::string user_name;
  std::string user_type;  // Root, IAMUser, AssumedRole...
};

// What happened, in GuardDuty's action vocabulary.
struct ActionDetails {
  std::string action_type;  // NETWORK_CONNECTION, PORT_PROBE, DNS_REQUEST, AWS_API_CALL
  // NETWORK_CONNECTION / PORT_PROBE
  std::string connection_direction;  // INBOUND, OUTBOUND, UNKNOWN
  std::string protocol;              // TCP, UDP, ICMP, Unknown
  int64_t local_port = -1;
  int64_t remote_port = -1;
  std::string local_ip;
  std::string remote_ip;  // also the caller's IP for AWS_API_CALL
  bool blocked = false;
  // AWS_API_CALL
  std::string api;
  std::string service_name;
  std::string caller_type;  // "Remote IP" or "AWS Service"
  std::string user_agent;
  std::string error_code;
  // DNS_REQUEST
  std::string domain;
};

struct Occurrence {
  const FindingTypeInfo* type = nullptr;
  std::optional<double> severity;  // default: the type's
  std::string resource_role;       // default: the type's
  std::string resource_type;       // default: the type's
  std::optional<InstanceResource> instance;
  std::optional<AccessKeyResource> access_key;
  ActionDetails action;
  int64_t first_seen = 0;  // epoch milliseconds, from the log
  int64_t last_seen = 0;
  std::string threat_list_name;  // for list matches ("" otherwise)
  std::vector<std::string> threat_names;
};

// A finding number as GuardDuty writes it: whole numbers without a fraction ("severity":
// 2); Boost.JSON would print the double 2.0 as "2E0".
boost::json::value FindingNumber(double number);

// The finding of `occurrence` for `origin` (id, arn, account, region, detector; the
// finding's createdAt/updatedAt are origin.now_millis, its event times the log's).
boost::json::object BuildFinding(const Occurrence& occurrence, const FindingOrigin& origin);

}  // namespace vigil
