#include "parley/runtime/model_file.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include "parley/data/test_files.h"

namespace parley {
namespace {

using testing_files::ExpectErrorWith;
using testing_files::ScratchDir;

// A model file of `config` and `params` parameters (all 0.5), with its checksum: the layout
// of model_file.h, written by hand so that it can say what SaveModel never would.
std::string ModelFileBytes(const std::string& config, uint64_t params) {
  std::string b = "PARLEYM\n";
  auto put = [&](auto v) { b.append(reinterpret_cast<const char*>(&v), sizeof v); };
  put(uint32_t{kModelFileVersion});
  put(static_cast<uint32_t>(config.size()));
  b += config;
  put(params);
  for (uint64_t i = 0; i < params; ++i) put(0.5);
  uint64_t h = 1469598103934665603ULL;  // FNV-1a 64, as the format ends
  for (char c : b) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ULL;
  }
  put(h);
  return b;
}

TEST(ModelFileTest, ReadsTheLayoutItDocuments) {
  ScratchDir dir;
  StatusOr<LoadedModel> m = LoadModel(dir.Write(
      "a.parley", ModelFileBytes(R"({"kind":"logreg","num_features":2,"bias":-1,"l2":0})", 2)));
  ASSERT_TRUE(m.ok()) << m.status().message();
  EXPECT_EQ(m->model->Kind(), "logreg");
  EXPECT_EQ(m->params, (std::vector<double>{0.5, 0.5}));
  EXPECT_TRUE(m->checkpoint.is_null());
}

// Regression (found by fuzz/model_file_fuzz.cc): a file of 0 parameters passed a null pointer
// to memcpy (undefined behaviour, reported by UBSan) before its config was checked.
TEST(ModelFileTest, ZeroParametersAreAnErrorNotUndefinedBehaviour) {
  ScratchDir dir;
  const std::string path = dir.Write(
      "zero.parley", ModelFileBytes(R"({"kind":"logreg","num_features":2,"bias":-1,"l2":0})", 0));
  ExpectErrorWith(LoadModel(path).status(), {"zero.parley", "holds 0 parameters"});
}

}  // namespace
}  // namespace parley
