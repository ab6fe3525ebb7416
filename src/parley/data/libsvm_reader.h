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

// Reads a LIBSVM file into a kSparse Dataset (source = path). Labels are stored as written
// (0/1, -1/+1, class ids or regression targets). num_features = max(largest index in the
// file, min_features), so a test file can be given its training file's width.
// Errors (InvalidArgument, "<path>:<line>: <reason>"): a missing or non-numeric label, a
// token that is not index:value, a non-integer index, index 0, indices not strictly
// increasing within a row, a NaN, Inf or non-numeric value, a file without rows; NotFound if
// the file does not exist; DataLoss for corrupt gzip data.
StatusOr<Dataset> ReadLibsvm(const std::string& path, uint32_t min_features = 0);

// As ReadLibsvm, from text already in memory; `name` is used in messages and as source.
StatusOr<Dataset> ParseLibsvm(std::string_view text, std::string_view name,
                              uint32_t min_features = 0);

}  // namespace parley
