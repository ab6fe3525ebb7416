// Any data file by name (ReadDataset, the entry point of `parley train --data`), whole and
// streamed (RowReader, as an MPI rank reads its shard): the first byte picks the name and so
// the reader (LIBSVM, dense CSV, ratings, or sniffed from the first line), half of them gzip
// names; the rest is the file. The seeds of the .gz names are gzip files, so zlib's
// decompression and the readers' handling of corrupt, truncated and concatenated gzip data are
// fuzzed too (the readers detect gzip by its magic bytes, whatever the name says). The two
// reads must agree: the same rows, the same width, the same error.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "fuzz_util.h"
#include "parley/data/read.h"
#include "parley/data/row_reader.h"

namespace {

struct Name {
  const char* file;    // written in the scratch directory
  const char* prefix;  // of the spec, before the path
};
constexpr Name kNames[] = {
    {"fuzz.svm.gz", ""},    {"fuzz.csv.gz", ""},     {"fuzz.dat.gz", ""},
    {"fuzz.tsv.gz", "csv:"}, {"fuzz.svm", ""},       {"fuzz.csv", ""},
    {"fuzz.dat", ""},        {"fuzz.csv", "ratings:"},
};

// Row r of `whole` equals the one-row Dataset `row`.
bool SameRow(const parley::Dataset& whole, size_t r, const parley::Dataset& row) {
  using Kind = parley::Dataset::Kind;
  if (row.kind != whole.kind || row.rows() != 1) return false;
  switch (whole.kind) {
    case Kind::kSparse: {
      const auto& s = whole.sparse;
      const uint64_t b = s.row_ptr[r], e = s.row_ptr[r + 1];
      return std::vector<uint32_t>(s.col.begin() + b, s.col.begin() + e) == row.sparse.col &&
             std::vector<float>(s.val.begin() + b, s.val.begin() + e) == row.sparse.val &&
             whole.label[r] == row.label[0];
    }
    case Kind::kDense: {
      const size_t c = whole.dense.cols;
      return row.dense.cols == c &&
             std::equal(row.dense.x.begin(), row.dense.x.end(), whole.dense.row(r)) &&
             whole.label[r] == row.label[0];
    }
    case Kind::kRatings:
      return whole.ratings.user[r] == row.ratings.user[0] &&
             whole.ratings.item[r] == row.ratings.item[0] &&
             whole.ratings.rating[r] == row.ratings.rating[0];
  }
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const Name& name = kNames[data[0] % std::size(kNames)];
  const std::string path = parley::fuzz::ScratchDir::Get().Write(
      name.file, std::string_view(reinterpret_cast<const char*>(data + 1), size - 1));
  const std::string spec = name.prefix + path;

  parley::IdMap users, items;
  parley::StatusOr<parley::Dataset> whole = parley::ReadDataset(spec, users, items);
  if (whole.ok()) parley::fuzz::CheckDataset(*whole);

  parley::IdMap stream_users, stream_items;
  parley::StatusOr<std::unique_ptr<parley::RowReader>> open =
      parley::RowReader::Open(spec, stream_users, stream_items);
  parley::Status error = open.status();
  size_t r = 0;
  if (open.ok()) {
    parley::RowReader& reader = **open;
    for (;; ++r) {
      const parley::Dataset* row = nullptr;
      error = reader.Next(&row);
      if (!error.ok() || row == nullptr) break;
      if (whole.ok()) {
        PARLEY_FUZZ_CHECK(r < whole->rows() && SameRow(*whole, r, *row),
                          "row " + std::to_string(r) + " streamed as read whole");
      }
    }
    if (error.ok() && whole.ok()) {
      const parley::Dataset header = reader.Header();
      PARLEY_FUZZ_CHECK(r == whole->rows(), "as many rows streamed as read whole");
      PARLEY_FUZZ_CHECK(header.kind == whole->kind && header.features() == whole->features() &&
                            header.ratings.num_users == whole->ratings.num_users &&
                            header.ratings.num_items == whole->ratings.num_items,
                        "the header of the stream: the whole read's shape");
    }
  }
  PARLEY_FUZZ_CHECK(error.ok() == whole.ok(),
                    "the whole and the streamed read disagree: whole '" +
                        whole.status().message() + "', streamed '" + error.message() + "'");
  if (!error.ok()) {
    PARLEY_FUZZ_CHECK(error.message() == whole.status().message(),
                      "different errors: whole '" + whole.status().message() + "', streamed '" +
                          error.message() + "'");
  }
  return 0;
}
