// Writers that save a Dataset in the text formats the readers accept, so generated data can
// be stored and read back (`parley gen`). Numbers are written in the shortest form that reads
// back to the same float. Every writer is atomic: it writes `path + ".tmp"` and renames it to
// `path` only when complete, so a failed write leaves any old `path` intact.
#pragma once

#include <string>

#include "parley/core/status.h"
#include "parley/data/dataset.h"

namespace parley {

// Writes a kSparse Dataset as LIBSVM text ("label idx:val ...", 1-based indices).
// Errors: InvalidArgument if the Dataset is not kSparse or the file cannot be written.
Status WriteLibsvm(const Dataset& d, const std::string& path);

// Writes a kRatings Dataset as CSV with the header "userId,movieId,rating"; ids are the
// Dataset's 0-based user and item indices.
// Errors: InvalidArgument if the Dataset is not kRatings or the file cannot be written.
Status WriteRatingsCsv(const Dataset& d, const std::string& path);

// Writes a kDense Dataset as headerless CSV, the label in the first column. If the Dataset
// has true_centres, they are written (one centre per line, no label) to path + ".centres",
// which ReadDenseCsv loads back; otherwise a stale path + ".centres" is removed.
// Errors: InvalidArgument if the Dataset is not kDense, true_centres is not a multiple of the
// column count, or a file cannot be written.
Status WriteDenseCsv(const Dataset& d, const std::string& path);

}  // namespace parley
