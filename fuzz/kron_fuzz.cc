// Kronecker points files (ParseKron, the reader's in-memory entry point); a file it accepts
// must pass CheckKronData, and its dense view (KronDenseView: what `parley eval` and the dense
// models read) is built when it is small.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_util.h"
#include "parley/kron/kron_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  parley::StatusOr<parley::KronData> k = parley::ParseKron(text, "fuzz.kron");
  if (!k.ok()) return 0;
  parley::Status valid = parley::CheckKronData(*k);
  PARLEY_FUZZ_CHECK(valid.ok(), "accepted data that CheckKronData refuses: " + valid.message());
  // The view holds rows * d1 * d2 floats: a few KB of factors can describe gigabytes.
  if (k->rows() * k->dim() <= (size_t{1} << 22)) {
    parley::StatusOr<parley::Dataset> view = parley::KronDenseView(*k);
    if (!view.ok()) return 0;
    parley::fuzz::CheckDataset(*view);
    PARLEY_FUZZ_CHECK(view->rows() == k->rows() && view->dense.cols == k->dim(), "view shape");
  }
  return 0;
}
