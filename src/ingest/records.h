// The compact records the log parsers produce and the detection rules read.
// Addresses are kept as text plus, for IPv4, the parsed value (the rules' hot path).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vigil {

// One VPC Flow Log record (one 5-tuple per ENI per aggregation window).
//
// Its text fields view the parsed text, which must outlive the record: flow logs come
// by the million, and copying eight strings a record cost more than parsing it. Whoever
// keeps a field beyond the record's life (a window key, a finding) copies it.
struct FlowRecord {
  std::string_view account_id;    // "" when absent or "-"
  std::string_view interface_id;  // eni-...
  std::string_view vpc_id;
  std::string_view subnet_id;
  std::string_view instance_id;
  // Source and destination as seen by the packets: pkt-srcaddr / pkt-dstaddr when the
  // format has them and they are set, else srcaddr / dstaddr.
  std::string_view source;
  std::string_view destination;
  std::optional<uint32_t> source_v4;       // when `source` is IPv4
  std::optional<uint32_t> destination_v4;  // when `destination` is IPv4
  // srcaddr / dstaddr as logged (the ENI side's private address is one of them).
  std::string_view logged_source;
  std::string_view logged_destination;
  int32_t source_port = -1;  // -1 when absent
  int32_t destination_port = -1;
  int32_t protocol = -1;  // IANA number; -1 when absent
  int64_t packets = 0;
  int64_t bytes = 0;
  int64_t start = 0;  // epoch seconds
  int64_t end = 0;
  bool accepted = false;   // action ACCEPT (REJECT otherwise)
  int32_t tcp_flags = -1;  // -1 when absent
  enum class Direction { kUnknown, kIngress, kEgress };
  Direction direction = Direction::kUnknown;  // flow-direction when present
};

// One CloudTrail event, the fields the rules read.
struct CloudTrailEvent {
  std::string event_id;
  int64_t event_time = 0;    // epoch milliseconds
  std::string event_source;  // e.g. cloudtrail.amazonaws.com
  std::string event_name;
  std::string event_type;      // AwsApiCall, AwsConsoleSignIn, ...
  std::string event_category;  // Management, Data, ...
  std::string aws_region;
  std::string recipient_account_id;
  std::string source_ip;  // an IP, or a service name / "AWS Internal"
  std::optional<uint32_t> source_ip_v4;
  std::string user_agent;
  std::string error_code;
  std::optional<bool> read_only;
  // userIdentity
  std::string identity_type;  // Root, IAMUser, AssumedRole, ...
  std::string principal_id;
  std::string identity_arn;
  std::string identity_account_id;
  std::string access_key_id;
  std::string user_name;  // userName, or the session issuer's userName for roles
  std::string invoked_by;
  bool has_session_context = false;
  std::string mfa_used;              // additionalEventData.MFAUsed ("Yes"/"No"), "" when absent
  std::string console_login_result;  // responseElements.ConsoleLogin
  // requestParameters and responseElements as compact JSON text ("" when null/absent),
  // for the rules that inspect them.
  std::string request_parameters;
  std::string response_elements;
};

// One Route 53 Resolver query log record.
struct DnsQuery {
  int64_t query_time = 0;  // epoch milliseconds
  std::string account_id;
  std::string region;
  std::string vpc_id;
  std::string query_name;  // lowercase, trailing dot removed
  std::string query_type;
  std::string rcode;
  std::string source;  // srcaddr
  std::optional<uint32_t> source_v4;
  int32_t source_port = -1;
  std::string transport;
  std::string instance_id;           // srcids.instance
  std::vector<std::string> answers;  // Rdata of each answer
};

// A record a parser could not use, with where it was.
struct RejectedRecord {
  size_t position = 0;  // 1-based line number (or record index in a JSON array)
  std::string reason;
};

// What a parser could not use or did not need, over a whole input.
struct ParseTally {
  static constexpr size_t kMaxReportedRejects = 100;

  size_t rejected = 0;                  // all rejected records
  std::vector<RejectedRecord> rejects;  // the first kMaxReportedRejects
  size_t skipped = 0;                   // not data (NODATA/SKIPDATA, headers, duplicates)

  void Reject(size_t position, std::string reason) {
    ++rejected;
    if (rejects.size() < kMaxReportedRejects) rejects.push_back({position, std::move(reason)});
  }
};

template <typename Record>
struct ParseResult : ParseTally {
  std::vector<Record> records;
};

}  // namespace vigil
