#include "parley/data/file_io.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <system_error>
#include <utility>

namespace parley {
namespace {

namespace fs = std::filesystem;

constexpr size_t kReadChunk = size_t{16} << 20;
constexpr size_t kFlushThreshold = size_t{1} << 20;

// Shared by ReadFileBytes and ReadFilePrefix: reads up to max_bytes through zlib, which
// passes non-gzip files through unchanged.
StatusOr<std::string> ReadThroughZlib(const std::string& path, size_t max_bytes) {
  std::error_code ec;
  const fs::file_status st = fs::status(path, ec);
  if (!fs::exists(st)) return NotFound(path + ": no such file");
  if (fs::is_directory(st)) return InvalidArgument(path + ": is a directory, not a data file");

  gzFile gz = gzopen(path.c_str(), "rb");
  if (gz == nullptr) {
    return InvalidArgument(path + ": cannot open: " + std::strerror(errno ? errno : ENOMEM));
  }
  gzbuffer(gz, 1 << 20);
  std::string out;
  const uintmax_t size = fs::file_size(path, ec);
  // One spare byte so that reading a plain file ends without growing the string.
  if (!ec) out.reserve(static_cast<size_t>(std::min<uintmax_t>(size, max_bytes - 1)) + 1);

  size_t used = 0;
  while (used < max_bytes) {
    size_t want = std::min(kReadChunk, max_bytes - used);
    if (out.capacity() > used) want = std::min(want, out.capacity() - used);
    if (out.size() < used + want) out.resize(used + want);
    const int got = gzread(gz, out.data() + used, static_cast<unsigned>(want));
    if (got <= 0) break;
    used += static_cast<size_t>(got);
  }
  out.resize(used);
  int err = Z_OK;
  const char* msg = gzerror(gz, &err);
  const std::string reason = msg ? msg : "";
  gzclose(gz);
  if (err == Z_ERRNO) return InvalidArgument(path + ": read failed: " + std::strerror(errno));
  // A short read because we stopped at max_bytes is not an error.
  if (err != Z_OK && !(used >= max_bytes && err == Z_BUF_ERROR)) {
    return DataLoss(path + ": corrupt or truncated gzip data after " + std::to_string(used) +
                    " decompressed bytes (" + reason + ")");
  }
  return out;
}

}  // namespace

FileBytes& FileBytes::operator=(FileBytes&& o) noexcept {
  if (this != &o) {
    if (map_ != nullptr) munmap(const_cast<void*>(map_), map_size_);
    owned_ = std::move(o.owned_);
    map_ = std::exchange(o.map_, nullptr);
    map_size_ = std::exchange(o.map_size_, 0);
  }
  return *this;
}

FileBytes::~FileBytes() {
  if (map_ != nullptr) munmap(const_cast<void*>(map_), map_size_);
}

StatusOr<FileBytes> ReadFileBytes(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    // Let the common path produce the NotFound / directory / permission message.
    PARLEY_ASSIGN_OR_RETURN(std::string bytes, ReadThroughZlib(path, SIZE_MAX));
    return FileBytes(std::move(bytes));
  }
  struct stat st {};
  void* map = MAP_FAILED;
  if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size >= 2) {
    map = ::mmap(nullptr, static_cast<size_t>(st.st_size), PROT_READ, MAP_PRIVATE | MAP_POPULATE,
                 fd, 0);
  }
  ::close(fd);
  if (map != MAP_FAILED) {
    FileBytes mapped(map, static_cast<size_t>(st.st_size));
    const std::string_view v = mapped.view();
    if (!(v[0] == '\x1f' && v[1] == '\x8b')) {
      ::madvise(map, v.size(), MADV_SEQUENTIAL);
      return mapped;
    }
  }
  // gzip, tiny or unmappable files.
  PARLEY_ASSIGN_OR_RETURN(std::string bytes, ReadThroughZlib(path, SIZE_MAX));
  return FileBytes(std::move(bytes));
}

StatusOr<std::string> ReadFilePrefix(const std::string& path, size_t max_bytes) {
  return ReadThroughZlib(path, max_bytes);
}

bool FileExists(const std::string& path) {
  std::error_code ec;
  return fs::is_regular_file(path, ec);
}

AtomicFileWriter::AtomicFileWriter(std::string path)
    : path_(std::move(path)), tmp_path_(path_ + ".tmp") {}

AtomicFileWriter::~AtomicFileWriter() {
  if (file_ != nullptr) std::fclose(file_);
  if (!committed_) std::remove(tmp_path_.c_str());
}

Status AtomicFileWriter::Open() {
  file_ = std::fopen(tmp_path_.c_str(), "wb");
  if (file_ == nullptr) {
    return InvalidArgument(tmp_path_ + ": cannot create: " + std::strerror(errno));
  }
  buffer_.reserve(2 * kFlushThreshold);
  return OkStatus();
}

void AtomicFileWriter::Append(std::string_view bytes) {
  buffer_.append(bytes);
  MaybeFlush();
}

void AtomicFileWriter::MaybeFlush() {
  if (buffer_.size() >= kFlushThreshold) Flush();
}

void AtomicFileWriter::Flush() {
  if (file_ != nullptr && !buffer_.empty() &&
      std::fwrite(buffer_.data(), 1, buffer_.size(), file_) != buffer_.size() &&
      first_errno_ == 0) {
    first_errno_ = errno ? errno : EIO;
  }
  buffer_.clear();
}

Status AtomicFileWriter::Commit() {
  if (file_ == nullptr) return InvalidArgument(tmp_path_ + ": not open");
  Flush();
  if (std::fclose(file_) != 0 && first_errno_ == 0) first_errno_ = errno ? errno : EIO;
  file_ = nullptr;
  if (first_errno_ != 0) {
    return InvalidArgument(tmp_path_ + ": write failed: " + std::strerror(first_errno_));
  }
  if (std::rename(tmp_path_.c_str(), path_.c_str()) != 0) {
    return InvalidArgument(path_ + ": cannot rename " + tmp_path_ +
                           " into place: " + std::strerror(errno));
  }
  committed_ = true;
  return OkStatus();
}

}  // namespace parley
