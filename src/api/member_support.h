// Pieces the multi-account handlers share (members.cpp, invitations.cpp,
// organization.cpp): reading lists of account ids and writing GuardDuty's Member,
// Invitation and UnprocessedAccount shapes.
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "api/services.h"
#include "core/status.h"
#include "store/member_records.h"

namespace vigil::api {

// The organization Vigil serves; empty when --organization-management-account is unset.
const Organization& OrganizationOf(const Services& services);

// Account ids of a request, sorted into those to hand to the store and those already
// refused (malformed, or the caller's own where that makes no sense).
struct AccountIdBatch {
  std::vector<std::string> accepted;  // distinct, 12 digits, in request order
  std::vector<UnprocessedAccount> unprocessed;
};

// Reads the required `accountIds` member: 1-50 strings of 12 characters (InvalidInput
// otherwise, as the model's AccountIds shape). Repeats are handled once; ids that are
// not 12 digits, and `caller` itself when `refuse_caller`, come back unprocessed.
StatusOr<AccountIdBatch> ReadAccountIds(const boost::json::object& body, const std::string& caller,
                                        bool refuse_caller);

// Reads CreateMembers' required `accountDetails`: 1-50 objects with accountId (12
// characters) and email (1-64). Sorted as ReadAccountIds sorts, the caller refused.
StatusOr<std::vector<AccountDetail>> ReadAccountDetails(
    const boost::json::object& body, const std::string& caller,
    std::vector<UnprocessedAccount>& unprocessed);

// {"unprocessedAccounts": [...]} of `refused` followed by `more`.
boost::json::object UnprocessedResponse(const std::vector<UnprocessedAccount>& refused,
                                        const std::vector<UnprocessedAccount>& more);
boost::json::array ToJsonArray(const std::vector<UnprocessedAccount>& unprocessed);

// The Member shape (the administrator's view).
boost::json::object MemberJson(const MemberRecord& member);
// The Invitation shape, which is also Master and Administrator (the member's view).
boost::json::object InvitationJson(const MemberRecord& member);

}  // namespace vigil::api
