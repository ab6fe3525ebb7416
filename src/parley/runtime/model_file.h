// The model file: a trained model that `parley eval` and `parley predict` load.
//
// Layout (little-endian):
//   8 bytes  magic "PARLEYM\n"
//   u32      format version (1)
//   u32      length L of the config JSON
//   L bytes  Model::Config() as JSON (kind, shapes, hyperparameters); a checkpoint adds the
//            key "checkpoint": where the run was (epoch, updates, algorithm, seed)
//   u64      number of parameters P
//   P f64    parameters
//   u64      FNV-1a 64 checksum of every byte above
// Written atomically (temporary file, fsync, rename), so a crash never leaves a torn file.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "parley/core/status.h"
#include "parley/models/model.h"

namespace parley {

inline constexpr uint32_t kModelFileVersion = 1;

// `checkpoint` (an object, or null for a plain model file) is stored in the config JSON.
Status SaveModel(const std::string& path, const Model& model, std::span<const double> params,
                 const nlohmann::json& checkpoint = nullptr);

struct LoadedModel {
  std::unique_ptr<Model> model;
  std::vector<double> params;
  nlohmann::json checkpoint;  // null unless the file is a checkpoint (train --checkpoint)
};
// Errors name the file and what is wrong: not a parley model file, unsupported version,
// truncated, checksum mismatch, or a config the factory rejects.
StatusOr<LoadedModel> LoadModel(const std::string& path);

// The checksum a model file ends with: FNV-1a 64 of every byte before it.
uint64_t ModelFileChecksum(std::string_view bytes);

// Writes bytes to path atomically: path.tmp.<pid>, fsync, rename over path.
Status WriteFileAtomic(const std::string& path, std::string_view bytes);

}  // namespace parley
