// Plain value types for multi-account relationships: an administrator account's member
// records (which double as the invitations its members receive) and the organization's
// delegated administrator.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "store/records.h"

namespace vigil {

// GuardDuty's relationship statuses, as Member.relationshipStatus spells them.
namespace relationship {
inline constexpr std::string_view kCreated = "Created";    // added, not invited yet
inline constexpr std::string_view kInvited = "Invited";    // invitation awaiting an answer
inline constexpr std::string_view kEnabled = "Enabled";    // associated and monitored
inline constexpr std::string_view kDisabled = "Disabled";  // associated, monitoring stopped
inline constexpr std::string_view kRemoved = "Removed";    // the administrator disassociated it
inline constexpr std::string_view kResigned = "Resigned";  // the member left or declined
}  // namespace relationship

// One account as an administrator knows it, per (administrator, region). The member
// sees the same row as an invitation from `administrator` while it is Invited.
struct MemberRecord {
  std::string administrator;  // administrator account id
  std::string region;
  std::string account_id;  // member account id
  std::string email;       // "" for organization accounts enrolled without one
  std::string relationship_status = std::string(relationship::kCreated);
  std::string invitation_id;  // the latest invitation; "" when none (or deleted by the member)
  int64_t invited_at = 0;     // epoch milliseconds; 0 when never invited
  int64_t updated_at = 0;
  bool via_organization = false;  // enrolled by the organization's delegated administrator
  std::string detector_id;        // the member's detector in `region`; "" when it has none
};

// A member account and its detector (EnabledMembers).
struct MemberDetector {
  std::string account_id;
  std::string detector_id;
};

// An account given to CreateMembers or read from --organization-accounts.
struct AccountDetail {
  std::string account_id;
  std::string email;
};

// The organization Vigil serves: its management account (--organization-management-account)
// and its member accounts (--organization-accounts). Empty when not configured.
struct Organization {
  std::string management_account;
  std::vector<AccountDetail> accounts;

  bool Contains(std::string_view account_id) const {
    for (const AccountDetail& account : accounts) {
      if (account.account_id == account_id) return true;
    }
    return account_id == management_account && !management_account.empty();
  }
};

// An account a batch operation could not handle, and why (UnprocessedAccount).
struct UnprocessedAccount {
  std::string account_id;
  std::string result;
};

// The organization's delegated GuardDuty administrator in one region and the
// organization configuration it manages.
struct OrganizationAdminRecord {
  std::string region;
  std::string account_id;
  bool auto_enable = false;  // enroll organization accounts as members automatically
  // Data sources of the detectors auto-enable creates (their autoEnable flags).
  DataSourceSettings auto_enable_sources{false, false, false};
  int64_t enabled_at = 0;
};

}  // namespace vigil
