// Reader for IDX files (MNIST, Fashion-MNIST): a big-endian header of magic 0x000008NN (type
// 0x08 = unsigned byte, NN = number of dimensions), NN uint32 dimension sizes, then the data.
// Files may be plain or gzipped (detected by the magic bytes 1f 8b).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "parley/core/status.h"
#include "parley/data/dataset.h"

namespace parley {

// The contents of one unsigned-byte IDX file.
struct IdxArray {
  std::vector<uint32_t> dims;  // e.g. {60000, 28, 28} for images, {60000} for labels
  std::vector<uint8_t> data;   // product(dims) bytes, row-major
};

// Reads one IDX file of unsigned bytes with exactly `expected_dims` dimensions.
// Errors: NotFound for a missing file; InvalidArgument for a wrong magic number (the message
// gives the one found and the one expected, with their byte offset 0); DataLoss when the file
// is shorter or longer than its header says (the message gives the byte offset and sizes) or
// its gzip data is corrupt.
StatusOr<IdxArray> ReadIdxFile(const std::string& path, int expected_dims);

// Reads an images file (magic 0x00000803: n x rows x cols) and its labels file (magic
// 0x00000801: n) into a kDense Dataset with rows*cols columns, pixels scaled to [0, 1] and
// labels 0..255 (class ids); source = images_path.
// Errors: those of ReadIdxFile, and InvalidArgument if the two files hold different
// numbers of items or contain no items.
StatusOr<Dataset> ReadIdx(const std::string& images_path, const std::string& labels_path);

// The labels file that belongs to an images file by MNIST naming: "images-idx3" replaced by
// "labels-idx1" (train-images-idx3-ubyte.gz -> train-labels-idx1-ubyte.gz); empty if the
// name does not contain "images-idx3".
std::string IdxLabelsPathFor(const std::string& images_path);

}  // namespace parley
