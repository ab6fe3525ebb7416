// MakeModel / MakeModelFromConfig: option and data validation, and config round trips for
// every kind.
#include <gtest/gtest.h>

#include "parley/models/model.h"
#include "parley/models/model_test_util.h"

namespace parley {
namespace {

using namespace parley::testing;

Dataset Sparse() {
  Rng rng(80);
  return RandomSparse(20, 8, 0.4, rng);
}
Dataset Dense(int classes = 3) {
  Rng rng(81);
  return RandomDense(20, 4, rng, [&](Rng& r) { return static_cast<float>(r.Below(classes)); });
}
Dataset Ratings() { return RatingsData(3, 4, {0, 1, 2, 2}, {0, 3, 1, 2}, {1, 2, 5, 4}); }

void ExpectInvalid(const ModelOptions& o, const Dataset& d, const std::string& fragment) {
  auto m = MakeModel(o, d);
  ASSERT_FALSE(m.ok()) << o.kind;
  EXPECT_EQ(m.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(m.status().message().find(fragment), std::string::npos) << m.status().message();
}

TEST(ModelFactoryTest, BuildsEveryKindWithShapesFromTheData) {
  struct Case {
    ModelOptions o;
    Dataset d;
    size_t params;
  };
  const std::vector<Case> cases = {
      {{.kind = "logreg", .bias = 1}, Sparse(), 9},
      {{.kind = "svm"}, Sparse(), 8},
      {{.kind = "softmax"}, Dense(), 4 * 3 + 3},
      {{.kind = "mlp", .hidden = {5}}, Dense(), (4 * 5 + 5) + (5 * 3 + 3)},
      {{.kind = "mf", .rank = 2}, Ratings(), 1 + 4 * 3 + 3 * 3},
      {{.kind = "kmeans", .clusters = 3}, Dense(), 12},
      {{.kind = "twolayer", .width = 7}, Dense(), 28},
  };
  for (const Case& c : cases) {
    auto m = MakeModel(c.o, c.d);
    ASSERT_TRUE(m.ok()) << c.o.kind << ": " << m.status().ToString();
    EXPECT_EQ((*m)->Kind(), c.o.kind);
    EXPECT_EQ((*m)->NumParams(), c.params) << c.o.kind;
    // Init, then Config -> MakeModelFromConfig -> same config and metrics.
    std::vector<double> w((*m)->NumParams());
    Rng rng(82);
    (*m)->Init(w, c.d, rng);
    ExpectConfigRoundTrip(**m, w, c.d);
    // An empty batch adds nothing and has loss 0.
    GradientBuffer g((*m)->NumParams(), (*m)->SparseGradient());
    EXPECT_EQ((*m)->Gradient({w.data(), 1.0, w.size()}, c.d, {}, g), 0.0);
    for (size_t i = 0; i < g.size(); ++i) ASSERT_EQ(g[i], 0.0);
  }
}

// A model built from the data's shape (as an MPI rank builds it, without the rows) is the model
// built from the data; a model that says its Init does not read the data draws the same
// parameters without it.
TEST(ModelFactoryTest, ShapeGivesTheSameModelAndInitReadsDataIsHonest) {
  const std::vector<std::pair<ModelOptions, Dataset>> cases = {
      {{.kind = "logreg", .bias = 1}, Sparse()}, {{.kind = "svm"}, Sparse()},
      {{.kind = "softmax"}, Dense()},            {{.kind = "mlp", .hidden = {5}}, Dense()},
      {{.kind = "mf", .rank = 2}, Ratings()},    {{.kind = "kmeans", .clusters = 3}, Dense()},
      {{.kind = "twolayer", .width = 7}, Dense()}};
  for (const auto& [o, d] : cases) {
    auto a = MakeModel(o, d);
    auto b = MakeModel(o, DataShape::Of(d), d.Empty());
    ASSERT_TRUE(a.ok() && b.ok()) << o.kind;
    EXPECT_EQ((*a)->Config(), (*b)->Config()) << o.kind;
    if ((*a)->InitReadsData()) continue;
    std::vector<double> with((*a)->NumParams()), without(with.size());
    Rng r1(3), r2(3);
    (*a)->Init(with, d, r1);
    (*b)->Init(without, Dataset{}, r2);
    EXPECT_EQ(with, without) << o.kind;
  }
  EXPECT_TRUE(MakeModel({.kind = "kmeans", .clusters = 3}, Dense()).value()->InitReadsData());
  // MF's initial mean comes from the shape (DataShape::rating_sum): its Init reads no rows, and
  // the loop above checked that it gives the same parameters without them.
  EXPECT_FALSE(MakeModel({.kind = "mf", .rank = 2}, Ratings()).value()->InitReadsData());
}

TEST(ModelFactoryTest, RejectsBadOptions) {
  ExpectInvalid({.kind = "forest"}, Dense(), "unknown model kind 'forest'");
  ExpectInvalid({.kind = "logreg", .l2 = -1}, Sparse(), "l2 must be");
  ExpectInvalid({.kind = "logreg", .l2 = NAN}, Sparse(), "l2 must be");
  ExpectInvalid({.kind = "mlp", .hidden = {8, 0}}, Dense(), "hidden layer widths must be > 0");
  ExpectInvalid({.kind = "mlp", .hidden = {}}, Dense(), "at least one hidden layer");
  ExpectInvalid({.kind = "mf", .rank = 0}, Ratings(), "rank must be > 0");
  ExpectInvalid({.kind = "mf", .init_scale = 0}, Ratings(), "init_scale");
  ExpectInvalid({.kind = "kmeans", .clusters = 0}, Dense(), "clusters must be >= 1");
  ExpectInvalid({.kind = "kmeans", .clusters = 21}, Dense(), "at least as many training points");
  ExpectInvalid({.kind = "twolayer", .width = 0}, Dense(), "width must be > 0");
}

TEST(ModelFactoryTest, RejectsDataOfTheWrongKind) {
  ExpectInvalid({.kind = "logreg"}, Dense(), "needs sparse (LIBSVM) rows");
  ExpectInvalid({.kind = "svm"}, Ratings(), "needs sparse (LIBSVM) rows");
  ExpectInvalid({.kind = "mlp"}, Sparse(), "needs dense rows");
  ExpectInvalid({.kind = "softmax"}, Ratings(), "needs dense rows");
  ExpectInvalid({.kind = "mf"}, Dense(), "needs ratings");
  ExpectInvalid({.kind = "kmeans"}, Sparse(), "needs dense rows");
  ExpectInvalid({.kind = "twolayer"}, Ratings(), "needs dense rows");
  Dataset regression = Dense();
  regression.label[0] = 0.5;
  ExpectInvalid({.kind = "softmax"}, regression, "class labels 0..C-1");
  Dataset empty;
  empty.source = "empty.csv";
  ExpectInvalid({.kind = "kmeans"}, empty, "empty.csv is empty");
}

TEST(ModelFactoryTest, RejectsBadConfigs) {
  auto bad = [](const nlohmann::json& j, const std::string& fragment) {
    auto m = MakeModelFromConfig(j);
    ASSERT_FALSE(m.ok()) << j.dump();
    EXPECT_EQ(m.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(m.status().message().find(fragment), std::string::npos) << m.status().message();
  };
  bad(nlohmann::json::array(), "string field 'kind'");
  bad({{"kind", "tree"}}, "unknown model kind 'tree'");
  bad({{"kind", "logreg"}, {"bias", -1}, {"l2", 0}}, "'num_features' is missing");
  bad({{"kind", "logreg"}, {"num_features", -3}, {"bias", -1}, {"l2", 0}},
      "'num_features' must be a non-negative integer");
  bad({{"kind", "mlp"}, {"inputs", 4}, {"classes", 3}, {"l2", 0}, {"hidden", {4, -1}}},
      "hidden layer widths");
  bad({{"kind", "softmax"}, {"inputs", 4}, {"classes", 1}, {"l2", 0}}, "at least 2 classes");
  bad({{"kind", "mf"},
       {"users", 2},
       {"items", 2},
       {"rank", 0},
       {"l2", 0.1},
       {"init_scale", 0.1},
       {"rating_min", 1},
       {"rating_max", 5}},
      "rank must be > 0");
  bad({{"kind", "kmeans"}, {"clusters", 0}, {"dim", 2}}, "clusters >= 1");
  bad({{"kind", "twolayer"}, {"dim", 2}, {"width", 2}, {"threshold", 0.5}, {"signs", {1, 0}}},
      "signs must be -1 or +1");
  bad({{"kind", "twolayer"}, {"dim", 2}, {"width", 3}, {"threshold", 0.5}, {"signs", {1, 1}}},
      "2 signs for width 3");
}

}  // namespace
}  // namespace parley
