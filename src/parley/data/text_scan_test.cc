#include "parley/data/text_scan.h"

#include <gtest/gtest.h>

namespace parley {
namespace {

TEST(TextScan, ParseFloatAcceptsDecimalFormsAndRejectsJunk) {
  float v = 0;
  EXPECT_EQ(ParseFloat("1", &v), NumberError::kOk);
  EXPECT_EQ(v, 1.0f);
  EXPECT_EQ(ParseFloat("+1", &v), NumberError::kOk);
  EXPECT_EQ(v, 1.0f);
  EXPECT_EQ(ParseFloat("-2.5e-3", &v), NumberError::kOk);
  EXPECT_FLOAT_EQ(v, -2.5e-3f);
  EXPECT_EQ(ParseFloat(".5", &v), NumberError::kOk);
  EXPECT_EQ(ParseFloat("1e-60", &v), NumberError::kOk);
  EXPECT_EQ(v, 0.0f);
  EXPECT_EQ(ParseFloat("1e40", &v), NumberError::kOutOfRange);
  EXPECT_EQ(ParseFloat("1e400", &v), NumberError::kOutOfRange);
  EXPECT_EQ(ParseFloat("nan", &v), NumberError::kNaN);
  EXPECT_EQ(ParseFloat("-Infinity", &v), NumberError::kInf);
  for (const char* bad : {"", "+", "abc", "1x", "1e", "0x10", "1,5", " 1", "++1", "+-1"}) {
    EXPECT_EQ(ParseFloat(bad, &v), NumberError::kMalformed) << bad;
  }
}

TEST(TextScan, ParseInt64) {
  int64_t v = 0;
  EXPECT_EQ(ParseInt64("42", &v), NumberError::kOk);
  EXPECT_EQ(v, 42);
  EXPECT_EQ(ParseInt64("-7", &v), NumberError::kOk);
  EXPECT_EQ(v, -7);
  EXPECT_EQ(ParseInt64("+7", &v), NumberError::kOk);
  EXPECT_EQ(ParseInt64("1.0", &v), NumberError::kMalformed);
  EXPECT_EQ(ParseInt64("99999999999999999999", &v), NumberError::kOutOfRange);
}

TEST(TextScan, LineCursorCountsLinesAndDropsCr) {
  LineCursor c("a\r\n\nb");
  std::string_view line;
  ASSERT_TRUE(c.Next(&line));
  EXPECT_EQ(line, "a");
  ASSERT_TRUE(c.Next(&line));
  EXPECT_EQ(line, "");
  ASSERT_TRUE(c.Next(&line));
  EXPECT_EQ(line, "b");
  EXPECT_EQ(c.line_number(), 3u);
  EXPECT_FALSE(c.Next(&line));
}

TEST(TextScan, SplitTrimUnquote) {
  std::vector<std::string_view> f;
  SplitFields("1::2::3", "::", &f);
  EXPECT_EQ(f, (std::vector<std::string_view>{"1", "2", "3"}));
  SplitFields("a,,b,", ",", &f);
  EXPECT_EQ(f, (std::vector<std::string_view>{"a", "", "b", ""}));
  EXPECT_EQ(Unquote(" \"userId\" "), "userId");
  EXPECT_EQ(Unquote("\"\""), "");
  EXPECT_EQ(Trim("\t x \r"), "x");
}

TEST(TextScan, ErrorsNameFileLineAndReason) {
  float v;
  Status s = ParseFiniteFloat({"f.txt", 9}, "rating", "x", &v);
  EXPECT_EQ(s.message(), "f.txt:9: rating 'x' is not a number");
  s = ParseFiniteFloat({"f.txt", 9}, "rating", "nan", &v);
  EXPECT_EQ(s.message(), "f.txt:9: rating is NaN; values must be finite numbers");
  int64_t i;
  s = ParseInteger({"f.txt", 2}, "user id", "u1", &i);
  EXPECT_EQ(s.message(), "f.txt:2: user id 'u1' is not an integer");
  EXPECT_EQ(Quote(std::string(100, 'a')).size(), 40u + 5u);
}

}  // namespace
}  // namespace parley
