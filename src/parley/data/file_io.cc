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
// Opens a data file through zlib (plain files pass through), with a 1 MiB buffer; a missing
// file, a directory or a failed open is an error naming the path.
StatusOr<gzFile> OpenData(const std::string& path) {
  std::error_code ec;
  const fs::file_status st = fs::status(path, ec);
  if (!fs::exists(st)) return NotFound(path + ": no such file");
  if (fs::is_directory(st)) return InvalidArgument(path + ": is a directory, not a data file");
  gzFile gz = gzopen(path.c_str(), "rb");
  if (gz == nullptr) {
    return InvalidArgument(path + ": cannot open: " + std::strerror(errno ? errno : ENOMEM));
  }
  gzbuffer(gz, 1 << 20);
  return gz;
}

StatusOr<std::string> ReadThroughZlib(const std::string& path, size_t max_bytes) {
  PARLEY_ASSIGN_OR_RETURN(gzFile gz, OpenData(path));
  std::error_code ec;
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

StatusOr<std::unique_ptr<FileStream>> FileStream::Open(const std::string& path) {
  PARLEY_ASSIGN_OR_RETURN(gzFile gz, OpenData(path));
  return std::unique_ptr<FileStream>(new FileStream(path, gz));
}

FileStream::~FileStream() { gzclose(static_cast<gzFile>(gz_)); }

Status FileStream::Read(char* buf, size_t n, size_t* got) {
  *got = 0;
  gzFile gz = static_cast<gzFile>(gz_);
  while (*got < n) {
    const size_t want = std::min(kReadChunk, n - *got);
    const int r = gzread(gz, buf + *got, static_cast<unsigned>(want));
    if (r <= 0) break;
    *got += static_cast<size_t>(r);
    offset_ += static_cast<uint64_t>(r);
  }
  if (*got == n) return OkStatus();
  // A short read: the end of the file, or an error (as ReadThroughZlib reports it).
  int err = Z_OK;
  const char* msg = gzerror(gz, &err);
  if (err == Z_ERRNO) return InvalidArgument(path_ + ": read failed: " + std::strerror(errno));
  if (err != Z_OK) {
    return DataLoss(path_ + ": corrupt or truncated gzip data after " + std::to_string(offset_) +
                    " decompressed bytes (" + (msg ? msg : "") + ")");
  }
  return OkStatus();
}

StatusOr<std::unique_ptr<LineStream>> LineStream::Open(const std::string& path,
                                                       size_t max_line) {
  PARLEY_ASSIGN_OR_RETURN(std::unique_ptr<FileStream> file, FileStream::Open(path));
  return std::unique_ptr<LineStream>(new LineStream(std::move(file), max_line));
}

Status LineTooLong(const TextPos& pos, size_t max_line) {
  const std::string size = max_line >= (size_t{1} << 20)
                               ? std::to_string(max_line >> 20) + " MiB"
                               : std::to_string(max_line) + " bytes";
  return LineError(pos, "a line of " + size + " or more (no newline within it): not a text data file, or a "
                            "row too wide for parley's readers");
}

bool LineStream::Fill() {
  constexpr size_t kBlock = size_t{1} << 20;
  if (eof_ || !status_.ok()) return false;
  if (end_ - begin_ >= max_line_) {  // the unfinished line is already too long
    status_ = LineTooLong({file_->path(), line_number_ + 1}, max_line_);
    return false;
  }
  if (begin_ > 0) {  // keep the unconsumed tail at the front
    buf_.erase(0, begin_);
    end_ -= begin_;
    begin_ = 0;
  }
  if (buf_.size() < kBlock) buf_.resize(kBlock);
  if (end_ == buf_.size()) buf_.resize(2 * buf_.size());  // a line longer than the block
  size_t got = 0;
  status_ = file_->Read(buf_.data() + end_, buf_.size() - end_, &got);
  end_ += got;
  if (got == 0) eof_ = true;
  return status_.ok() && got > 0;
}

bool LineStream::Next(std::string_view* line) {
  size_t searched = begin_;  // no '\n' in buf_[begin_, searched)
  while (true) {
    const void* nl = std::memchr(buf_.data() + searched, '\n', end_ - searched);
    if (nl != nullptr) {
      const size_t at = static_cast<size_t>(static_cast<const char*>(nl) - buf_.data());
      std::string_view l(buf_.data() + begin_, at - begin_);
      begin_ = at + 1;
      if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
      *line = l;
      ++line_number_;
      if (l.size() < max_line_) return true;
      status_ = LineTooLong({file_->path(), line_number_}, max_line_);
      return false;
    }
    const size_t pending = end_ - begin_;
    if (!Fill()) {
      if (!status_.ok() || end_ == begin_) return false;
      std::string_view l(buf_.data() + begin_, end_ - begin_);  // a last line without '\n'
      begin_ = end_;
      if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
      *line = l;
      ++line_number_;
      if (l.size() < max_line_) return true;
      status_ = LineTooLong({file_->path(), line_number_}, max_line_);
      return false;
    }
    searched = begin_ + pending;
  }
}

StatusOr<std::unique_ptr<FileLines>> FileLines::Open(const std::string& path,
                                                     size_t max_line) {
  std::unique_ptr<FileLines> lines(new FileLines(path, max_line));
  bool gzip = false;  // a file that cannot be opened gets ReadFileBytes's error
  if (std::FILE* f = std::fopen(path.c_str(), "rb")) {
    unsigned char magic[2] = {0, 0};
    gzip = std::fread(magic, 1, 2, f) == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
    std::fclose(f);
  }
  if (gzip) {
    PARLEY_ASSIGN_OR_RETURN(lines->stream_, LineStream::Open(path, max_line));
  } else {
    PARLEY_ASSIGN_OR_RETURN(lines->bytes_, ReadFileBytes(path));
    lines->text_ = lines->bytes_.view();
    lines->cursor_ = LineCursor(lines->text_);
  }
  return lines;
}

FileLines::FileLines(std::string_view text, std::string_view name, size_t max_line)
    : name_(name), max_line_(max_line), text_(text), cursor_(text) {}

bool FileLines::Next(std::string_view* line) {
  if (!status_.ok()) return false;
  if (stream_ != nullptr) {
    if (stream_->Next(line)) return true;
    status_ = stream_->status();
    return false;
  }
  if (!cursor_.Next(line)) return false;
  if (line->size() >= max_line_) {
    status_ = LineTooLong({name_, cursor_.line_number()}, max_line_);
    return false;
  }
  return true;
}

size_t FileLines::line_number() const {
  return stream_ != nullptr ? stream_->line_number() : cursor_.line_number();
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
