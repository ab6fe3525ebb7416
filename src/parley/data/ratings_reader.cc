#include "parley/data/ratings_reader.h"

#include <algorithm>
#include <cctype>
#include <optional>
#include <string>
#include <vector>

#include "parley/data/file_io.h"
#include "parley/data/text_scan.h"

namespace parley {
namespace {

// How the rows of a ratings file are laid out, as detected from its first line.
struct Layout {
  std::string_view delim;
  bool has_header = false;
  size_t num_fields = 0;
  size_t user = 0, item = 0, rating = 0;  // column indices
  std::string_view description;           // for column-count errors
};

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool OneOf(const std::string& s, std::initializer_list<std::string_view> names) {
  return std::find(names.begin(), names.end(), s) != names.end();
}

std::string_view DetectDelimiter(std::string_view line) {
  if (line.find("::") != std::string_view::npos) return "::";
  if (line.find(',') != std::string_view::npos) return ",";
  return "\t";
}

bool IsNumeric(std::string_view field) {
  float unused;
  return ParseFloat(Unquote(field), &unused) != NumberError::kMalformed;
}

struct HeaderColumns {
  std::optional<size_t> user, item, rating;
};

HeaderColumns FindColumns(const std::vector<std::string_view>& fields) {
  HeaderColumns h;
  for (size_t i = 0; i < fields.size(); ++i) {
    const std::string name = Lower(Unquote(fields[i]));
    if (!h.user && OneOf(name, {"userid", "user", "user_id"})) h.user = i;
    if (!h.item && OneOf(name, {"movieid", "itemid", "item", "movie", "item_id", "movie_id"})) {
      h.item = i;
    }
    if (!h.rating && name == "rating") h.rating = i;
  }
  return h;
}

// "ratings(USER,ITEM,RATING):PATH", the way to name a ratings file's columns (read.h).
std::string NameColumnsHint(std::string_view file) {
  return "name its columns in the data argument: ratings(USER,ITEM,RATING):" +
         std::string(file) + " (header names, or column numbers from 1)";
}

// The column `want` names among `fields` (the header, or nullptr for a file without one):
// a column number from 1, or a header name.
StatusOr<size_t> FindNamedColumn(const TextPos& pos, std::string_view role,
                                 const std::string& want,
                                 const std::vector<std::string_view>* header,
                                 size_t num_fields) {
  const auto digit = [](char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; };
  if (!want.empty() && want.size() < 10 && std::all_of(want.begin(), want.end(), digit)) {
    const int64_t number = std::stoll(want);
    if (number >= 1 && static_cast<size_t>(number) <= num_fields) {
      return static_cast<size_t>(number - 1);
    }
    return LineError(pos, "the " + std::string(role) + " column is given as number " + want +
                              ", but the rows have " + std::to_string(num_fields) + " fields");
  }
  if (header == nullptr) {
    return LineError(pos, "the " + std::string(role) + " column is given by the name '" + want +
                              "', but the file has no header line; give column numbers from 1");
  }
  for (size_t i = 0; i < header->size(); ++i) {
    if (Lower(Unquote((*header)[i])) == Lower(want)) return i;
  }
  std::string names;
  for (std::string_view f : *header) names.append(names.empty() ? "" : ", ").append(Unquote(f));
  return LineError(pos, "header has no column named '" + want + "' (for the " +
                            std::string(role) + "); its columns: " + names);
}

StatusOr<Layout> DetectLayout(const TextPos& pos, std::string_view first_line,
                              const RatingsColumns& columns) {
  Layout l;
  l.delim = DetectDelimiter(first_line);
  std::vector<std::string_view> fields;
  SplitFields(first_line, l.delim, &fields);
  l.num_fields = fields.size();
  if (l.delim == "::") {
    l.description = "as in user::item::rating::timestamp";
  } else {
    l.has_header = !std::all_of(fields.begin(), fields.end(), IsNumeric);
    l.description = l.has_header ? "as in the header" : "as in the first row";
  }
  if (!columns.empty()) {
    const std::vector<std::string_view>* header = l.has_header ? &fields : nullptr;
    PARLEY_ASSIGN_OR_RETURN(l.user,
                            FindNamedColumn(pos, "user", columns.user, header, fields.size()));
    PARLEY_ASSIGN_OR_RETURN(l.item,
                            FindNamedColumn(pos, "item", columns.item, header, fields.size()));
    PARLEY_ASSIGN_OR_RETURN(
        l.rating, FindNamedColumn(pos, "rating", columns.rating, header, fields.size()));
    return l;
  }
  if (!l.has_header) {
    if (fields.size() < 3) {
      return LineError(pos, "found " + std::to_string(fields.size()) +
                                " fields; expected user, item and rating");
    }
    l.user = 0, l.item = 1, l.rating = 2;
    return l;
  }
  const HeaderColumns h = FindColumns(fields);
  const char* missing = !h.user     ? "user (userId)"
                        : !h.item   ? "item (movieId or itemId)"
                        : !h.rating ? "rating"
                                    : nullptr;
  if (missing != nullptr) {
    return LineError(pos, std::string("header has no ") + missing + " column; " +
                              NameColumnsHint(pos.file));
  }
  l.user = *h.user, l.item = *h.item, l.rating = *h.rating;
  return l;
}

Status ParseRow(const TextPos& pos, const Layout& l, std::vector<std::string_view>& fields,
                IdMap& users, IdMap& items, Ratings* out) {
  if (fields.size() != l.num_fields) {
    return LineError(pos, "wrong column count: found " + std::to_string(fields.size()) +
                              " fields, expected " + std::to_string(l.num_fields) + " " +
                              std::string(l.description));
  }
  int64_t user = 0, item = 0;
  float rating = 0;
  PARLEY_RETURN_IF_ERROR(ParseInteger(pos, "user id", Unquote(fields[l.user]), &user));
  PARLEY_RETURN_IF_ERROR(ParseInteger(pos, "item id", Unquote(fields[l.item]), &item));
  PARLEY_RETURN_IF_ERROR(ParseFiniteFloat(pos, "rating", Unquote(fields[l.rating]), &rating));
  out->user.push_back(users.GetOrAdd(user));
  out->item.push_back(items.GetOrAdd(item));
  out->rating.push_back(rating);
  return OkStatus();
}

}  // namespace

struct RatingsParser::State {
  std::string_view name;
  IdMap& users;
  IdMap& items;
  RatingsColumns columns;
  std::optional<Layout> layout;
  std::vector<std::string_view> fields;
  size_t header_line = 0;
};

RatingsParser::RatingsParser(std::string_view name, IdMap& users, IdMap& items,
                             const RatingsColumns& columns)
    : s_(new State{name, users, items, columns, std::nullopt, {}, 0}) {}

RatingsParser::~RatingsParser() = default;

Status RatingsParser::Line(size_t line_number, std::string_view line, Dataset* out, bool* row) {
  *row = false;
  if (Trim(line).empty()) return OkStatus();
  State& s = *s_;
  const TextPos pos{s.name, line_number};
  if (!s.layout) {
    PARLEY_ASSIGN_OR_RETURN(s.layout, DetectLayout(pos, line, s.columns));
    if (s.layout->has_header) {
      s.header_line = pos.line;
      return OkStatus();
    }
  }
  SplitFields(line, s.layout->delim, &s.fields);
  PARLEY_RETURN_IF_ERROR(ParseRow(pos, *s.layout, s.fields, s.users, s.items, &out->ratings));
  *row = true;
  return OkStatus();
}

Status RatingsParser::Finish(size_t rows) const {
  if (rows > 0) return OkStatus();
  if (s_->header_line != 0) {
    return LineError({s_->name, s_->header_line}, "empty file: a header but no ratings");
  }
  return InvalidArgument(std::string(s_->name) + ": empty file; no ratings found");
}

namespace {

StatusOr<Dataset> ParseRatingsLines(FileLines& lines, std::string_view name, IdMap& users,
                                    IdMap& items, const RatingsColumns& columns) {
  Dataset d;
  d.kind = Dataset::Kind::kRatings;
  d.source = std::string(name);
  Ratings& r = d.ratings;
  // A rating takes at least 6 bytes ("1,1,1\n"): blank lines cannot make this outgrow the file.
  const std::string_view text = lines.text();
  const size_t newlines = static_cast<size_t>(std::count(text.begin(), text.end(), '\n'));
  const size_t max_rows = std::min(newlines, text.size() / 6) + 1;
  r.user.reserve(max_rows);
  r.item.reserve(max_rows);
  r.rating.reserve(max_rows);

  RatingsParser parser(name, users, items, columns);
  std::string_view line;
  bool row = false;
  while (lines.Next(&line)) PARLEY_RETURN_IF_ERROR(parser.Line(lines.line_number(), line, &d, &row));
  PARLEY_RETURN_IF_ERROR(lines.status());
  PARLEY_RETURN_IF_ERROR(parser.Finish(r.rating.size()));
  r.num_users = static_cast<uint32_t>(users.size());
  r.num_items = static_cast<uint32_t>(items.size());
  return d;
}

}  // namespace

StatusOr<Dataset> ParseRatings(std::string_view text, std::string_view name, IdMap& users,
                               IdMap& items, const RatingsColumns& columns) {
  FileLines lines(text, name);
  return ParseRatingsLines(lines, name, users, items, columns);
}

StatusOr<Dataset> ReadRatings(const std::string& path, IdMap& users, IdMap& items,
                              const RatingsColumns& columns) {
  PARLEY_ASSIGN_OR_RETURN(std::unique_ptr<FileLines> lines, FileLines::Open(path));
  return ParseRatingsLines(*lines, path, users, items, columns);
}

bool LooksLikeRatings(std::string_view first_line) {
  const std::string_view delim = DetectDelimiter(first_line);
  if (delim == "::") return true;
  std::vector<std::string_view> fields;
  SplitFields(first_line, delim, &fields);
  const HeaderColumns h = FindColumns(fields);
  return h.user && h.item && h.rating;
}

}  // namespace parley
