#include "api/organization_file.h"

#include <gtest/gtest.h>

namespace vigil::api {
namespace {

TEST(OrganizationFileTest, ReadsIdsWithOptionalEmailsAndSkipsComments) {
  auto accounts = ParseOrganizationAccounts(
      "# security team\n111111111111 sec@example.com\n\n  222222222222\n", "org.txt");
  ASSERT_TRUE(accounts.ok()) << accounts.status().ToString();
  ASSERT_EQ(accounts->size(), 2u);
  EXPECT_EQ((*accounts)[0].account_id, "111111111111");
  EXPECT_EQ((*accounts)[0].email, "sec@example.com");
  EXPECT_EQ((*accounts)[1].account_id, "222222222222");
  EXPECT_EQ((*accounts)[1].email, "");
}

TEST(OrganizationFileTest, NamesTheLineOfABadId) {
  auto accounts = ParseOrganizationAccounts("111111111111\n12345\n", "org.txt");
  ASSERT_FALSE(accounts.ok());
  EXPECT_EQ(accounts.status().message(), "org.txt:2: an account id is 12 digits, not '12345'");
}

TEST(OrganizationFileTest, RefusesRepeatsAndExtraWords) {
  EXPECT_EQ(ParseOrganizationAccounts("111111111111\n111111111111\n", "f").status().message(),
            "f:2: account 111111111111 is listed twice");
  EXPECT_FALSE(ParseOrganizationAccounts("111111111111 a@b.c extra\n", "f").ok());
}

TEST(OrganizationFileTest, AnEmptyFileIsAnOrganizationWithoutMembers) {
  auto accounts = ParseOrganizationAccounts("", "f");
  ASSERT_TRUE(accounts.ok());
  EXPECT_TRUE(accounts->empty());
}

}  // namespace
}  // namespace vigil::api
