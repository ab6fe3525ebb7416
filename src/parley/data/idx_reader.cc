#include "parley/data/idx_reader.h"

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

StatusOr<IdxArray> ReadIdxFile(const std::string& path, int expected_dims) {
  PARLEY_ASSIGN_OR_RETURN(FileBytes file, ReadFileBytes(path));
  const std::string_view bytes = file.view();
  const uint32_t expected_magic = 0x00000800u | static_cast<uint32_t>(expected_dims);
  if (bytes.size() < 4) {
    return DataLoss(path + ": byte 0: file has " + std::to_string(bytes.size()) +
                    " bytes, too short for an IDX header");
  }
  const uint32_t magic = BigEndian32(bytes, 0);
  if (magic != expected_magic) {
    return InvalidArgument(path + ": byte 0: wrong magic number " + Hex32(magic) + " (" +
                           DescribeMagic(magic) + "), expected " + Hex32(expected_magic) + " (" +
                           DescribeMagic(expected_magic) + ")");
  }
  const size_t header = 4 + 4 * static_cast<size_t>(expected_dims);
  if (bytes.size() < header) {
    return DataLoss(path + ": byte " + std::to_string(bytes.size()) +
                    ": truncated IDX header; expected " + std::to_string(header) + " bytes");
  }
  IdxArray a;
  uint64_t count = 1;
  for (int i = 0; i < expected_dims; ++i) {
    a.dims.push_back(BigEndian32(bytes, 4 + 4 * static_cast<size_t>(i)));
    count *= a.dims.back();
  }
  const uint64_t have = bytes.size() - header;
  if (have != count) {
    return DataLoss(path + ": byte " + std::to_string(header) + ": " +
                    (have < count ? "truncated data" : "trailing data") + ": header promises " +
                    std::to_string(count) + " data bytes but the file holds " +
                    std::to_string(have));
  }
  a.data.assign(bytes.begin() + static_cast<std::ptrdiff_t>(header), bytes.end());
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
  constexpr uint32_t kMagic = 0x00000803u;
  constexpr size_t kHeader = 16;
  char head[kHeader];
  size_t got = 0;
  PARLEY_RETURN_IF_ERROR(file->Read(head, kHeader, &got));
  const std::string_view bytes(head, got);
  if (got < 4) {
    return DataLoss(path + ": byte 0: file has " + std::to_string(got) +
                    " bytes, too short for an IDX header");
  }
  const uint32_t magic = BigEndian32(bytes, 0);
  if (magic != kMagic) {
    return InvalidArgument(path + ": byte 0: wrong magic number " + Hex32(magic) + " (" +
                           DescribeMagic(magic) + "), expected " + Hex32(kMagic) + " (" +
                           DescribeMagic(kMagic) + ")");
  }
  if (got < kHeader) {
    return DataLoss(path + ": byte " + std::to_string(got) +
                    ": truncated IDX header; expected " + std::to_string(kHeader) + " bytes");
  }
  std::unique_ptr<IdxImageStream> s(new IdxImageStream(path, std::move(file)));
  for (int i = 0; i < 3; ++i) s->dims_[i] = BigEndian32(bytes, 4 + 4 * static_cast<size_t>(i));
  return s;
}

Status IdxImageStream::SizeError() {
  std::string rest(1 << 16, '\0');
  size_t got = 0;
  do {
    PARLEY_RETURN_IF_ERROR(file_->Read(rest.data(), rest.size(), &got));
  } while (got > 0);
  const uint64_t count = uint64_t{dims_[0]} * dims_[1] * dims_[2];
  const uint64_t have = file_->offset() - 16;
  return DataLoss(path_ + ": byte 16: " + (have < count ? "truncated data" : "trailing data") +
                  ": header promises " + std::to_string(count) + " data bytes but the file holds " +
                  std::to_string(have));
}

Status IdxImageStream::Next(uint8_t* pixels, bool* got) {
  *got = false;
  if (next_ == count()) {  // the end: nothing may follow
    char extra;
    size_t n = 0;
    PARLEY_RETURN_IF_ERROR(file_->Read(&extra, 1, &n));
    return n == 0 ? OkStatus() : SizeError();
  }
  size_t n = 0;
  PARLEY_RETURN_IF_ERROR(file_->Read(reinterpret_cast<char*>(pixels), this->pixels(), &n));
  if (n < this->pixels()) return SizeError();
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
