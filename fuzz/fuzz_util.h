// Helpers shared by the libFuzzer targets of this directory (docs/reliability.md): a scratch
// directory for readers that take a path, a check that aborts with a message (so libFuzzer
// records the input), and the invariants every Dataset a reader returns must hold.
#pragma once

#include <stdlib.h>  // mkdtemp

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include "parley/data/dataset.h"

namespace parley::fuzz {

// Aborts (a finding) with `what` when `cond` is false: an invariant of a reader's output or an
// inconsistency between two readers of the same bytes.
#define PARLEY_FUZZ_CHECK(cond, what)                                                   \
  do {                                                                                  \
    if (!(cond)) {                                                                      \
      std::fprintf(stderr, "%s:%d: fuzz check failed: %s (%s)\n", __FILE__, __LINE__, #cond, \
                   std::string(what).c_str());                                          \
      std::abort();                                                                     \
    }                                                                                   \
  } while (0)

// A directory of this process's own under $TMPDIR (or /tmp), removed at exit, for readers
// that take a path: each input is written to a file there (the readers' in-memory entry
// points are used where they exist). Not thread-safe; libFuzzer runs one input at a time.
class ScratchDir {
 public:
  static ScratchDir& Get() {
    static ScratchDir dir;
    return dir;
  }
  // Writes `bytes` to `name` in the directory (replacing it) and returns its path.
  std::string Write(const std::string& name, std::string_view bytes) const {
    const std::string path = (dir_ / name).string();
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    out.close();
    PARLEY_FUZZ_CHECK(out.good(), "cannot write " + path);
    return path;
  }
  std::string Path(const std::string& name) const { return (dir_ / name).string(); }

 private:
  ScratchDir() {
    const char* tmp = std::getenv("TMPDIR");
    std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/parley-fuzz-XXXXXX";
    PARLEY_FUZZ_CHECK(::mkdtemp(pattern.data()) != nullptr, "mkdtemp " + pattern);
    dir_ = pattern;
  }
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  std::filesystem::path dir_;
};

// What every Dataset a reader returns promises (dataset.h): one label per row, rows of the
// declared width, sparse indices strictly increasing and below the width, ratings' ids below
// the map sizes, and no NaN or Inf anywhere.
inline void CheckDataset(const Dataset& d) {
  const size_t rows = d.rows();
  switch (d.kind) {
    case Dataset::Kind::kSparse: {
      const SparseRows& s = d.sparse;
      PARLEY_FUZZ_CHECK(!s.row_ptr.empty() && s.row_ptr.front() == 0, "row_ptr starts at 0");
      PARLEY_FUZZ_CHECK(s.row_ptr.back() == s.col.size() && s.col.size() == s.val.size(),
                        "row_ptr, col and val agree");
      for (size_t r = 0; r < rows; ++r) {
        PARLEY_FUZZ_CHECK(s.row_ptr[r] <= s.row_ptr[r + 1], "row_ptr is non-decreasing");
        for (uint64_t k = s.row_ptr[r]; k < s.row_ptr[r + 1]; ++k) {
          PARLEY_FUZZ_CHECK(s.col[k] < s.num_features, "index below num_features");
          PARLEY_FUZZ_CHECK(k == s.row_ptr[r] || s.col[k - 1] < s.col[k], "indices increase");
          PARLEY_FUZZ_CHECK(std::isfinite(s.val[k]), "finite value");
        }
      }
      PARLEY_FUZZ_CHECK(d.label.size() == rows, "one label per row");
      break;
    }
    case Dataset::Kind::kDense:
      PARLEY_FUZZ_CHECK(d.dense.cols > 0 || d.dense.x.empty(), "width of a non-empty matrix");
      PARLEY_FUZZ_CHECK(d.dense.cols == 0 || d.dense.x.size() % d.dense.cols == 0,
                        "whole rows");
      for (float v : d.dense.x) PARLEY_FUZZ_CHECK(std::isfinite(v), "finite value");
      PARLEY_FUZZ_CHECK(d.label.size() == rows, "one label per row");
      break;
    case Dataset::Kind::kRatings: {
      const Ratings& r = d.ratings;
      PARLEY_FUZZ_CHECK(r.user.size() == rows && r.item.size() == rows, "one triple per row");
      for (size_t i = 0; i < rows; ++i) {
        PARLEY_FUZZ_CHECK(r.user[i] < r.num_users && r.item[i] < r.num_items, "ids mapped");
        PARLEY_FUZZ_CHECK(std::isfinite(r.rating[i]), "finite rating");
      }
      PARLEY_FUZZ_CHECK(d.label.empty(), "ratings have no labels");
      break;
    }
  }
  for (float y : d.label) PARLEY_FUZZ_CHECK(std::isfinite(y), "finite label");
}

}  // namespace parley::fuzz
