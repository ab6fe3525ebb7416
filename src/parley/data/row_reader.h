// Reads a data file one row at a time without holding the file or its rows: the streaming twin
// of ReadDataset, for a process that keeps only some rows (an MPI rank keeps its shard; see
// runtime/load_data.h). Same formats and format detection, the same rows in the same order, the
// same errors (file, line and reason) from the same parsers.
#pragma once

#include <memory>
#include <string>

#include "parley/core/status.h"
#include "parley/data/dataset.h"
#include "parley/data/libsvm_reader.h"

namespace parley {

class RowReader {
 public:
  // Opens the data set named by `spec` as ReadDataset reads it. Ratings ids are remapped
  // through `users` and `items` as ReadDataset does (they must outlive the reader).
  // Errors: those of ReadDataset that come before the first row (a missing file, an IDX
  // header).
  // `max_features`: as ReadLibsvm's.
  static StatusOr<std::unique_ptr<RowReader>> Open(const std::string& spec, IdMap& users, IdMap& items,
                                                   uint32_t max_features = kDefaultMaxFeatures);
  virtual ~RowReader() = default;

  // Reads the next row: *row points to a Dataset of that one row, with the file's kind, source
  // and (dense) width, valid until the next call; at the end of the file *row is nullptr.
  // Errors: ReadDataset's for that row; at the end, ReadDataset's for what it checks after the
  // rows (a file without rows, an IDX file longer than its header says, a dense CSV file's
  // centres file).
  virtual Status Next(const Dataset** row) = 0;

  // After Next has reported the end: the Dataset ReadDataset would have returned, without its
  // rows (Dataset::Empty): kind, source, width (LIBSVM: the largest feature index in the
  // file), users and items so far (ratings), true centres (dense CSV).
  virtual Dataset Header() const = 0;
  // Rows read so far.
  size_t rows() const { return rows_; }

 protected:
  size_t rows_ = 0;
};

}  // namespace parley
