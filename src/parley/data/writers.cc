#include "parley/data/writers.h"

#include <charconv>
#include <cstdio>

#include "parley/data/file_io.h"

namespace parley {
namespace {

// Appends the shortest decimal that reads back as exactly `v`.
void AppendFloat(std::string& out, float v) {
  char buf[32];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, end);
}

void AppendUint(std::string& out, uint64_t v) {
  char buf[24];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, end);
}

Status WrongKind(const std::string& path, const char* writer, const char* kind) {
  return InvalidArgument(path + ": " + writer + " needs a " + kind + " dataset");
}

// Writes rows*cols floats from `x`, each row prefixed by label[i] if `label` is non-null.
void AppendDenseRows(AtomicFileWriter& w, const float* x, size_t rows, size_t cols,
                     const Column<float>* label) {
  std::string& out = w.buffer();
  for (size_t i = 0; i < rows; ++i) {
    if (label != nullptr) AppendFloat(out, (*label)[i]);
    for (size_t c = 0; c < cols; ++c) {
      if (c > 0 || label != nullptr) out.push_back(',');
      AppendFloat(out, x[i * cols + c]);
    }
    out.push_back('\n');
    w.MaybeFlush();
  }
}

}  // namespace

Status WriteLibsvm(const Dataset& d, const std::string& path) {
  if (d.kind != Dataset::Kind::kSparse) return WrongKind(path, "WriteLibsvm", "sparse");
  AtomicFileWriter w(path);
  PARLEY_RETURN_IF_ERROR(w.Open());
  const SparseRows& s = d.sparse;
  std::string& out = w.buffer();
  for (size_t i = 0; i < s.rows(); ++i) {
    AppendFloat(out, d.label[i]);
    for (uint64_t k = s.row_ptr[i]; k < s.row_ptr[i + 1]; ++k) {
      out.push_back(' ');
      AppendUint(out, uint64_t{s.col[k]} + 1);
      out.push_back(':');
      AppendFloat(out, s.val[k]);
    }
    out.push_back('\n');
    w.MaybeFlush();
  }
  return w.Commit();
}

Status WriteRatingsCsv(const Dataset& d, const std::string& path) {
  if (d.kind != Dataset::Kind::kRatings) return WrongKind(path, "WriteRatingsCsv", "ratings");
  AtomicFileWriter w(path);
  PARLEY_RETURN_IF_ERROR(w.Open());
  const Ratings& r = d.ratings;
  std::string& out = w.buffer();
  out.append("userId,movieId,rating\n");
  for (size_t i = 0; i < r.rows(); ++i) {
    AppendUint(out, r.user[i]);
    out.push_back(',');
    AppendUint(out, r.item[i]);
    out.push_back(',');
    AppendFloat(out, r.rating[i]);
    out.push_back('\n');
    w.MaybeFlush();
  }
  return w.Commit();
}

Status WriteDenseCsv(const Dataset& d, const std::string& path) {
  if (d.kind != Dataset::Kind::kDense) return WrongKind(path, "WriteDenseCsv", "dense");
  const size_t cols = d.dense.cols;
  const std::string centres_path = path + ".centres";
  if (!d.true_centres.empty()) {
    if (cols == 0 || d.true_centres.size() % cols != 0) {
      return InvalidArgument(path + ": " + std::to_string(d.true_centres.size()) +
                             " centre coordinates are not a multiple of " + std::to_string(cols) +
                             " columns");
    }
    AtomicFileWriter c(centres_path);
    PARLEY_RETURN_IF_ERROR(c.Open());
    AppendDenseRows(c, d.true_centres.data(), d.true_centres.size() / cols, cols, nullptr);
    PARLEY_RETURN_IF_ERROR(c.Commit());
  } else {
    std::remove(centres_path.c_str());
  }
  AtomicFileWriter w(path);
  PARLEY_RETURN_IF_ERROR(w.Open());
  AppendDenseRows(w, d.dense.x.data(), d.dense.rows(), cols, &d.label);
  return w.Commit();
}

}  // namespace parley
