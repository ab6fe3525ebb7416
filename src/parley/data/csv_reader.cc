#include "parley/data/csv_reader.h"

#include <algorithm>
#include <vector>

#include "parley/data/file_io.h"
#include "parley/data/text_scan.h"

namespace parley {
namespace {

// A header has at least one name: a non-empty field that is not a number.
bool IsHeader(const std::vector<std::string_view>& fields) {
  float unused;
  return std::any_of(fields.begin(), fields.end(), [&](std::string_view f) {
    f = Unquote(f);
    return !f.empty() && ParseFloat(f, &unused) == NumberError::kMalformed;
  });
}

Status ParseRow(const TextPos& pos, const std::vector<std::string_view>& fields, size_t num_fields,
                int label_column, Dataset* d) {
  if (fields.size() != num_fields) {
    return LineError(pos, "wrong column count: found " + std::to_string(fields.size()) +
                              " columns, expected " + std::to_string(num_fields) +
                              " as in the first row");
  }
  float label = 0;
  for (size_t c = 0; c < fields.size(); ++c) {
    const std::string_view f = Unquote(fields[c]);
    float v = 0;
    if (ParseFloat(f, &v) != NumberError::kOk) {
      const std::string what = static_cast<int>(c) == label_column
                                   ? std::string("label")
                                   : "column " + std::to_string(c + 1);
      return ParseFiniteFloat(pos, what, f, &v);
    }
    if (static_cast<int>(c) == label_column) {
      label = v;
    } else {
      d->dense.x.push_back(v);
    }
  }
  d->label.push_back(label);
  return OkStatus();
}

}  // namespace

StatusOr<Dataset> ParseDenseCsv(std::string_view text, std::string_view name, int label_column,
                                CsvHeader header) {
  Dataset d;
  d.kind = Dataset::Kind::kDense;
  d.source = std::string(name);
  if (label_column < -1) {
    return InvalidArgument(std::string(name) + ": label column " + std::to_string(label_column) +
                           " is invalid; use -1 for no label");
  }
  LineCursor cursor(text);
  std::string_view line;
  std::vector<std::string_view> fields;
  size_t num_fields = 0;  // 0 until the first row is seen
  size_t header_line = 0;
  while (cursor.Next(&line)) {
    if (Trim(line).empty()) continue;
    const TextPos pos{name, cursor.line_number()};
    SplitFields(line, ",", &fields);
    if (num_fields == 0) {
      num_fields = fields.size();
      if (label_column >= static_cast<int>(num_fields)) {
        return LineError(pos, "label column " + std::to_string(label_column) +
                                  " does not exist; rows have " + std::to_string(num_fields) +
                                  " columns");
      }
      d.dense.cols = num_fields - (label_column >= 0 ? 1 : 0);
      if (d.dense.cols == 0) return LineError(pos, "rows have a label but no features");
      const size_t lines = static_cast<size_t>(std::count(text.begin(), text.end(), '\n')) + 1;
      d.dense.x.reserve(lines * d.dense.cols);
      d.label.reserve(lines);
      if (header == CsvHeader::kYes || (header == CsvHeader::kAuto && IsHeader(fields))) {
        header_line = pos.line;
        continue;
      }
    }
    PARLEY_RETURN_IF_ERROR(ParseRow(pos, fields, num_fields, label_column, &d));
  }
  if (d.label.empty()) {
    if (header_line != 0) {
      return LineError({name, header_line}, "empty file: a header but no rows");
    }
    return InvalidArgument(std::string(name) + ": empty file; no CSV rows found");
  }
  return d;
}

StatusOr<Dataset> ReadDenseCsv(const std::string& path, int label_column, CsvHeader header) {
  PARLEY_ASSIGN_OR_RETURN(FileBytes text, ReadFileBytes(path));
  PARLEY_ASSIGN_OR_RETURN(Dataset d, ParseDenseCsv(text.view(), path, label_column, header));
  const std::string centres_path = path + ".centres";
  if (FileExists(centres_path)) {
    PARLEY_ASSIGN_OR_RETURN(FileBytes ctext, ReadFileBytes(centres_path));
    PARLEY_ASSIGN_OR_RETURN(Dataset c,
                            ParseDenseCsv(ctext.view(), centres_path, -1, CsvHeader::kNo));
    if (c.dense.cols != d.dense.cols) {
      return LineError({centres_path, 1}, "centres have " + std::to_string(c.dense.cols) +
                                              " columns but " + path + " has " +
                                              std::to_string(d.dense.cols) + " features");
    }
    d.true_centres = std::move(c.dense.x);
  }
  return d;
}

}  // namespace parley
