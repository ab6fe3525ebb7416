// IDX files (MNIST's format), read from a file: the bytes are an images file. Each input is
// read as a 1-d and a 3-d IDX file (ReadIdxFile); when it is a valid images file, it is paired
// with a labels file of as many items and read whole (ReadIdx) and streamed (RowReader, as an
// MPI rank reads it), and the two must give the same rows.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "fuzz_util.h"
#include "parley/data/idx_reader.h"
#include "parley/data/row_reader.h"

namespace {

constexpr uint32_t kMaxLabels = 1 << 16;  // the labels file written for a valid images file

std::string LabelsFile(uint32_t n) {
  std::string b = {0, 0, 8, 1};
  for (int shift = 24; shift >= 0; shift -= 8) b += static_cast<char>((n >> shift) & 0xff);
  for (uint32_t i = 0; i < n; ++i) b += static_cast<char>(i % 10);
  return b;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using parley::fuzz::ScratchDir;
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  const std::string images = ScratchDir::Get().Write("fuzz-images-idx3-ubyte", bytes);
  parley::StatusOr<parley::IdxArray> one = parley::ReadIdxFile(images, 1);
  if (one.ok()) {
    PARLEY_FUZZ_CHECK(one->dims.size() == 1 && one->data.size() == one->dims[0], "1-d size");
  }
  parley::StatusOr<parley::IdxArray> three = parley::ReadIdxFile(images, 3);
  if (!three.ok()) return 0;
  PARLEY_FUZZ_CHECK(three->dims.size() == 3, "3 dims");
  const std::vector<uint32_t>& dims = three->dims;
  PARLEY_FUZZ_CHECK(three->data.size() == uint64_t{dims[0]} * dims[1] * dims[2],
                    "the data the header promises");
  const uint32_t n = three->dims[0];
  if (n > kMaxLabels) return 0;
  const std::string labels = ScratchDir::Get().Write("fuzz-labels-idx1-ubyte", LabelsFile(n));
  parley::StatusOr<parley::Dataset> whole = parley::ReadIdx(images, labels);
  parley::IdMap users, items;
  parley::StatusOr<std::unique_ptr<parley::RowReader>> stream =
      parley::RowReader::Open("idx:" + images + "," + labels, users, items);
  PARLEY_FUZZ_CHECK(whole.ok() == stream.ok(), "ReadIdx and RowReader agree on opening: " +
                    (whole.ok() ? stream.status().message() : whole.status().message()));
  if (!whole.ok()) return 0;
  parley::fuzz::CheckDataset(*whole);
  PARLEY_FUZZ_CHECK(whole->rows() == n, "one row per image");
  const size_t cols = whole->dense.cols;
  for (size_t r = 0;; ++r) {
    const parley::Dataset* row = nullptr;
    parley::Status s = (*stream)->Next(&row);
    PARLEY_FUZZ_CHECK(s.ok(), "RowReader fails where ReadIdx did not: " + s.message());
    if (row == nullptr) {
      PARLEY_FUZZ_CHECK(r == n, "as many rows streamed");
      break;
    }
    PARLEY_FUZZ_CHECK(r < n && row->dense.cols == cols && row->rows() == 1, "row shape");
    PARLEY_FUZZ_CHECK(std::equal(row->dense.x.begin(), row->dense.x.end(),
                                 whole->dense.x.begin() + static_cast<ptrdiff_t>(r * cols)) &&
                          row->label[0] == whole->label[r],
                      "row " + std::to_string(r) + " streamed as read whole");
  }
  return 0;
}
