// Reader for LIBSVM / SVMlight text files:
//   <label> [qid:<n>] <index>:<value> <index>:<value> ... [# comment]
// Indices are 1-based in the file and stored 0-based; `qid:` tokens and '#' comments are
// ignored; blank lines are skipped. gzip-compressed files are read transparently.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "parley/core/status.h"
#include "parley/data/dataset.h"

namespace parley {

// The widest model a LIBSVM file may imply unless the user raises it (--max-features): 2^26
// features, 512 MiB per parameter copy (8 bytes a feature; every worker holds a copy). The
// widest public sets fit (kddb: 29,890,095 features); an index beyond it is far more often a
// corrupt or hostile file (index 4294967295 asks for 32 GiB) than a real model.
inline constexpr uint32_t kDefaultMaxFeatures = uint32_t{1} << 26;

// Reads a LIBSVM file into a kSparse Dataset (source = path). Labels are stored as written
// (0/1, -1/+1, class ids or regression targets). num_features = max(largest index in the
// file, min_features), so a test file can be given its training file's width.
// Errors (InvalidArgument, "<path>:<line>: <reason>"): a missing or non-numeric label, a
// token that is not index:value, a non-integer index, index 0, indices not strictly
// increasing within a row, a NaN, Inf or non-numeric value, an index above `max_features`
// (naming the memory it implies and --max-features), a file without rows; NotFound if the
// file does not exist; DataLoss for corrupt gzip data.
StatusOr<Dataset> ReadLibsvm(const std::string& path, uint32_t min_features = 0,
                             uint32_t max_features = kDefaultMaxFeatures);

// As ReadLibsvm, from text already in memory; `name` is used in messages and as source.
StatusOr<Dataset> ParseLibsvm(std::string_view text, std::string_view name,
                              uint32_t min_features = 0,
                              uint32_t max_features = kDefaultMaxFeatures);

// ParseLibsvm one line at a time, for readers that stream through a file (RowReader): Line()
// takes the file's lines in order and appends each row to a kSparse Dataset; Finish() gives
// ParseLibsvm's error for a file without rows. The errors are ParseLibsvm's.
class LibsvmParser {
 public:
  explicit LibsvmParser(std::string_view name, uint32_t max_features = kDefaultMaxFeatures)
      : name_(name), max_features_(max_features) {}
  // Parses line `line_number` (1-based); a line with a row (not blank, not only a comment)
  // appends it to *out and sets *row. REQUIRES: out->kind == kSparse.
  Status Line(size_t line_number, std::string_view line, Dataset* out, bool* row);
  // After the last line; `rows`: how many rows the lines held.
  Status Finish(size_t rows) const;
  // The largest feature index seen (1-based; 0 before any feature).
  uint32_t max_index() const { return max_index_; }

 private:
  std::string_view name_;
  uint32_t max_features_;
  uint32_t max_index_ = 0;
};

}  // namespace parley
