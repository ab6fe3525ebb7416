// Scanning text data files: lines, tokens, fields and numbers, with error messages of the
// form "<file>:<line>: <what was wrong>". Shared by every text reader so that each one
// parses numbers and reports errors the same way. Numbers are parsed with std::from_chars
// (no locale, no allocation).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "parley/core/status.h"

namespace parley {

// Where a piece of text came from, for error messages.
struct TextPos {
  std::string_view file;
  size_t line = 0;  // 1-based
};

// InvalidArgument("<file>:<line>: <message>").
Status LineError(const TextPos& pos, std::string_view message);

// Iterates over the lines of a buffer without copying. A line ends at '\n'; a trailing '\r'
// is dropped, and a last line without '\n' still counts. The buffer must outlive the cursor.
class LineCursor {
 public:
  explicit LineCursor(std::string_view text) : rest_(text) {}
  // Sets *line to the next line and returns true, or returns false at the end.
  bool Next(std::string_view* line);
  // 1-based number of the line last returned by Next() (0 before the first call).
  size_t line_number() const { return line_number_; }

 private:
  std::string_view rest_;
  size_t line_number_ = 0;
};

// Strips spaces, tabs and '\r' from both ends.
std::string_view Trim(std::string_view s);
// Trims, then removes one pair of surrounding double quotes ("userId" -> userId).
std::string_view Unquote(std::string_view s);
// Takes the next run of non-blank characters (blanks: space, tab) from *rest into *token;
// returns false when only blanks remain.
bool NextToken(std::string_view* rest, std::string_view* token);
// Splits a line on every occurrence of `delim` (one or more characters, e.g. "," or "::")
// into *fields (cleared first); fields are not trimmed. Delimiters inside quotes are not
// supported (numeric data files do not need them). REQUIRES: !delim.empty().
void SplitFields(std::string_view line, std::string_view delim,
                 std::vector<std::string_view>* fields);

enum class NumberError { kOk, kMalformed, kNaN, kInf, kOutOfRange };

// Parses the whole of `s` as a decimal floating-point number ("1", "-2.5e-3", "+1"); a value
// beyond float range is kOutOfRange, one too small for float becomes 0 or subnormal.
NumberError ParseFloat(std::string_view s, float* out);
// Parses the whole of `s` as a decimal integer with optional sign.
NumberError ParseInt64(std::string_view s, int64_t* out);

// ParseFloat, turning any failure into a LineError that names `what` (e.g. "label",
// "value of feature 7") and the reason: "... is not a number", "... is NaN", "... is Inf".
Status ParseFiniteFloat(const TextPos& pos, std::string_view what, std::string_view token,
                        float* out);
// ParseInt64, turning a failure into a LineError: "<what> '<token>' is not an integer".
Status ParseInteger(const TextPos& pos, std::string_view what, std::string_view token,
                    int64_t* out);

// Shortens a token for quoting in a message ("abc...") so that one bad line cannot produce
// a huge error.
std::string Quote(std::string_view token);

}  // namespace parley
