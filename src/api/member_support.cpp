#include "api/member_support.h"

#include <unordered_set>

#include "core/ids.h"
#include "core/json_input.h"
#include "core/time.h"

namespace vigil::api {

namespace json = boost::json;

namespace {

constexpr size_t kMaxAccountsPerCall = 50;
constexpr size_t kAccountIdLength = 12;

std::string InvalidAccountId() { return "The account id is invalid: it must be 12 digits."; }

std::string CallerItself() {
  return "The account is the current account; an account cannot be its own member.";
}

// Sorts `account_id` into `accepted` or `unprocessed`; false for a repeat.
bool Classify(const std::string& account_id, const std::string& caller, bool refuse_caller,
              std::unordered_set<std::string>& seen, std::vector<UnprocessedAccount>& unprocessed) {
  if (!seen.insert(account_id).second) return false;
  if (!IsAccountId(account_id)) {
    unprocessed.push_back({account_id, InvalidAccountId()});
    return false;
  }
  if (refuse_caller && account_id == caller) {
    unprocessed.push_back({account_id, CallerItself()});
    return false;
  }
  return true;
}

}  // namespace

const Organization& OrganizationOf(const Services& services) {
  static const Organization kNone;
  return services.organization != nullptr ? *services.organization : kNone;
}

StatusOr<AccountIdBatch> ReadAccountIds(const json::object& body, const std::string& caller,
                                        bool refuse_caller) {
  JsonReader in(body);
  std::optional<std::vector<std::string>> ids =
      in.StringList("accountIds", Presence::kRequired, 1, kMaxAccountsPerCall, kAccountIdLength,
                    kAccountIdLength);
  VIGIL_RETURN_IF_ERROR(in.status());
  AccountIdBatch batch;
  std::unordered_set<std::string> seen;
  for (std::string& id : *ids) {
    if (Classify(id, caller, refuse_caller, seen, batch.unprocessed)) {
      batch.accepted.push_back(std::move(id));
    }
  }
  return batch;
}

StatusOr<std::vector<AccountDetail>> ReadAccountDetails(
    const json::object& body, const std::string& caller,
    std::vector<UnprocessedAccount>& unprocessed) {
  const json::value* details = body.if_contains("accountDetails");
  if (details == nullptr || details->is_null()) {
    return Status::InvalidInput(
        "The request is rejected because the required parameter accountDetails is missing.");
  }
  if (!details->is_array() || details->as_array().empty() ||
      details->as_array().size() > kMaxAccountsPerCall) {
    return InvalidParameter("accountDetails", "expected a list of 1 to 50 account details.");
  }
  std::vector<AccountDetail> accepted;
  std::unordered_set<std::string> seen;
  size_t index = 0;
  for (const json::value& item : details->as_array()) {
    const std::string path = "accountDetails[" + std::to_string(index++) + "]";
    if (!item.is_object()) return InvalidParameter(path, "expected a JSON object.");
    JsonReader in(item.as_object(), path);
    std::optional<std::string> account_id =
        in.String("accountId", Presence::kRequired, kAccountIdLength, kAccountIdLength);
    std::optional<std::string> email = in.String("email", Presence::kRequired, 1, 64);
    VIGIL_RETURN_IF_ERROR(in.status());
    if (Classify(*account_id, caller, true, seen, unprocessed)) {
      accepted.push_back({std::move(*account_id), std::move(*email)});
    }
  }
  return accepted;
}

json::array ToJsonArray(const std::vector<UnprocessedAccount>& unprocessed) {
  json::array array;
  for (const UnprocessedAccount& account : unprocessed) {
    array.push_back(json::object{{"accountId", account.account_id}, {"result", account.result}});
  }
  return array;
}

json::object UnprocessedResponse(const std::vector<UnprocessedAccount>& refused,
                                 const std::vector<UnprocessedAccount>& more) {
  json::array array = ToJsonArray(refused);
  for (json::value& item : ToJsonArray(more)) array.push_back(std::move(item));
  return json::object{{"unprocessedAccounts", std::move(array)}};
}

json::object MemberJson(const MemberRecord& member) {
  json::object body{
      {"accountId", member.account_id},
      {"masterId", member.administrator},
      {"administratorId", member.administrator},
      {"email", member.email},
      {"relationshipStatus", member.relationship_status},
      {"updatedAt", FormatIsoMillis(member.updated_at)},
  };
  if (!member.detector_id.empty()) body["detectorId"] = member.detector_id;
  if (member.invited_at > 0) body["invitedAt"] = FormatIsoMillis(member.invited_at);
  return body;
}

json::object InvitationJson(const MemberRecord& member) {
  json::object body{{"accountId", member.administrator},
                    {"relationshipStatus", member.relationship_status}};
  if (!member.invitation_id.empty()) body["invitationId"] = member.invitation_id;
  if (member.invited_at > 0) body["invitedAt"] = FormatIsoMillis(member.invited_at);
  return body;
}

}  // namespace vigil::api
