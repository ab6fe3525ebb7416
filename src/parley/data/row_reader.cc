#include "parley/data/row_reader.h"

#include <algorithm>
#include <type_traits>

#include "parley/data/csv_reader.h"
#include "parley/data/file_io.h"
#include "parley/data/idx_reader.h"
#include "parley/data/libsvm_reader.h"
#include "parley/data/ratings_reader.h"
#include "parley/data/read.h"

namespace parley {
namespace {

// Clears the rows of d, keeping its kind, source and width.
void ClearRows(Dataset& d) {
  d.sparse.row_ptr.resize(1);
  d.sparse.col.clear();
  d.sparse.val.clear();
  d.dense.x.clear();
  d.ratings.user.clear();
  d.ratings.item.clear();
  d.ratings.rating.clear();
  d.label.clear();
}

// The text formats: a LineStream fed line by line to the format's parser, as the whole-buffer
// readers feed a LineCursor to the same parser.
template <typename Parser>
class TextRowReader final : public RowReader {
 public:
  template <typename... Args>
  TextRowReader(std::string path, Dataset::Kind kind, std::unique_ptr<LineStream> lines, Args&... args)
      : path_(std::move(path)), lines_(std::move(lines)), parser_(path_, args...) {
    row_.kind = kind;
    row_.source = path_;
  }

  Status Next(const Dataset** row) override {
    *row = nullptr;
    if (done_) return OkStatus();
    ClearRows(row_);
    std::string_view line;
    bool got = false;
    while (lines_->Next(&line)) {
      PARLEY_RETURN_IF_ERROR(parser_.Line(lines_->line_number(), line, &row_, &got));
      if (got) {
        ++rows_;
        *row = &row_;
        return OkStatus();
      }
    }
    PARLEY_RETURN_IF_ERROR(lines_->status());
    PARLEY_RETURN_IF_ERROR(parser_.Finish(rows_));
    done_ = true;
    return AtEnd();
  }

  Dataset Header() const override { return header_; }

 private:
  // What the whole-buffer reader sets after the rows.
  Status AtEnd() {
    header_ = row_.Empty();
    if constexpr (std::is_same_v<Parser, LibsvmParser>) header_.sparse.num_features = parser_.max_index();
    if constexpr (std::is_same_v<Parser, CsvParser>) return ReadCsvCentres(path_, &header_);
    return OkStatus();
  }

  std::string path_;  // before parser_, which refers to it
  std::unique_ptr<LineStream> lines_;
  Parser parser_;
  Dataset row_;
  Dataset header_;
  bool done_ = false;
};

// Ratings: the maps' sizes after this file, as ReadRatings sets them.
class RatingsRowReader final : public RowReader {
 public:
  RatingsRowReader(const std::string& path, std::unique_ptr<LineStream> lines, IdMap& users, IdMap& items,
                   const RatingsColumns& columns)
      : users_(users),
        items_(items),
        columns_(columns),
        text_(path, Dataset::Kind::kRatings, std::move(lines), users, items, columns_) {}
  Status Next(const Dataset** row) override {
    PARLEY_RETURN_IF_ERROR(text_.Next(row));
    rows_ = text_.rows();
    return OkStatus();
  }
  Dataset Header() const override {
    Dataset h = text_.Header();
    h.ratings.num_users = static_cast<uint32_t>(users_.size());
    h.ratings.num_items = static_cast<uint32_t>(items_.size());
    return h;
  }

 private:
  IdMap& users_;
  IdMap& items_;
  RatingsColumns columns_;
  TextRowReader<RatingsParser> text_;
};

// IDX: the images streamed, the labels file (one byte per image) read whole, as ReadIdx
// scales and labels them. The images file's size is checked when its images run out, so a
// file that is both truncated and paired with a bad labels file reports the labels first
// (ReadIdx: the images first).
class IdxRowReader final : public RowReader {
 public:
  static StatusOr<std::unique_ptr<RowReader>> Open(const std::string& images, const std::string& labels_path) {
    PARLEY_ASSIGN_OR_RETURN(std::unique_ptr<IdxImageStream> stream, IdxImageStream::Open(images));
    PARLEY_ASSIGN_OR_RETURN(IdxArray labels, ReadIdxFile(labels_path, 1));
    const uint32_t n = stream->count();
    if (n != labels.dims[0]) {
      return InvalidArgument(images + ": byte 4: count mismatch: " + std::to_string(n) + " images but " +
                             labels_path + " has " + std::to_string(labels.dims[0]) + " labels");
    }
    if (n == 0 || stream->pixels() == 0) {
      return InvalidArgument(images + ": byte 4: empty file: the header declares no images");
    }
    auto r = std::unique_ptr<IdxRowReader>(new IdxRowReader(std::move(stream), std::move(labels.data)));
    r->row_.kind = Dataset::Kind::kDense;
    r->row_.source = images;
    r->row_.dense.cols = r->stream_->pixels();
    return std::unique_ptr<RowReader>(std::move(r));
  }

  Status Next(const Dataset** row) override {
    *row = nullptr;
    bool got = false;
    PARLEY_RETURN_IF_ERROR(stream_->Next(&pixels_, &got));
    if (!got) return OkStatus();
    row_.dense.x.resize(pixels_.size());
    for (size_t i = 0; i < pixels_.size(); ++i) row_.dense.x[i] = static_cast<float>(pixels_[i]) * (1.0f / 255.0f);
    row_.label.assign(1, static_cast<float>(labels_[rows_]));
    ++rows_;
    *row = &row_;
    return OkStatus();
  }

  Dataset Header() const override { return row_.Empty(); }

 private:
  IdxRowReader(std::unique_ptr<IdxImageStream> stream, std::vector<uint8_t> labels)
      : stream_(std::move(stream)), labels_(std::move(labels)) {}
  std::unique_ptr<IdxImageStream> stream_;
  std::vector<uint8_t> labels_;
  std::vector<uint8_t> pixels_;
  Dataset row_;
};

}  // namespace

StatusOr<std::unique_ptr<RowReader>> RowReader::Open(const std::string& spec, IdMap& users, IdMap& items,
                                                     uint32_t max_features) {
  PARLEY_ASSIGN_OR_RETURN(DataFile f, ResolveDataFile(spec));
  if (f.format == DataFile::Format::kIdx) return IdxRowReader::Open(f.path, f.labels);
  PARLEY_ASSIGN_OR_RETURN(std::unique_ptr<LineStream> lines, LineStream::Open(f.path));
  switch (f.format) {
    case DataFile::Format::kRatings:
      return std::unique_ptr<RowReader>(new RatingsRowReader(f.path, std::move(lines), users, items, f.columns));
    case DataFile::Format::kCsv:
      return std::unique_ptr<RowReader>(
          new TextRowReader<CsvParser>(f.path, Dataset::Kind::kDense, std::move(lines)));
    case DataFile::Format::kIdx:
    case DataFile::Format::kLibsvm:
      break;
  }
  return std::unique_ptr<RowReader>(
      new TextRowReader<LibsvmParser>(f.path, Dataset::Kind::kSparse, std::move(lines), max_features));
}

}  // namespace parley
