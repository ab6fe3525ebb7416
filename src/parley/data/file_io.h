// Whole-file reads (plain or gzip, detected by content) and atomic file writes, shared by the
// data readers and writers.
#pragma once

#include <cstdio>
#include <string>
#include <string_view>

#include "parley/core/status.h"

namespace parley {

// The whole contents of a file: a read-only memory map of a plain file (no copy), or the
// decompressed bytes of a gzip file. Move-only; view() is valid while the object lives.
class FileBytes {
 public:
  FileBytes() = default;
  explicit FileBytes(std::string bytes) : owned_(std::move(bytes)) {}
  FileBytes(const void* map, size_t size) : map_(map), map_size_(size) {}
  FileBytes(FileBytes&& o) noexcept { *this = std::move(o); }
  FileBytes& operator=(FileBytes&& o) noexcept;
  ~FileBytes();

  std::string_view view() const {
    return map_ ? std::string_view(static_cast<const char*>(map_), map_size_) : owned_;
  }

 private:
  std::string owned_;
  const void* map_ = nullptr;
  size_t map_size_ = 0;
};

// Reads the whole file at `path`. A gzip file (magic bytes 1f 8b) is decompressed
// transparently; any other file is returned byte for byte.
// Errors: NotFound if the file does not exist; InvalidArgument if it is a directory or cannot
// be opened or read; DataLoss if gzip data is corrupt or truncated. Messages name the path.
StatusOr<FileBytes> ReadFileBytes(const std::string& path);

// Reads at most `max_bytes` (decompressed) bytes from the start of the file, as ReadFileBytes
// does; used to sniff a file's format without reading it all. Same errors.
StatusOr<std::string> ReadFilePrefix(const std::string& path, size_t max_bytes);

// True if a regular file (or a symlink to one) exists at `path`.
bool FileExists(const std::string& path);

// Writes a file atomically: bytes go to `path + ".tmp"`, and Commit() renames that file over
// `path`, so readers see either the old file or the complete new one. Appends are buffered;
// write errors are remembered and reported by Commit(). If the writer is destroyed without a
// successful Commit(), the temporary file is removed and `path` is untouched.
// Not thread-safe.
class AtomicFileWriter {
 public:
  explicit AtomicFileWriter(std::string path);
  ~AtomicFileWriter();
  AtomicFileWriter(const AtomicFileWriter&) = delete;
  AtomicFileWriter& operator=(const AtomicFileWriter&) = delete;

  // Creates the temporary file. Errors: InvalidArgument naming the path and the OS reason.
  Status Open();
  // Appends bytes. REQUIRES: Open() succeeded and Commit() has not been called.
  void Append(std::string_view bytes);
  // The buffer that Append() fills; callers may format into it directly and then call
  // MaybeFlush(). Valid until the next call to another method.
  std::string& buffer() { return buffer_; }
  // Writes the buffer out if it has grown past the flush threshold.
  void MaybeFlush();
  // Flushes, closes and renames the temporary file to `path`. Errors: InvalidArgument naming
  // the path and the OS reason of the first failed write, close or rename.
  Status Commit();

 private:
  void Flush();

  std::string path_;
  std::string tmp_path_;
  std::FILE* file_ = nullptr;
  std::string buffer_;
  int first_errno_ = 0;
  bool committed_ = false;
};

}  // namespace parley
