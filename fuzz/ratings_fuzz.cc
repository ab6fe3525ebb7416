// Ratings files (ParseRatings, the reader's in-memory entry point): MovieLens "::" files, CSV
// with or without a header. The bytes are read twice with the same id maps, as a training and
// a test file share them: the second read must map the ids the first one saw alike.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_util.h"
#include "parley/data/ratings_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  parley::IdMap users, items;
  parley::StatusOr<parley::Dataset> a = parley::ParseRatings(text, "fuzz.csv", users, items);
  if (!a.ok()) return 0;
  parley::fuzz::CheckDataset(*a);
  PARLEY_FUZZ_CHECK(a->rows() > 0, "a file without ratings is an error");
  PARLEY_FUZZ_CHECK(a->ratings.num_users == users.size() && a->ratings.num_items == items.size(),
                    "map sizes");
  const size_t known_users = users.size(), known_items = items.size();
  parley::StatusOr<parley::Dataset> b = parley::ParseRatings(text, "fuzz-again.csv", users, items);
  PARLEY_FUZZ_CHECK(b.ok(), "the same bytes read again: " + b.status().message());
  PARLEY_FUZZ_CHECK(users.size() == known_users && items.size() == known_items, "no new ids");
  PARLEY_FUZZ_CHECK(a->ratings.user == b->ratings.user && a->ratings.item == b->ratings.item &&
                        a->ratings.rating == b->ratings.rating,
                    "the same triples");
  return 0;
}
