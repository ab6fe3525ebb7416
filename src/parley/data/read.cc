#include "parley/data/read.h"

#include <algorithm>
#include <vector>

#include "parley/data/csv_reader.h"
#include "parley/data/file_io.h"
#include "parley/data/idx_reader.h"
#include "parley/data/libsvm_reader.h"
#include "parley/data/ratings_reader.h"
#include "parley/data/text_scan.h"

namespace parley {
namespace {

enum class Format { kAuto, kLibsvm, kRatings, kIdx, kCsv };

bool EndsWith(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Splits "format:path" into its parts; an unknown prefix is part of the path.
Format SplitSpec(const std::string& spec, std::string* path) {
  static constexpr std::pair<std::string_view, Format> kPrefixes[] = {
      {"libsvm:", Format::kLibsvm},
      {"ratings:", Format::kRatings},
      {"idx:", Format::kIdx},
      {"csv:", Format::kCsv}};
  for (const auto& [prefix, format] : kPrefixes) {
    if (spec.starts_with(prefix)) {
      *path = spec.substr(prefix.size());
      return format;
    }
  }
  *path = spec;
  return Format::kAuto;
}

StatusOr<std::string> FirstLine(const std::string& path) {
  PARLEY_ASSIGN_OR_RETURN(std::string head, ReadFilePrefix(path, 1 << 16));
  LineCursor cursor(head);
  std::string_view line;
  while (cursor.Next(&line)) {
    if (!Trim(line).empty()) return std::string(line);
  }
  return std::string();
}

StatusOr<Format> Detect(const std::string& path) {
  if (path.find("images-idx3") != std::string::npos) return Format::kIdx;
  std::string name = path;
  if (EndsWith(name, ".gz")) name.resize(name.size() - 3);
  const bool csv = EndsWith(name, ".csv") || EndsWith(name, ".tsv");
  if (!csv && !EndsWith(name, ".dat")) return Format::kLibsvm;
  PARLEY_ASSIGN_OR_RETURN(std::string first, FirstLine(path));
  if (LooksLikeRatings(first)) return Format::kRatings;
  return csv ? Format::kCsv : Format::kLibsvm;
}

// "ratings(USER,ITEM,RATING):PATH": the columns into *columns and PATH into *path; false if
// `spec` does not start so.
StatusOr<bool> SplitRatingsColumns(const std::string& spec, RatingsColumns* columns,
                                   std::string* path) {
  if (!spec.starts_with("ratings(")) return false;
  const size_t close = spec.find("):");
  if (close == std::string::npos) {
    return InvalidArgument("data argument '" + spec +
                           "': expected ratings(USER,ITEM,RATING):PATH, with a ':' after ')'");
  }
  std::vector<std::string_view> names;
  SplitFields(std::string_view(spec).substr(8, close - 8), ",", &names);
  if (names.size() != 3 || std::any_of(names.begin(), names.end(), [](std::string_view n) {
        return Trim(n).empty();
      })) {
    return InvalidArgument("data argument '" + spec + "': ratings(...) takes three columns, "
                           "user, item and rating, as in ratings(customer,product,stars):PATH");
  }
  columns->user = std::string(Trim(names[0]));
  columns->item = std::string(Trim(names[1]));
  columns->rating = std::string(Trim(names[2]));
  *path = spec.substr(close + 2);
  return true;
}

}  // namespace

StatusOr<DataFile> ResolveDataFile(const std::string& spec) {
  DataFile f;
  PARLEY_ASSIGN_OR_RETURN(const bool named, SplitRatingsColumns(spec, &f.columns, &f.path));
  Format format = named ? Format::kRatings : SplitSpec(spec, &f.path);
  if (format == Format::kAuto) {
    PARLEY_ASSIGN_OR_RETURN(format, Detect(f.path));
  }
  switch (format) {
    case Format::kRatings:
      f.format = DataFile::Format::kRatings;
      break;
    case Format::kCsv:
      f.format = DataFile::Format::kCsv;
      break;
    case Format::kIdx: {
      f.format = DataFile::Format::kIdx;
      const size_t comma = f.path.find(',');
      if (comma != std::string::npos) {
        f.labels = f.path.substr(comma + 1);
        f.path.resize(comma);
        break;
      }
      f.labels = IdxLabelsPathFor(f.path);
      if (f.labels.empty()) {
        return InvalidArgument(f.path +
                               ": cannot find the labels file for this IDX images file; name "
                               "it as idx:IMAGES,LABELS");
      }
      break;
    }
    case Format::kAuto:
    case Format::kLibsvm:
      f.format = DataFile::Format::kLibsvm;
      break;
  }
  return f;
}

StatusOr<Dataset> ReadDataset(const std::string& spec, IdMap& users, IdMap& items,
                              uint32_t min_features, uint32_t max_features) {
  PARLEY_ASSIGN_OR_RETURN(DataFile f, ResolveDataFile(spec));
  switch (f.format) {
    case DataFile::Format::kRatings:
      return ReadRatings(f.path, users, items, f.columns);
    case DataFile::Format::kIdx:
      return ReadIdx(f.path, f.labels);
    case DataFile::Format::kCsv:
      return ReadDenseCsv(f.path);
    case DataFile::Format::kLibsvm:
      break;
  }
  return ReadLibsvm(f.path, min_features, max_features);
}

StatusOr<Dataset> ReadDataset(const std::string& spec) {
  IdMap users, items;
  return ReadDataset(spec, users, items);
}

}  // namespace parley
