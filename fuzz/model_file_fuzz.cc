// Model files and checkpoints (LoadModel: `parley eval --model-file`, `parley train --resume`),
// read from a file. The bytes are a model file without its last 8 bytes: the target appends
// the FNV-1a checksum the format ends with, so that the fuzzer gets past the checksum to the
// header, the config JSON and the factory (a file with a wrong checksum is refused before
// anything else is read). A model that loads is then evaluated on a few rows of its own
// shape, as `parley eval` does, when it is small.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_util.h"
#include "parley/models/model.h"
#include "parley/runtime/model_file.h"

namespace {

// A dimension of the model's config, or 0 when missing or above `limit`.
size_t Dim(const nlohmann::json& config, const char* key, size_t limit) {
  if (!config.contains(key) || !config[key].is_number_unsigned()) return 0;
  const uint64_t v = config[key].get<uint64_t>();
  return v <= limit ? v : 0;
}

// Two rows (or ratings) of the shape the model takes, labels at both ends of its range.
bool RowsFor(const parley::Model& model, parley::Dataset* d) {
  constexpr size_t kLimit = 1 << 16;
  const nlohmann::json c = model.Config();
  const std::string kind = model.Kind();
  using Kind = parley::Dataset::Kind;
  if (kind == "logreg" || kind == "svm") {
    const size_t f = Dim(c, "num_features", kLimit);
    if (f == 0) return false;
    d->kind = Kind::kSparse;
    d->sparse.num_features = static_cast<uint32_t>(f);
    d->sparse.row_ptr = {0, 1, 2};
    d->sparse.col = {0, static_cast<uint32_t>(f - 1)};
    d->sparse.val = {1.0f, -0.5f};
    d->label = {0, 1};
    return true;
  }
  if (kind == "mf") {
    const size_t users = Dim(c, "users", kLimit), items = Dim(c, "items", kLimit);
    if (users == 0 || items == 0) return false;
    d->kind = Kind::kRatings;
    d->ratings.user = {0, static_cast<uint32_t>(users - 1)};
    d->ratings.item = {0, static_cast<uint32_t>(items - 1)};
    d->ratings.rating = {1, 5};
    d->ratings.num_users = static_cast<uint32_t>(users);
    d->ratings.num_items = static_cast<uint32_t>(items);
    return true;
  }
  const size_t cols = Dim(c, kind == "softmax" || kind == "mlp" ? "inputs" : "dim", kLimit);
  if (cols == 0) return false;
  d->kind = Kind::kDense;
  d->dense.cols = cols;
  d->dense.x.assign(2 * cols, 0.25f);
  d->dense.x[cols] = -1;
  const size_t classes = Dim(c, "classes", kLimit);
  d->label = {0, classes > 0 ? static_cast<float>(classes - 1) : 1.0f};
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string bytes(reinterpret_cast<const char*>(data), size);
  const uint64_t sum = parley::ModelFileChecksum(bytes);
  bytes.append(reinterpret_cast<const char*>(&sum), sizeof sum);
  const std::string path = parley::fuzz::ScratchDir::Get().Write("fuzz.parley", bytes);
  parley::StatusOr<parley::LoadedModel> loaded = parley::LoadModel(path);
  if (!loaded.ok()) return 0;
  const parley::Model& model = *loaded->model;
  PARLEY_FUZZ_CHECK(loaded->params.size() == model.NumParams(), "one value per parameter");
  // The config a model writes rebuilds the same model.
  parley::StatusOr<std::unique_ptr<parley::Model>> again =
      parley::MakeModelFromConfig(model.Config());
  PARLEY_FUZZ_CHECK(again.ok(), "its own config refused: " + again.status().message());
  PARLEY_FUZZ_CHECK((*again)->Config() == model.Config(), "config round trip");
  if (model.NumParams() > (size_t{1} << 22)) return 0;
  parley::Dataset rows;
  rows.source = "fuzz rows";
  if (!RowsFor(model, &rows) || !model.CheckData(rows).ok()) return 0;
  parley::MetricSet m =
      model.Evaluate(parley::WeightsView{loaded->params.data(), 1.0, loaded->params.size()}, rows);
  PARLEY_FUZZ_CHECK(!m.empty(), "Evaluate gives metrics");
  return 0;
}
