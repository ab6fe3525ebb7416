// LIBSVM text (ParseLibsvm, the reader's in-memory entry point): the bytes are the file.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_util.h"
#include "parley/data/libsvm_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  parley::StatusOr<parley::Dataset> d = parley::ParseLibsvm(text, "fuzz.svm");
  if (d.ok()) {
    parley::fuzz::CheckDataset(*d);
    PARLEY_FUZZ_CHECK(d->kind == parley::Dataset::Kind::kSparse, "LIBSVM gives sparse rows");
    PARLEY_FUZZ_CHECK(d->rows() > 0, "a file without rows is an error");
    PARLEY_FUZZ_CHECK(d->sparse.num_features <= parley::kDefaultMaxFeatures, "--max-features");
  }
  return 0;
}
