#include "parley/data/text_scan.h"

#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>

namespace parley {
namespace {

bool IsBlank(char c) { return c == ' ' || c == '\t' || c == '\r'; }

// from_chars rejects a leading '+', which LIBSVM labels ("+1") use.
std::string_view StripPlus(std::string_view s) {
  if (s.size() > 1 && s[0] == '+' && s[1] != '-' && s[1] != '+') s.remove_prefix(1);
  return s;
}

}  // namespace

Status LineError(const TextPos& pos, std::string_view message) {
  std::string m;
  m.reserve(pos.file.size() + message.size() + 16);
  m.append(pos.file).append(":").append(std::to_string(pos.line)).append(": ").append(message);
  return InvalidArgument(std::move(m));
}

bool LineCursor::Next(std::string_view* line) {
  if (rest_.empty()) return false;
  const void* nl = std::memchr(rest_.data(), '\n', rest_.size());
  size_t len = nl ? static_cast<size_t>(static_cast<const char*>(nl) - rest_.data()) : rest_.size();
  std::string_view l = rest_.substr(0, len);
  rest_.remove_prefix(nl ? len + 1 : len);
  if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
  *line = l;
  ++line_number_;
  return true;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsBlank(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsBlank(s.back())) s.remove_suffix(1);
  return s;
}

std::string_view Unquote(std::string_view s) {
  s = Trim(s);
  if (s.size() >= 2 && s.front() == '"' && s.back() == '"') s = s.substr(1, s.size() - 2);
  return s;
}

bool NextToken(std::string_view* rest, std::string_view* token) {
  std::string_view r = *rest;
  size_t i = 0;
  while (i < r.size() && (r[i] == ' ' || r[i] == '\t')) ++i;
  if (i == r.size()) {
    *rest = {};
    return false;
  }
  size_t j = i;
  while (j < r.size() && r[j] != ' ' && r[j] != '\t') ++j;
  *token = r.substr(i, j - i);
  *rest = r.substr(j);
  return true;
}

void SplitFields(std::string_view line, std::string_view delim,
                 std::vector<std::string_view>* fields) {
  fields->clear();
  size_t start = 0;
  while (true) {
    const size_t end = line.find(delim, start);
    if (end == std::string_view::npos) {
      fields->push_back(line.substr(start));
      return;
    }
    fields->push_back(line.substr(start, end - start));
    start = end + delim.size();
  }
}

NumberError ParseFloat(std::string_view s, float* out) {
  s = StripPlus(s);
  if (s.empty()) return NumberError::kMalformed;
  double d = 0;
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), d);
  if (ptr != s.data() + s.size()) return NumberError::kMalformed;
  if (ec == std::errc::result_out_of_range) {
    // from_chars leaves d untouched; tell overflow from underflow by the exponent's sign.
    const size_t e = s.find_first_of("eE");
    if (e != std::string_view::npos && e + 1 < s.size() && s[e + 1] == '-') {
      *out = 0;
      return NumberError::kOk;
    }
    return NumberError::kOutOfRange;
  }
  if (ec != std::errc()) return NumberError::kMalformed;
  if (std::isnan(d)) return NumberError::kNaN;
  if (std::isinf(d)) return NumberError::kInf;
  if (std::fabs(d) > std::numeric_limits<float>::max()) return NumberError::kOutOfRange;
  *out = static_cast<float>(d);
  return NumberError::kOk;
}

NumberError ParseInt64(std::string_view s, int64_t* out) {
  s = StripPlus(s);
  if (s.empty()) return NumberError::kMalformed;
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  if (ptr != s.data() + s.size()) return NumberError::kMalformed;
  if (ec == std::errc::result_out_of_range) return NumberError::kOutOfRange;
  if (ec != std::errc()) return NumberError::kMalformed;
  return NumberError::kOk;
}

std::string Quote(std::string_view token) {
  constexpr size_t kMax = 40;
  std::string q = "'";
  q.append(token.substr(0, kMax));
  if (token.size() > kMax) q.append("...");
  q.append("'");
  return q;
}

Status ParseFiniteFloat(const TextPos& pos, std::string_view what, std::string_view token,
                        float* out) {
  switch (ParseFloat(token, out)) {
    case NumberError::kOk:
      return OkStatus();
    case NumberError::kNaN:
      return LineError(pos, std::string(what) + " is NaN; values must be finite numbers");
    case NumberError::kInf:
      return LineError(pos, std::string(what) + " is Inf; values must be finite numbers");
    case NumberError::kOutOfRange:
      return LineError(pos, std::string(what) + " " + Quote(token) + " is out of float range");
    case NumberError::kMalformed:
      break;
  }
  if (token.empty()) return LineError(pos, std::string(what) + " is empty; expected a number");
  return LineError(pos, std::string(what) + " " + Quote(token) + " is not a number");
}

Status ParseInteger(const TextPos& pos, std::string_view what, std::string_view token,
                    int64_t* out) {
  switch (ParseInt64(token, out)) {
    case NumberError::kOk:
      return OkStatus();
    case NumberError::kOutOfRange:
      return LineError(pos, std::string(what) + " " + Quote(token) + " is out of range");
    default:
      break;
  }
  if (token.empty()) return LineError(pos, std::string(what) + " is empty; expected an integer");
  return LineError(pos, std::string(what) + " " + Quote(token) + " is not an integer");
}

}  // namespace parley
