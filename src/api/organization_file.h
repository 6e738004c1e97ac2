// The --organization-accounts file: the organization's member accounts, one per line as
// `ACCOUNT_ID [EMAIL]` (12 digits, then optionally the e-mail address GuardDuty shows
// for the member). Blank lines and lines starting with '#' are ignored.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "store/member_records.h"

namespace vigil::api {

// Parses the file's text; `name` prefixes errors ("org.txt:3: ..."). InvalidInput for a
// malformed id, a repeated id or extra words on a line.
StatusOr<std::vector<AccountDetail>> ParseOrganizationAccounts(std::string_view text,
                                                               std::string_view name);

// Reads and parses the file at `path`.
StatusOr<std::vector<AccountDetail>> LoadOrganizationAccounts(const std::string& path);

}  // namespace vigil::api
