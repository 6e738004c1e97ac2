#include "core/utf8.h"

#include <gtest/gtest.h>

namespace vigil {
namespace {

TEST(ValidUtf8Test, KeepsValidText) {
  for (const char* text : {"", "plain ascii", "caf\xC3\xA9", "\xE2\x82\xAC 5", "\xF0\x9F\x98\x80",
                           "\xF4\x8F\xBF\xBF"}) {
    EXPECT_EQ(ValidUtf8(text), text);
  }
}

TEST(ValidUtf8Test, ReplacesEachByteOutsideAWellFormedSequence) {
  const std::string r = "\xEF\xBF\xBD";
  EXPECT_EQ(ValidUtf8("a\xFF"
                      "b"),
            "a" + r + "b");                                 // never in UTF-8
  EXPECT_EQ(ValidUtf8("\x8D"), r);                          // stray continuation
  EXPECT_EQ(ValidUtf8("\xC3("), r + "(");                   // cut short
  EXPECT_EQ(ValidUtf8("\xE2\x82"), r + r);                  // cut at the end
  EXPECT_EQ(ValidUtf8("\xC0\xAF"), r + r);                  // overlong '/'
  EXPECT_EQ(ValidUtf8("\xED\xA0\x80"), r + r + r);          // a surrogate
  EXPECT_EQ(ValidUtf8("\xF4\x90\x80\x80"), r + r + r + r);  // beyond U+10FFFF
  EXPECT_EQ(ValidUtf8("ok \xC3\xA9 \xFF ok"), "ok \xC3\xA9 " + r + " ok");
}

}  // namespace
}  // namespace vigil
