// Reader for dense numeric CSV files: one row per line, comma-separated numbers, an optional
// header line, the label in one column (or none). gzip-compressed files are read
// transparently.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "parley/core/status.h"
#include "parley/data/dataset.h"

namespace parley {

enum class CsvHeader {
  kAuto,  // the first line is a header if a non-empty field of it is not a number
  kYes,
  kNo,
};

// Reads a dense CSV file into a kDense Dataset (source = path). `label_column` is the 0-based
// column holding the label; the other columns, in order, are the features. With
// label_column = -1 there is no label column and every label is 0.
// If a file `path + ".centres"` exists (as WriteDenseCsv writes for a mixture), its rows
// (features only, no header, no label) are loaded into true_centres.
// Errors (InvalidArgument, "<path>:<line>: <reason>"): a row whose column count differs from
// the first row's, a non-numeric, NaN or Inf field, a label column that does not exist, a
// file without rows, a centres file whose width differs from the data's; NotFound if the file
// does not exist.
StatusOr<Dataset> ReadDenseCsv(const std::string& path, int label_column = 0,
                               CsvHeader header = CsvHeader::kAuto);

// As ReadDenseCsv, from text in memory (no centres file); `name` is used in messages.
StatusOr<Dataset> ParseDenseCsv(std::string_view text, std::string_view name, int label_column = 0,
                                CsvHeader header = CsvHeader::kAuto);

// ParseDenseCsv one line at a time, for readers that stream through a file (RowReader):
// Line() takes the file's lines in order and appends each row to a kDense Dataset (the first
// row sets out->dense.cols); Finish() gives ParseDenseCsv's error for a file without rows.
// The errors are ParseDenseCsv's. REQUIRES: label_column >= -1 (ParseDenseCsv checks it).
class CsvParser {
 public:
  CsvParser(std::string_view name, int label_column = 0, CsvHeader header = CsvHeader::kAuto)
      : name_(name), label_column_(label_column), header_(header) {}
  // Parses line `line_number` (1-based); a data row appends to *out and sets *row.
  // REQUIRES: out->kind == kDense.
  Status Line(size_t line_number, std::string_view line, Dataset* out, bool* row);
  Status Finish(size_t rows) const;

 private:
  std::string_view name_;
  int label_column_;
  CsvHeader header_;
  std::vector<std::string_view> fields_;
  size_t num_fields_ = 0;  // 0 until the first row is seen
  size_t header_line_ = 0;
};

// The true centres beside a dense CSV file (`path + ".centres"`, as ReadDenseCsv loads them)
// into out->true_centres, if that file exists. Errors: as ReadDenseCsv's for that file.
// REQUIRES: out->dense.cols set (the data's width).
Status ReadCsvCentres(const std::string& path, Dataset* out);

}  // namespace parley
