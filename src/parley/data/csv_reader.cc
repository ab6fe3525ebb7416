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

Status CsvParser::Line(size_t line_number, std::string_view line, Dataset* out, bool* row) {
  *row = false;
  if (Trim(line).empty()) return OkStatus();
  const TextPos pos{name_, line_number};
  SplitFields(line, ",", &fields_);
  if (num_fields_ == 0) {
    num_fields_ = fields_.size();
    if (label_column_ >= static_cast<int>(num_fields_)) {
      return LineError(pos, "label column " + std::to_string(label_column_) +
                                " does not exist; rows have " + std::to_string(num_fields_) +
                                " columns");
    }
    out->dense.cols = num_fields_ - (label_column_ >= 0 ? 1 : 0);
    if (out->dense.cols == 0) return LineError(pos, "rows have a label but no features");
    if (header_ == CsvHeader::kYes || (header_ == CsvHeader::kAuto && IsHeader(fields_))) {
      header_line_ = pos.line;
      return OkStatus();
    }
  }
  PARLEY_RETURN_IF_ERROR(ParseRow(pos, fields_, num_fields_, label_column_, out));
  *row = true;
  return OkStatus();
}

Status CsvParser::Finish(size_t rows) const {
  if (rows > 0) return OkStatus();
  if (header_line_ != 0) return LineError({name_, header_line_}, "empty file: a header but no rows");
  return InvalidArgument(std::string(name_) + ": empty file; no CSV rows found");
}

namespace {

StatusOr<Dataset> ParseDenseCsvLines(FileLines& lines, std::string_view name, int label_column,
                                     CsvHeader header) {
  Dataset d;
  d.kind = Dataset::Kind::kDense;
  d.source = std::string(name);
  if (label_column < -1) {
    return InvalidArgument(std::string(name) + ": label column " + std::to_string(label_column) +
                           " is invalid; use -1 for no label");
  }
  CsvParser parser(name, label_column, header);
  const std::string_view text = lines.text();
  std::string_view line;
  bool row = false, reserved = false;
  while (lines.Next(&line)) {
    PARLEY_RETURN_IF_ERROR(parser.Line(lines.line_number(), line, &d, &row));
    if (!reserved && d.dense.cols > 0 && !text.empty()) {  // the first row told the width
      reserved = true;
      // Every value takes at least 2 bytes ("0," or "0\n"): the text bounds the values, so a
      // wide first line followed by short ones cannot reserve more than the file holds.
      const size_t all_lines = static_cast<size_t>(std::count(text.begin(), text.end(), '\n')) + 1;
      const size_t values = std::min(all_lines * d.dense.cols, text.size() / 2 + 1);
      d.dense.x.reserve(values);
      d.label.reserve(std::min(all_lines, values / d.dense.cols + 1));
    }
  }
  PARLEY_RETURN_IF_ERROR(lines.status());
  PARLEY_RETURN_IF_ERROR(parser.Finish(d.label.size()));
  return d;
}

}  // namespace

StatusOr<Dataset> ParseDenseCsv(std::string_view text, std::string_view name, int label_column,
                                CsvHeader header) {
  FileLines lines(text, name);
  return ParseDenseCsvLines(lines, name, label_column, header);
}

Status ReadCsvCentres(const std::string& path, Dataset* out) {
  const std::string centres_path = path + ".centres";
  if (!FileExists(centres_path)) return OkStatus();
  PARLEY_ASSIGN_OR_RETURN(std::unique_ptr<FileLines> clines, FileLines::Open(centres_path));
  PARLEY_ASSIGN_OR_RETURN(Dataset c,
                          ParseDenseCsvLines(*clines, centres_path, -1, CsvHeader::kNo));
  if (c.dense.cols != out->dense.cols) {
    return LineError({centres_path, 1}, "centres have " + std::to_string(c.dense.cols) +
                                            " columns but " + path + " has " +
                                            std::to_string(out->dense.cols) + " features");
  }
  out->true_centres = c.dense.x.ToVector();
  return OkStatus();
}

StatusOr<Dataset> ReadDenseCsv(const std::string& path, int label_column, CsvHeader header) {
  PARLEY_ASSIGN_OR_RETURN(std::unique_ptr<FileLines> lines, FileLines::Open(path));
  PARLEY_ASSIGN_OR_RETURN(Dataset d, ParseDenseCsvLines(*lines, path, label_column, header));
  PARLEY_RETURN_IF_ERROR(ReadCsvCentres(path, &d));
  return d;
}

}  // namespace parley
