// In-memory training and test data. One Dataset holds one of three layouts:
//  - kSparse: CSR rows of (0-based feature index, value) and a label per row (LIBSVM);
//  - kDense: row-major float rows and a label per row (IDX images, dense CSV, K-means points);
//  - kRatings: (user, item, rating) triples with users and items remapped to 0..n-1.
// Labels: for binary tasks a row is positive iff label > 0 (so 0/1 and -1/+1 both work); for
// multiclass tasks labels are integers 0..C-1; regression targets are stored as is.
// A Dataset is immutable after loading and safe to read from many threads. Its arrays are
// Columns (column.h): owned, or borrowed from memory the Python module hands in (no copy).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "parley/data/column.h"

namespace parley {

struct SparseRows {
  Column<uint64_t> row_ptr{0};       // size rows + 1
  Column<uint32_t> col;              // 0-based feature indices, strictly increasing per row
  Column<float> val;
  uint32_t num_features = 0;

  size_t rows() const { return row_ptr.size() - 1; }
  size_t nnz() const { return col.size(); }
};

struct DenseRows {
  Column<float> x;  // rows * cols, row-major
  size_t cols = 0;

  size_t rows() const { return cols == 0 ? 0 : x.size() / cols; }
  const float* row(size_t i) const { return x.data() + i * cols; }
};

// Maps external user/item ids (as found in the file) to dense indices 0..n-1. Shared between
// a training and a test file so that the same user gets the same index.
struct IdMap {
  std::unordered_map<int64_t, uint32_t> index;
  std::vector<int64_t> external;  // index -> external id
  uint32_t GetOrAdd(int64_t id);
  size_t size() const { return external.size(); }
};

struct Ratings {
  Column<uint32_t> user;
  Column<uint32_t> item;
  Column<float> rating;
  uint32_t num_users = 0;  // upper bounds on the indices (size of the id maps)
  uint32_t num_items = 0;

  size_t rows() const { return rating.size(); }
};

struct Dataset {
  enum class Kind { kSparse, kDense, kRatings };

  Kind kind = Kind::kDense;
  std::string source;  // file name or generator description, for messages
  SparseRows sparse;
  DenseRows dense;
  Ratings ratings;
  Column<float> label;  // one per row for kSparse and kDense; empty for kRatings
  // Optional ground truth from a generator: K-means centres (k * cols, row-major).
  std::vector<float> true_centres;

  size_t rows() const;
  // Number of input features (sparse or dense columns); 0 for ratings.
  size_t features() const;
  // Number of classes when labels are integers 0..C-1 (max label + 1), else 0; any count
  // above kMaxClasses is given as kMaxClasses + 1.
  int NumClasses() const;
  // A new Dataset with the given rows, in the given order (ratings: triples).
  Dataset Subset(std::span<const uint32_t> rows) const;
  // Appends every row of `other` (same kind and width) after this Dataset's rows.
  void Append(const Dataset& other);
  // The rows removed, everything else (kind, source, width, users/items, centres) kept.
  Dataset Empty() const;
};

// What a model's shape is built from (MakeModel): the kind and width of the training data and
// the few statistics of its rows that a model's dimensions depend on. Describe() computes it
// from rows in memory; a reader that streams through a file adds rows as it parses them
// (Add), without keeping them (an MPI rank that holds only its shard; runtime/load_data.h).
// The most classes a classifier takes (softmax, mlp): labels are class numbers 0..C-1, and a
// label of 10^6 is far likelier a regression target or a stray value than a class.
inline constexpr int kMaxClasses = 1 << 16;

struct DataShape {
  Dataset::Kind kind = Dataset::Kind::kDense;
  std::string source;
  size_t rows = 0;
  size_t features = 0;                     // as Dataset::features()
  uint32_t num_users = 0, num_items = 0;   // kRatings
  // Labels (kSparse, kDense): how many, whether all are integers >= 0, the largest.
  size_t labels = 0;
  bool class_labels = true;
  float max_label = 0;
  float rating_min = 0, rating_max = 0;  // kRatings with rows > 0
  double rating_sum = 0;  // kRatings: the ratings added up in row order, in double

  // As Dataset::NumClasses.
  int NumClasses() const;
  // Counts the rows of `d` (the kind, width and users/items are the caller's to set).
  void Add(const Dataset& d);
  // The shape of `d` with all its rows.
  static DataShape Of(const Dataset& d);
};

}  // namespace parley
