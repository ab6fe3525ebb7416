// Dense CSV (ParseDenseCsv, the reader's in-memory entry point). The first byte picks the label
// column (-1..2) and the header rule; the rest is the file.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_util.h"
#include "parley/data/csv_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const int label_column = (data[0] & 3) - 1;
  const auto header = static_cast<parley::CsvHeader>((data[0] >> 2) % 3);
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  parley::StatusOr<parley::Dataset> d =
      parley::ParseDenseCsv(text, "fuzz.csv", label_column, header);
  if (d.ok()) {
    parley::fuzz::CheckDataset(*d);
    PARLEY_FUZZ_CHECK(d->kind == parley::Dataset::Kind::kDense, "CSV gives dense rows");
    PARLEY_FUZZ_CHECK(d->rows() > 0, "a file without rows is an error");
  }
  return 0;
}
