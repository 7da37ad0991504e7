// src/util: the text codecs every layer shares.
#include <gtest/gtest.h>

#include "util/ascii.h"
#include "util/percent_encoding.h"

using namespace thumbgen::util;

TEST(Ascii, LowersOnlyAsciiLetters) {
  EXPECT_EQ(to_lower_ascii("MainTex.PNG"), "maintex.png");
  EXPECT_EQ(to_lower_ascii("\xC3\x89t\xC3\xA9"), "\xC3\x89t\xC3\xA9");  // UTF-8 bytes untouched
  EXPECT_TRUE(iequals_ascii("Content-Type", "content-type"));
  EXPECT_FALSE(iequals_ascii("Content-Type", "content-typ"));
}

TEST(PercentEncoding, DecodesEscapesAndPlusOnlyWhenAsked) {
  EXPECT_EQ(percent_decode("my%20model%2Fa.bin"), "my model/a.bin");
  EXPECT_EQ(percent_decode("a+b"), "a+b");
  EXPECT_EQ(percent_decode("a+b%2B", true), "a b+");
  EXPECT_EQ(percent_decode("%c3%a9"), "\xC3\xA9");
}

TEST(PercentEncoding, RefusesMalformedEscapesAndNul) {
  EXPECT_FALSE(percent_decode("a%2"));
  EXPECT_FALSE(percent_decode("a%zz"));
  EXPECT_FALSE(percent_decode("%"));
  EXPECT_FALSE(percent_decode("a%00b"));
}

TEST(PercentEncoding, EncodesAllButUnreservedAndOptionallySlash) {
  EXPECT_EQ(percent_encode("a b/\xC3\xA9~-._", true), "a%20b/%C3%A9~-._");
  EXPECT_EQ(percent_encode("a b/c", false), "a%20b%2Fc");
  EXPECT_EQ(percent_decode(percent_encode("100% ?#&=+", false)), "100% ?#&=+");
}
