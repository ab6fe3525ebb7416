// Helpers shared by the model kinds: option validation (one check at the boundary, used by
// both MakeModel and MakeModelFromConfig) and a reader for model configs (Config() JSON).
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "parley/core/status.h"
#include "parley/models/model.h"

namespace parley {

// Checks the options that matter for options.kind (l2 >= 0, hidden widths > 0, rank > 0,
// clusters >= 1, width > 0, ...). Data-dependent limits (clusters <= rows) are checked by
// MakeModel. Returns InvalidArgument naming the option; an unknown kind is an error.
Status ValidateModelOptions(const ModelOptions& options);

// The most parameters a model config may describe: 2^40 (8 TiB of doubles; LoadModel reads no
// more), so that a corrupt or hostile model file cannot describe a shape whose parameter count
// wraps around 64 bits and loads with fewer parameters than the model reads.
inline constexpr size_t kMaxModelParams = size_t{1} << 40;
// a * b + c, computed without overflow; any result above kMaxModelParams (or c above it) is
// given as kMaxModelParams + 1.
size_t ParamCount(size_t a, size_t b, size_t c = 0);

// Reads typed fields of a model config. The first missing or ill-typed field records an
// error ("model config for mlp: field 'inputs' must be a non-negative integer"); later reads
// then return zero values, so a FromConfig function reads everything and checks status()
// once. Not thread-safe.
class ConfigReader {
 public:
  ConfigReader(const nlohmann::json& config, std::string kind)
      : config_(config), kind_(std::move(kind)) {}

  // A non-negative integer.
  size_t Size(const char* name);
  // A finite number.
  double Number(const char* name);
  // An array of integers (possibly empty).
  std::vector<int> IntList(const char* name);
  // An array of finite numbers (possibly empty).
  std::vector<double> NumberList(const char* name);

  // Records an error about the config unless one is recorded already.
  void Fail(const std::string& sentence);
  const Status& status() const { return status_; }

 private:
  const nlohmann::json* Field(const char* name);

  const nlohmann::json& config_;
  std::string kind_;
  Status status_;
};

}  // namespace parley
