#include "parley/kron/kron_file.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <limits>

#include "parley/data/file_io.h"
#include "parley/data/text_scan.h"

namespace parley {
namespace {

constexpr std::string_view kPrefix = "kron:";

std::string PathOf(const std::string& spec) {
  return spec.starts_with(kPrefix) ? spec.substr(kPrefix.size()) : spec;
}

bool IsSkipped(std::string_view line) {
  std::string_view t = Trim(line);
  return t.empty() || t.front() == '#';
}

// Parses a whole token as a finite double; `what` names it in the error.
Status ParseDouble(const TextPos& pos, std::string_view what, std::string_view token, double* out) {
  std::string_view s = token;
  if (s.size() > 1 && s.front() == '+' && s[1] != '-' && s[1] != '+') s.remove_prefix(1);
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  if (ec == std::errc::result_out_of_range)
    return LineError(pos, std::string(what) + " " + Quote(token) + " is out of range for a double");
  if (ec != std::errc() || end != s.data() + s.size())
    return LineError(pos, std::string(what) + " " + Quote(token) + " is not a number");
  if (std::isnan(*out)) return LineError(pos, std::string(what) + " is NaN");
  if (std::isinf(*out)) return LineError(pos, std::string(what) + " is Inf");
  return OkStatus();
}

Status ParseSize(const TextPos& pos, std::string_view what, std::string_view token, size_t* out) {
  int64_t v = 0;
  PARLEY_RETURN_IF_ERROR(ParseInteger(pos, what, token, &v));
  if (v < 1) return LineError(pos, std::string(what) + " must be at least 1, got " + Quote(token));
  if (v > (int64_t{1} << 24))
    return LineError(pos, std::string(what) + " " + Quote(token) + " is implausibly large");
  *out = static_cast<size_t>(v);
  return OkStatus();
}

Status ParseHeader(const TextPos& pos, std::string_view line, KronData* d) {
  std::string_view rest = line, tok;
  NextToken(&rest, &tok);
  if (tok != "kron")
    return LineError(pos, "expected the header 'kron <d1> <d2>' of a Kronecker points file, got " +
                              Quote(Trim(line)));
  if (!NextToken(&rest, &tok)) return LineError(pos, "header 'kron <d1> <d2>' lacks d1");
  PARLEY_RETURN_IF_ERROR(ParseSize(pos, "d1", tok, &d->d1));
  if (!NextToken(&rest, &tok)) return LineError(pos, "header 'kron <d1> <d2>' lacks d2");
  PARLEY_RETURN_IF_ERROR(ParseSize(pos, "d2", tok, &d->d2));
  if (NextToken(&rest, &tok) && tok.front() != '#')
    return LineError(pos, "unexpected " + Quote(tok) + " after the header 'kron <d1> <d2>'");
  return OkStatus();
}

Status ParsePoint(const TextPos& pos, std::string_view line, KronData* d) {
  std::string_view rest = line, tok;
  NextToken(&rest, &tok);
  double value = 0;
  PARLEY_RETURN_IF_ERROR(ParseDouble(pos, "target", tok, &value));
  d->y.push_back(value);
  size_t k = 0;
  for (; NextToken(&rest, &tok) && tok != "|"; ++k) {
    if (k == d->d1)
      return LineError(pos, "more than d1 = " + std::to_string(d->d1) +
                                " values of u before '|' (is the '|' missing?)");
    PARLEY_RETURN_IF_ERROR(ParseDouble(pos, "value u[" + std::to_string(k + 1) + "]", tok, &value));
    d->u.push_back(value);
  }
  if (tok != "|")
    return LineError(pos, "no '|' between the values of u and of v");
  if (k != d->d1)
    return LineError(pos, std::to_string(k) + " values of u before '|', expected d1 = " +
                              std::to_string(d->d1));
  k = 0;
  for (; NextToken(&rest, &tok); ++k) {
    if (tok == "|") return LineError(pos, "a second '|' on the line");
    if (k == d->d2)
      return LineError(pos, "more than d2 = " + std::to_string(d->d2) + " values of v after '|'");
    PARLEY_RETURN_IF_ERROR(ParseDouble(pos, "value v[" + std::to_string(k + 1) + "]", tok, &value));
    d->v.push_back(value);
  }
  if (k != d->d2)
    return LineError(pos, std::to_string(k) + " values of v after '|', expected d2 = " +
                              std::to_string(d->d2));
  return OkStatus();
}

void AppendDouble(std::string& out, double v) {
  char buf[32];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, end);
}

}  // namespace

