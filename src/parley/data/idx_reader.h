// Reader for IDX files (MNIST, Fashion-MNIST): a big-endian header of magic 0x000008NN (type
// 0x08 = unsigned byte, NN = number of dimensions), NN uint32 dimension sizes, then the data.
// Files may be plain or gzipped (detected by the magic bytes 1f 8b).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "parley/core/status.h"
#include "parley/data/file_io.h"
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

// The images of an IDX images file (magic 0x00000803) one at a time, for readers that stream
// through a file (RowReader): the checks of ReadIdxFile(path, 3) with the same messages, the
// data size checked when the images run out.
class IdxImageStream {
 public:
  // Opens the file and checks its header. Errors: ReadIdxFile's for the header and magic.
  static StatusOr<std::unique_ptr<IdxImageStream>> Open(const std::string& path);
  uint32_t count() const { return dims_[0]; }
  size_t pixels() const { return size_t{dims_[1]} * dims_[2]; }  // bytes per image
  // Reads the next image's pixels() bytes into *pixels (resized to pixels(), growing as the
  // bytes arrive, so a header's size costs memory only once the file holds it) and sets *got;
  // after the last image *got is false. Errors: ReadIdxFile's for a file shorter or longer
  // than its header says.
  Status Next(std::vector<uint8_t>* pixels, bool* got);

 private:
  IdxImageStream(std::string path, std::unique_ptr<FileStream> file) : path_(std::move(path)), file_(std::move(file)) {}
  Status SizeError();  // reads to the end and reports the truncated or trailing data
  std::string path_;
  std::unique_ptr<FileStream> file_;
  uint32_t dims_[3] = {0, 0, 0};
  uint32_t next_ = 0;
};

// The labels file that belongs to an images file by MNIST naming: "images-idx3" replaced by
// "labels-idx1" (train-images-idx3-ubyte.gz -> train-labels-idx1-ubyte.gz); empty if the
// name does not contain "images-idx3".
std::string IdxLabelsPathFor(const std::string& images_path);

}  // namespace parley
