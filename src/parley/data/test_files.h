// Test helper: a fresh scratch directory per test, with functions to write small plain or
// gzipped files into it. Only for *_test.cc files.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>
#include <zlib.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include "parley/core/status.h"
#include "parley/data/dataset.h"

namespace parley::testing_files {

// A directory unique to this process and test, removed (with its contents) on destruction.
class ScratchDir {
 public:
  ScratchDir() {
    static std::atomic<int> counter{0};
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    std::string name =
        "parley-data-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
    if (info != nullptr) name += std::string("-") + info->name();
    for (char& c : name) {
      if (c == '/') c = '_';  // parameterised test names hold '/'
    }
    dir_ = std::filesystem::path(::testing::TempDir()) / name;
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;

  std::string Path(const std::string& name) const { return (dir_ / name).string(); }

  // Writes `bytes` to a file `name` in the directory and returns its path.
  std::string Write(const std::string& name, std::string_view bytes) const {
    const std::string p = Path(name);
    std::ofstream(p, std::ios::binary)
        .write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    return p;
  }
  // Writes `bytes` gzip-compressed and returns the path.
  std::string WriteGz(const std::string& name, std::string_view bytes) const {
    const std::string p = Path(name);
    gzFile gz = gzopen(p.c_str(), "wb");
    EXPECT_NE(gz, nullptr);
    if (!bytes.empty()) gzwrite(gz, bytes.data(), static_cast<unsigned>(bytes.size()));
    gzclose(gz);
    return p;
  }

 private:
  std::filesystem::path dir_;
};

// Appends `v` big-endian (IDX headers).
inline void PutU32(std::string& s, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) s.push_back(static_cast<char>((v >> shift) & 0xff));
}

// Expects `s` to be an error whose message contains every one of `parts`.
inline void ExpectErrorWith(const Status& s, const std::vector<std::string>& parts) {
  ASSERT_FALSE(s.ok()) << "expected an error containing '" << (parts.empty() ? "" : parts[0])
                       << "'";
  for (const std::string& p : parts) {
    EXPECT_NE(s.message().find(p), std::string::npos)
        << "message \"" << s.message() << "\" lacks \"" << p << "\"";
  }
}

// Expects a and b to hold the same data: kind, source, widths, users/items, rows (in order),
// labels and true centres.
inline void ExpectSameDataset(const Dataset& a, const Dataset& b) {
  EXPECT_EQ(a.kind, b.kind);
  EXPECT_EQ(a.source, b.source);
  EXPECT_EQ(a.rows(), b.rows());
  EXPECT_EQ(a.sparse.row_ptr, b.sparse.row_ptr);
  EXPECT_EQ(a.sparse.col, b.sparse.col);
  EXPECT_EQ(a.sparse.val, b.sparse.val);
  EXPECT_EQ(a.sparse.num_features, b.sparse.num_features);
  EXPECT_EQ(a.dense.cols, b.dense.cols);
  EXPECT_EQ(a.dense.x, b.dense.x);
  EXPECT_EQ(a.ratings.user, b.ratings.user);
  EXPECT_EQ(a.ratings.item, b.ratings.item);
  EXPECT_EQ(a.ratings.rating, b.ratings.rating);
  EXPECT_EQ(a.ratings.num_users, b.ratings.num_users);
  EXPECT_EQ(a.ratings.num_items, b.ratings.num_items);
  EXPECT_EQ(a.label, b.label);
  EXPECT_EQ(a.true_centres, b.true_centres);
}

}  // namespace parley::testing_files
