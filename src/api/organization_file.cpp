#include "api/organization_file.h"

#include <fstream>
#include <set>
#include <sstream>

#include "core/ids.h"

namespace vigil::api {

StatusOr<std::vector<AccountDetail>> ParseOrganizationAccounts(std::string_view text,
                                                               std::string_view name) {
  std::vector<AccountDetail> accounts;
  std::set<std::string> seen;
  std::istringstream lines{std::string(text)};
  std::string line;
  for (int number = 1; std::getline(lines, line); ++number) {
    const std::string where = std::string(name) + ":" + std::to_string(number) + ": ";
    std::istringstream words(line);
    AccountDetail account;
    if (!(words >> account.account_id) || account.account_id.front() == '#') continue;
    words >> account.email;
    if (std::string extra; words >> extra) {
      return Status::InvalidInput(where + "expected ACCOUNT_ID [EMAIL], found more words");
    }
    if (!IsAccountId(account.account_id)) {
      return Status::InvalidInput(where + "an account id is 12 digits, not '" + account.account_id +
                                  "'");
    }
    if (account.email.size() > 64) {
      return Status::InvalidInput(where + "an e-mail address has at most 64 characters");
    }
    if (!seen.insert(account.account_id).second) {
      return Status::InvalidInput(where + "account " + account.account_id + " is listed twice");
    }
    accounts.push_back(std::move(account));
  }
  return accounts;
}

StatusOr<std::vector<AccountDetail>> LoadOrganizationAccounts(const std::string& path) {
  std::ifstream file(path);
  if (!file) return Status::InvalidInput("cannot read " + path);
  std::ostringstream text;
  text << file.rdbuf();
  return ParseOrganizationAccounts(text.str(), path);
}

}  // namespace vigil::api