StatusOr<KronData> ParseKron(std::string_view text, const std::string& name) {
  KronData d;
  d.source = name;
  LineCursor cursor(text);
  std::string_view line;
  bool header = false;
  while (cursor.Next(&line)) {
    if (IsSkipped(line)) continue;
    const TextPos pos{name, cursor.line_number()};
    if (!header) {
      PARLEY_RETURN_IF_ERROR(ParseHeader(pos, line, &d));
      header = true;
      continue;
    }
    PARLEY_RETURN_IF_ERROR(ParsePoint(pos, line, &d));
  }
  if (!header) return InvalidArgument(name + ": empty file; expected the header 'kron <d1> <d2>'");
  if (d.rows() == 0) return InvalidArgument(name + ": no points after the header");
  return d;
}

StatusOr<KronData> ReadKron(const std::string& spec) {
  const std::string path = PathOf(spec);
  PARLEY_ASSIGN_OR_RETURN(FileBytes bytes, ReadFileBytes(path));
  return ParseKron(bytes.view(), path);
}

StatusOr<Dataset> KronDenseView(const KronData& data) {
  // The largest |u_a * v_b| of a point is max |u_a| * max |v_b|: O(d1 + d2) per point.
  constexpr double kFloatMax = std::numeric_limits<float>::max();
  auto largest = [](const double* x, size_t n) {
    double m = 0;
    for (size_t k = 0; k < n; ++k) m = std::max(m, std::fabs(x[k]));
    return m;
  };
  for (size_t i = 0; i < data.rows(); ++i) {
    const double x = largest(data.U(i), data.d1) * largest(data.V(i), data.d2);
    const double y = std::fabs(data.y[i]);
    if (x <= kFloatMax && y <= kFloatMax) continue;
    char value[32];
    std::snprintf(value, sizeof value, "%g", std::max(x, y));
    const std::string what = !(x <= kFloatMax) ? "a value u_a * v_b" : "the target";
    return InvalidArgument(data.source + ": point " + std::to_string(i + 1) + ": " + what +
                           " of " + value + " is beyond the range of a float (3.4e38), which " +
                           "the dense models and parley eval hold (twolayer --kron trains in " +
                           "double)");
  }
  return data.DenseView();
}

StatusOr<Dataset> ReadKronDenseView(const std::string& spec) {
  PARLEY_ASSIGN_OR_RETURN(KronData d, ReadKron(spec));
  return KronDenseView(d);
}

bool IsKronFile(const std::string& spec) {
  if (spec.starts_with(kPrefix)) return true;
  StatusOr<std::string> head = ReadFilePrefix(spec, 1 << 16);
  if (!head.ok()) return false;
  LineCursor cursor(*head);
  std::string_view line, tok;
  while (cursor.Next(&line)) {
    if (IsSkipped(line)) continue;
    return NextToken(&line, &tok) && tok == "kron";
  }
  return false;
}

Status WriteKron(const KronData& data, const std::string& path) {
  PARLEY_RETURN_IF_ERROR(CheckKronData(data));
  AtomicFileWriter w(path);
  PARLEY_RETURN_IF_ERROR(w.Open());
  w.Append("# parley Kronecker points (docs/kron.md): x = u (x) v; each line: y u_1..u_d1 | v_1..v_d2\n");
  w.Append("kron " + std::to_string(data.d1) + " " + std::to_string(data.d2) + "\n");
  for (size_t i = 0; i < data.rows(); ++i) {
    std::string& out = w.buffer();
    AppendDouble(out, data.y[i]);
    for (size_t a = 0; a < data.d1; ++a) {
      out.push_back(' ');
      AppendDouble(out, data.U(i)[a]);
    }
    out.append(" |");
    for (size_t b = 0; b < data.d2; ++b) {
      out.push_back(' ');
      AppendDouble(out, data.V(i)[b]);
    }
    out.push_back('\n');
    w.MaybeFlush();
  }
  return w.Commit();
}

}  // namespace parley
