#include "parley/models/config_util.h"

#include <gtest/gtest.h>

namespace parley {
namespace {

TEST(ConfigUtilTest, ParamCountSaturatesInsteadOfWrapping) {
  EXPECT_EQ(ParamCount(3, 4, 5), 17u);
  EXPECT_EQ(ParamCount(0, size_t{1} << 63), 0u);
  EXPECT_EQ(ParamCount(kMaxModelParams, 1), kMaxModelParams);
  EXPECT_EQ(ParamCount(kMaxModelParams, 1, 1), kMaxModelParams + 1);
  EXPECT_EQ(ParamCount(size_t{1} << 62, 4), kMaxModelParams + 1);  // 2^64: 0 if it wrapped
  EXPECT_EQ(ParamCount(1, 1, kMaxModelParams + 7), kMaxModelParams + 1);
}

// Regression (found with fuzz/model_file_fuzz.cc): a model file's config could describe a
// shape whose parameter count wraps around 64 bits (kmeans with 2^62 clusters of 4 dims has
// "0" parameters), so that a file of a few parameters loaded and `parley eval` then read or
// allocated for 2^62 centres.
TEST(ConfigUtilTest, ConfigsOfMoreThan2To40ParametersAreRefused) {
  const size_t huge = size_t{1} << 62;
  auto refused = [](const nlohmann::json& config) {
    StatusOr<std::unique_ptr<Model>> m = MakeModelFromConfig(config);
    ASSERT_FALSE(m.ok()) << config.dump();
    EXPECT_NE(m.status().message().find("2^40 parameters"), std::string::npos)
        << m.status().message();
  };
  refused({{"kind", "kmeans"}, {"clusters", huge}, {"dim", 4}});
  refused({{"kind", "twolayer"}, {"dim", 4}, {"width", huge}, {"threshold", 0.5}, {"signs", {1}}});
  refused({{"kind", "mlp"}, {"inputs", huge}, {"classes", 2}, {"hidden", {4}}, {"l2", 0}});
  refused({{"kind", "softmax"}, {"inputs", huge}, {"classes", 4}, {"l2", 0}});
  refused({{"kind", "mf"}, {"users", huge}, {"items", 2}, {"rank", 3}, {"l2", 0.1},
           {"init_scale", 0.1}, {"rating_min", 1}, {"rating_max", 5}});
  EXPECT_TRUE(MakeModelFromConfig({{"kind", "kmeans"}, {"clusters", 1 << 20}, {"dim", 1 << 20}})
                  .ok());  // exactly 2^40
}

}  // namespace
}  // namespace parley
