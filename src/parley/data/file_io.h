// Whole-file reads (plain or gzip, detected by content) and atomic file writes, shared by the
// data readers and writers.
#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>

#include "parley/core/status.h"
#include "parley/data/text_scan.h"

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

// Reads a file from start to end in pieces, plain or gzip (by content, as ReadFileBytes), so
// that a reader can stream through data it does not keep (RowReader, row_reader.h).
// Not thread-safe.
class FileStream {
 public:
  // Errors: as ReadFileBytes (NotFound, a directory, a file that cannot be opened).
  static StatusOr<std::unique_ptr<FileStream>> Open(const std::string& path);
  ~FileStream();
  FileStream(const FileStream&) = delete;
  FileStream& operator=(const FileStream&) = delete;

  // Reads up to `n` (decompressed) bytes into `buf`; *got = how many, 0 at the end of the file.
  // Errors: as ReadFileBytes (a failed read, corrupt or truncated gzip data).
  Status Read(char* buf, size_t n, size_t* got);
  // Decompressed bytes read so far.
  uint64_t offset() const { return offset_; }
  const std::string& path() const { return path_; }

 private:
  FileStream(std::string path, void* gz) : path_(std::move(path)), gz_(gz) {}
  std::string path_;
  void* gz_;  // gzFile
  uint64_t offset_ = 0;
};

// The bound on a line of a text data file: 256 MiB (a dense row of 2^24 features written
// with 16 characters each). A line this long or longer is refused (FileLines, LineStream) rather than grown into
// memory without end: a gzip file of a few MB can expand to one "line" of gigabytes.
inline constexpr size_t kMaxLineBytes = size_t{256} << 20;

// The error for a line of kMaxLineBytes or more: "<file>:<line>: a line of 256 MiB or more...".
Status LineTooLong(const TextPos& pos, size_t max_line = kMaxLineBytes);

// The lines of a file (plain or gzip) one at a time, as LineCursor gives the lines of a buffer
// (a trailing '\r' dropped, a last line without '\n' counted), holding a block of the file at
// a time (a longer line grows the block, up to kMaxLineBytes). Not thread-safe.
class LineStream {
 public:
  // Errors: as FileStream::Open. `max_line`: the line bound (tests set a small one).
  static StatusOr<std::unique_ptr<LineStream>> Open(const std::string& path,
                                                    size_t max_line = kMaxLineBytes);
  // Sets *line to the next line (valid until the next call) and returns true; false at the end
  // of the file or on a read error (then status() says which).
  bool Next(std::string_view* line);
  // 1-based number of the line last returned by Next() (0 before the first call).
  size_t line_number() const { return line_number_; }
  const Status& status() const { return status_; }

 private:
  LineStream(std::unique_ptr<FileStream> file, size_t max_line)
      : file_(std::move(file)), max_line_(max_line) {}
  bool Fill();  // reads more after the unconsumed bytes; false at the end or on an error

  std::unique_ptr<FileStream> file_;
  size_t max_line_;
  std::string buf_;
  size_t begin_ = 0, end_ = 0;  // unconsumed bytes: buf_[begin_, end_)
  bool eof_ = false;
  size_t line_number_ = 0;
  Status status_;
};

// The lines of a whole file for the readers that keep every row (ReadLibsvm, ReadDenseCsv,
// ReadRatings): a plain file's lines from its memory map (nothing copied), a gzip file's
// streamed through LineStream, so that the decompressed bytes are never held whole and memory
// stays bounded by the rows parsed (a small gzip file that expands to gigabytes of blank lines
// costs a block, not gigabytes). Either way a line of kMaxLineBytes or more is an error.
// Not thread-safe.
class FileLines {
 public:
  // Errors: as FileStream::Open, and ReadFileBytes's for a plain file. `max_line`: the line
  // bound (tests set a small one).
  static StatusOr<std::unique_ptr<FileLines>> Open(const std::string& path,
                                                   size_t max_line = kMaxLineBytes);
  // The lines of `text` (which must outlive this object); `name` is for the error messages.
  FileLines(std::string_view text, std::string_view name, size_t max_line = kMaxLineBytes);
  FileLines(const FileLines&) = delete;
  FileLines& operator=(const FileLines&) = delete;

  // As LineStream::Next.
  bool Next(std::string_view* line);
  size_t line_number() const;
  const Status& status() const { return status_; }
  // All of the text when it is in memory (a mapped plain file, or the text given), so that a
  // reader can size its vectors in one pass first; empty when the lines are streamed.
  std::string_view text() const { return text_; }

 private:
  FileLines(std::string name, size_t max_line) : name_(std::move(name)), max_line_(max_line) {}
  std::string name_;
  size_t max_line_;
  FileBytes bytes_;
  std::string_view text_;
  LineCursor cursor_{std::string_view()};
  std::unique_ptr<LineStream> stream_;
  Status status_;
};

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
