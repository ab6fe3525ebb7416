#include "parley/data/idx_reader.h"

#include <algorithm>
#include <cstdio>

#include "parley/data/file_io.h"

namespace parley {
namespace {

uint32_t BigEndian32(std::string_view bytes, size_t offset) {
  auto b = [&](size_t i) { return static_cast<uint32_t>(static_cast<uint8_t>(bytes[offset + i])); };
  return (b(0) << 24) | (b(1) << 16) | (b(2) << 8) | b(3);
}

std::string Hex32(uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%08x", v);
  return buf;
}

std::string DescribeMagic(uint32_t magic) {
  if ((magic >> 16) != 0) return "not an IDX file";
  const uint32_t type = (magic >> 8) & 0xff, dims = magic & 0xff;
  std::string s = "IDX type " + Hex32(type).substr(8) + ", " + std::to_string(dims) + "-d";
  if (magic == 0x00000803) s = "images";
  if (magic == 0x00000801) s = "labels";
  return s;
}

}  // namespace

namespace {

// The data bytes a header promises: the product of its dimensions, which three 32-bit
// dimensions can carry past 2^64 (computed in 128 bits, so a header of 4 x 2^31 x 2^31 is not
// taken for one of 0 bytes).
unsigned __int128 DataBytes(const uint32_t* dims, int n) {
  unsigned __int128 count = 1;
  for (int i = 0; i < n; ++i) count *= dims[i];
  return count;
}

// "47040000", or "4 x 2147483648 x 2147483648" when the product does not fit in 64 bits.
std::string DescribeBytes(const uint32_t* dims, int n) {
  const unsigned __int128 count = DataBytes(dims, n);
  if (count <= UINT64_MAX) return std::to_string(static_cast<uint64_t>(count));
  std::string s;
  for (int i = 0; i < n; ++i) s.append(i ? " x " : "").append(std::to_string(dims[i]));
  return s;
}

Status DataSizeError(const std::string& path, size_t header, const uint32_t* dims, int n,
                     uint64_t have) {
  const bool truncated = have < DataBytes(dims, n);
  return DataLoss(path + ": byte " + std::to_string(header) + ": " +
                  (truncated ? "truncated data" : "trailing data") + ": header promises " +
                  DescribeBytes(dims, n) + " data bytes but the file holds " +
                  std::to_string(have));
}

// Reads `n` bytes, or fewer at the end of the file. The header checks of both readers.
Status ReadHeader(const std::string& path, FileStream& file, uint32_t expected_magic, int dims,
                  uint32_t* out) {
  char head[16];
  const size_t header = 4 + 4 * static_cast<size_t>(dims);
  size_t got = 0;
  PARLEY_RETURN_IF_ERROR(file.Read(head, header, &got));
  const std::string_view bytes(head, got);
  if (got < 4) {
    return DataLoss(path + ": byte 0: file has " + std::to_string(got) +
                    " bytes, too short for an IDX header");
  }
  const uint32_t magic = BigEndian32(bytes, 0);
  if (magic != expected_magic) {
    return InvalidArgument(path + ": byte 0: wrong magic number " + Hex32(magic) + " (" +
                           DescribeMagic(magic) + "), expected " + Hex32(expected_magic) + " (" +
                           DescribeMagic(expected_magic) + ")");
  }
  if (got < header) {
    return DataLoss(path + ": byte " + std::to_string(got) + ": truncated IDX header; expected " +
                    std::to_string(header) + " bytes");
  }
  for (int i = 0; i < dims; ++i) out[i] = BigEndian32(bytes, 4 + 4 * static_cast<size_t>(i));
  return OkStatus();
}

}  // namespace

StatusOr<IdxArray> ReadIdxFile(const std::string& path, int expected_dims) {
  PARLEY_ASSIGN_OR_RETURN(std::unique_ptr<FileStream> file, FileStream::Open(path));
  const uint32_t expected_magic = 0x00000800u | static_cast<uint32_t>(expected_dims);
  uint32_t dims[3] = {0, 0, 0};
  PARLEY_RETURN_IF_ERROR(ReadHeader(path, *file, expected_magic, expected_dims, dims));
  const size_t header = 4 + 4 * static_cast<size_t>(expected_dims);
  const unsigned __int128 count = DataBytes(dims, expected_dims);
  // The data is read in pieces and the array grows as bytes arrive, never to the header's
  // promise at once: a header that promises more than the file holds costs what it holds.
  IdxArray a;
  a.dims.assign(dims, dims + expected_dims);
  constexpr size_t kPiece = size_t{16} << 20;
  size_t got = 0;
  do {
    const size_t at = a.data.size();
    const unsigned __int128 left = count - at;
    if (left == 0) break;
    const size_t piece = std::clamp<size_t>(at, size_t{64} << 10, kPiece);  // doubling
    a.data.resize(at + static_cast<size_t>(std::min<unsigned __int128>(left, piece)));
    PARLEY_RETURN_IF_ERROR(file->Read(reinterpret_cast<char*>(a.data.data() + at),
                                      a.data.size() - at, &got));
    a.data.resize(at + got);
  } while (got > 0);
  uint64_t have = a.data.size();
  if (have == count) {  // anything after the data is an error too: count it without keeping it
    std::string rest(1 << 16, '\0');
    do {
      PARLEY_RETURN_IF_ERROR(file->Read(rest.data(), rest.size(), &got));
      have += got;
    } while (got > 0);
  }
  if (have != count) return DataSizeError(path, header, dims, expected_dims, have);
  return a;
}

StatusOr<Dataset> ReadIdx(const std::string& images_path, const std::string& labels_path) {
  PARLEY_ASSIGN_OR_RETURN(IdxArray images, ReadIdxFile(images_path, 3));
  PARLEY_ASSIGN_OR_RETURN(IdxArray labels, ReadIdxFile(labels_path, 1));
  const uint32_t n = images.dims[0];
  if (n != labels.dims[0]) {
    return InvalidArgument(images_path + ": byte 4: count mismatch: " + std::to_string(n) +
                           " images but " + labels_path + " has " + std::to_string(labels.dims[0]) +
                           " labels");
  }
  const size_t cols = size_t{images.dims[1]} * images.dims[2];
  if (n == 0 || cols == 0) {
    return InvalidArgument(images_path + ": byte 4: empty file: the header declares no images");
  }
  Dataset d;
  d.kind = Dataset::Kind::kDense;
  d.source = images_path;
  d.dense.cols = cols;
  d.dense.x.resize(images.data.size());
  for (size_t i = 0; i < images.data.size(); ++i) {
    d.dense.x[i] = static_cast<float>(images.data[i]) * (1.0f / 255.0f);
  }
  d.label.assign(labels.data.begin(), labels.data.end());
  return d;
}

StatusOr<std::unique_ptr<IdxImageStream>> IdxImageStream::Open(const std::string& path) {
  PARLEY_ASSIGN_OR_RETURN(std::unique_ptr<FileStream> file, FileStream::Open(path));
  uint32_t dims[3];
  PARLEY_RETURN_IF_ERROR(ReadHeader(path, *file, 0x00000803u, 3, dims));
  std::unique_ptr<IdxImageStream> s(new IdxImageStream(path, std::move(file)));
  for (int i = 0; i < 3; ++i) s->dims_[i] = dims[i];
  return s;
}

Status IdxImageStream::SizeError() {
  std::string rest(1 << 16, '\0');
  size_t got = 0;
  do {
    PARLEY_RETURN_IF_ERROR(file_->Read(rest.data(), rest.size(), &got));
  } while (got > 0);
  return DataSizeError(path_, 16, dims_, 3, file_->offset() - 16);
}

Status IdxImageStream::Next(std::vector<uint8_t>* pixels, bool* got) {
  *got = false;
  if (next_ == count()) {  // the end: nothing may follow
    char extra;
    size_t n = 0;
    PARLEY_RETURN_IF_ERROR(file_->Read(&extra, 1, &n));
    return n == 0 ? OkStatus() : SizeError();
  }
  // The first image grows *pixels piece by piece as its bytes arrive (a header may promise
  // images of 2^64 bytes in a file of 16); later ones reuse it.
  constexpr size_t kPiece = size_t{1} << 20;
  const size_t want = this->pixels();
  size_t have = 0;
  while (have < want) {
    if (pixels->size() < want) pixels->resize(std::min(want, have + kPiece));
    size_t n = 0;
    PARLEY_RETURN_IF_ERROR(file_->Read(reinterpret_cast<char*>(pixels->data() + have),
                                       std::min(pixels->size(), want) - have, &n));
    if (n == 0) return SizeError();
    have += n;
  }
  ++next_;
  *got = true;
  return OkStatus();
}

std::string IdxLabelsPathFor(const std::string& images_path) {
  const std::string key = "images-idx3";
  const size_t at = images_path.rfind(key);
  if (at == std::string::npos) return "";
  std::string out = images_path;
  out.replace(at, key.size(), "labels-idx1");
  return out;
}

}  // namespace parley
