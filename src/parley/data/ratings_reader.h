// Reader for (user, item, rating) files. The layout is detected from the first non-blank line:
//  - MovieLens ratings.dat: "user::item::rating::timestamp" (any number >= 3 of '::' fields,
//    user, item and rating first);
//  - CSV (',' or tab separated) with a header naming the columns, case-insensitively and
//    optionally quoted: user (userId, user, user_id), item (movieId, itemId, item, movie,
//    item_id, movie_id) and rating; other columns (timestamp, an unnamed "" row-name column
//    as R's write.csv adds) are ignored;
//  - CSV without a header: user, item, rating in the first three columns.
// Other names, or other positions, can be given (RatingsColumns): "ratings(customer,product,
// stars):PATH" as a data argument (read.h).
// gzip-compressed files are read transparently.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "parley/core/status.h"
#include "parley/data/dataset.h"

namespace parley {

// The columns that hold the user id, the item id and the rating, each a header name (matched
// case-insensitively, quotes stripped) or a column number counted from 1; empty: detected as
// described above.
struct RatingsColumns {
  std::string user, item, rating;
  bool empty() const { return user.empty() && item.empty() && rating.empty(); }
};

// Reads a ratings file into a kRatings Dataset (source = path). External user and item ids
// (integers) are remapped through `users` and `items`, which the caller owns and may share
// between a training and a test file so that an id gets the same index in both;
// ratings.num_users/num_items are set to the map sizes after this file. After reading
// several files with the same maps, callers should set each Dataset's num_users/num_items to
// the final map sizes.
// Errors (InvalidArgument, "<path>:<line>: <reason>"): a row whose field count differs from
// the first row's (or the header's), a non-integer user or item id, a non-numeric, NaN or
// Inf rating, a header without user, item or rating column (or without a column `columns`
// names), a file without ratings; NotFound if the file does not exist. On error the maps may
// hold ids from earlier rows.
StatusOr<Dataset> ReadRatings(const std::string& path, IdMap& users, IdMap& items,
                              const RatingsColumns& columns = {});

// As ReadRatings, from text in memory; `name` is used in messages and as source.
StatusOr<Dataset> ParseRatings(std::string_view text, std::string_view name, IdMap& users,
                               IdMap& items, const RatingsColumns& columns = {});

// ParseRatings one line at a time, for readers that stream through a file (RowReader): Line()
// takes the file's lines in order (the first non-blank one sets the layout) and appends each
// rating to a kRatings Dataset, remapping ids through `users` and `items` (which must outlive
// the parser); Finish() gives ParseRatings's error for a file without ratings. The errors are
// ParseRatings's.
class RatingsParser {
 public:
  RatingsParser(std::string_view name, IdMap& users, IdMap& items,
                const RatingsColumns& columns = {});
  ~RatingsParser();
  // Parses line `line_number` (1-based); a rating appends to *out and sets *row.
  // REQUIRES: out->kind == kRatings.
  Status Line(size_t line_number, std::string_view line, Dataset* out, bool* row);
  Status Finish(size_t rows) const;

 private:
  struct State;
  std::unique_ptr<State> s_;
};

// True if `first_line` (the first non-blank line of a file) looks like a ratings file: it
// holds "::" separators or is a CSV header that names user, item and rating columns.
bool LooksLikeRatings(std::string_view first_line);

}  // namespace parley
