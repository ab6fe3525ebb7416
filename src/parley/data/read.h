// One entry point that reads any supported data file, choosing the reader from the name.
#pragma once

#include <cstdint>
#include <string>

#include "parley/core/status.h"
#include "parley/data/dataset.h"
#include "parley/data/libsvm_reader.h"
#include "parley/data/ratings_reader.h"

namespace parley {

// Reads the data set named by `spec`, "[format:]path":
//  - "libsvm:PATH", "ratings:PATH", "csv:PATH" (dense CSV, label in column 0) pick the
//    reader; "ratings(USER,ITEM,RATING):PATH" also names the columns (RatingsColumns: header
//    names or column numbers from 1), as in ratings(customer,product,stars):sales.csv; "idx:IMAGES" reads an IDX images file and the labels file named like it
//    (IdxLabelsPathFor), "idx:IMAGES,LABELS" names both.
//  - Without a prefix: a name containing "images-idx3" is IDX; a name ending in .csv, .tsv
//    or .dat (optionally .gz) is sniffed: ratings if its first line holds "::" or a header
//    naming user, item and rating columns, else dense CSV for .csv/.tsv and LIBSVM for .dat;
//    anything else (.svm, .libsvm, .txt, .t, no extension) is LIBSVM.
// `users` and `items` are used only for ratings (see ReadRatings); `min_features` and
// `max_features` only for LIBSVM (see ReadLibsvm).
// Errors: those of the chosen reader; NotFound if the file does not exist.
StatusOr<Dataset> ReadDataset(const std::string& spec, IdMap& users, IdMap& items,
                              uint32_t min_features = 0,
                              uint32_t max_features = kDefaultMaxFeatures);

// A data set named as ReadDataset takes it, resolved: the reader it needs and its file(s).
struct DataFile {
  enum class Format { kLibsvm, kRatings, kIdx, kCsv };
  Format format = Format::kLibsvm;
  std::string path;
  std::string labels;  // kIdx: the labels file
  RatingsColumns columns;  // kRatings: as named in the spec (empty: detected)
};
// Errors: a file that cannot be sniffed (NotFound, ...), an IDX images file without a labels
// file to go with it, a "ratings(...)" prefix that does not name three columns.
StatusOr<DataFile> ResolveDataFile(const std::string& spec);

// As above with fresh id maps, for a single file.
StatusOr<Dataset> ReadDataset(const std::string& spec);

}  // namespace parley
