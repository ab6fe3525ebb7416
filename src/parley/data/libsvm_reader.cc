#include "parley/data/libsvm_reader.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <limits>

#include "parley/data/file_io.h"
#include "parley/data/text_scan.h"

namespace parley {
namespace {

// Parses one "index:value" token, appending to `rows`. `prev` is the previous 1-based index
// in the row (0 at the start).
Status ParseFeature(const TextPos& pos, std::string_view token, int64_t* prev, SparseRows* rows,
                    uint32_t max_features) {
  const size_t colon = token.find(':');
  if (colon == std::string_view::npos) {
    return LineError(pos, "malformed feature " + Quote(token) + "; expected index:value");
  }
  const std::string_view idx_text = token.substr(0, colon);
  const std::string_view val_text = token.substr(colon + 1);
  int64_t idx = 0;
  if (ParseInt64(idx_text, &idx) != NumberError::kOk) {
    if (idx_text.empty()) {
      return LineError(pos, "malformed feature " + Quote(token) + "; expected index:value");
    }
    return LineError(pos, "feature index " + Quote(idx_text) + " is not an integer");
  }
  if (idx <= 0) {
    return LineError(pos, "feature index " + std::to_string(idx) + "; LIBSVM indices start at 1");
  }
  if (idx > int64_t{std::numeric_limits<uint32_t>::max()}) {
    return LineError(pos, "feature index " + std::to_string(idx) + " is out of range");
  }
  if (idx > int64_t{max_features}) {
    char gib[32];
    std::snprintf(gib, sizeof(gib), "%.1f", static_cast<double>(idx) * 8 / (1u << 30));
    return LineError(pos, "feature index " + std::to_string(idx) + " is above the limit of " +
                              std::to_string(max_features) +
                              " features: a model that wide holds " + gib +
                              " GiB per parameter copy (8 bytes a feature; every worker holds "
                              "one). Raise --max-features if the data is meant to be that wide");
  }
  if (idx <= *prev) {
    return LineError(pos, "feature index " + std::to_string(idx) + " after " +
                              std::to_string(*prev) + "; indices must be strictly increasing");
  }
  float v = 0;
  if (ParseFloat(val_text, &v) != NumberError::kOk) {
    return ParseFiniteFloat(pos, "value of feature " + std::to_string(idx), val_text, &v);
  }
  *prev = idx;
  rows->col.push_back(static_cast<uint32_t>(idx - 1));
  rows->val.push_back(v);
  return OkStatus();
}

// Parses one non-blank line (comment already removed) into a row and its label.
Status ParseRow(const TextPos& pos, std::string_view line, SparseRows* rows,
                Column<float>* labels, uint32_t max_features) {
  std::string_view token;
  NextToken(&line, &token);
  if (token.find(':') != std::string_view::npos) {
    return LineError(pos, "missing label; the line starts with feature " + Quote(token));
  }
  float label = 0;
  if (ParseFloat(token, &label) != NumberError::kOk) {
    return ParseFiniteFloat(pos, "label", token, &label);
  }
  int64_t prev = 0;
  while (NextToken(&line, &token)) {
    if (token.starts_with("qid:")) continue;
    PARLEY_RETURN_IF_ERROR(ParseFeature(pos, token, &prev, rows, max_features));
  }
  labels->push_back(label);
  rows->row_ptr.push_back(rows->col.size());
  return OkStatus();
}

}  // namespace

Status LibsvmParser::Line(size_t line_number, std::string_view line, Dataset* out, bool* row) {
  *row = false;
  const void* hash = std::memchr(line.data(), '#', line.size());
  if (hash != nullptr) line = line.substr(0, static_cast<const char*>(hash) - line.data());
  if (Trim(line).empty()) return OkStatus();
  SparseRows& rows = out->sparse;
  const size_t begin = rows.col.size();
  PARLEY_RETURN_IF_ERROR(ParseRow({name_, line_number}, line, &rows, &out->label, max_features_));
  // Indices increase within a row: its last one is its largest.
  if (rows.col.size() > begin) max_index_ = std::max(max_index_, rows.col.back() + 1);
  *row = true;
  return OkStatus();
}

Status LibsvmParser::Finish(size_t rows) const {
  if (rows == 0) return InvalidArgument(std::string(name_) + ": empty file; no LIBSVM rows found");
  return OkStatus();
}

namespace {

StatusOr<Dataset> ParseLibsvmLines(FileLines& lines, std::string_view name,
                                   uint32_t min_features, uint32_t max_features) {
  Dataset d;
  d.kind = Dataset::Kind::kSparse;
  d.source = std::string(name);
  SparseRows& rows = d.sparse;
  // Upper bounds that make the vectors grow at most once (text in memory). A row takes at
  // least 2 bytes ("1\n"), so blank lines cannot make the reservation outgrow the file.
  const std::string_view text = lines.text();
  size_t newlines = 0, colons = 0;
  for (char c : text) newlines += c == '\n', colons += c == ':';
  const size_t max_rows = std::min(newlines, text.size() / 2) + 1;
  rows.row_ptr.reserve(max_rows + 1);
  d.label.reserve(max_rows);
  rows.col.reserve(colons);
  rows.val.reserve(colons);

  LibsvmParser parser(name, max_features);
  std::string_view line;
  bool row = false;
  while (lines.Next(&line)) PARLEY_RETURN_IF_ERROR(parser.Line(lines.line_number(), line, &d, &row));
  PARLEY_RETURN_IF_ERROR(lines.status());
  PARLEY_RETURN_IF_ERROR(parser.Finish(d.label.size()));
  rows.num_features = std::max(parser.max_index(), min_features);
  return d;
}

}  // namespace

StatusOr<Dataset> ParseLibsvm(std::string_view text, std::string_view name, uint32_t min_features,
                              uint32_t max_features) {
  FileLines lines(text, name);
  return ParseLibsvmLines(lines, name, min_features, max_features);
}

StatusOr<Dataset> ReadLibsvm(const std::string& path, uint32_t min_features,
                             uint32_t max_features) {
  PARLEY_ASSIGN_OR_RETURN(std::unique_ptr<FileLines> lines, FileLines::Open(path));
  return ParseLibsvmLines(*lines, path, min_features, max_features);
}

}  // namespace parley
