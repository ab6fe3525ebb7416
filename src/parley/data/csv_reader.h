// Reader for dense numeric CSV files: one row per line, comma-separated numbers, an optional
// header line, the label in one column (or none). gzip-compressed files are read
// transparently.
#pragma once

#include <string>
#include <string_view>

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

}  // namespace parley
