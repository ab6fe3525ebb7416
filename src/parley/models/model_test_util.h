// Helpers for the model tests: small datasets built in memory, a finite-difference gradient
// check, and a plain SGD loop. Test-only (included by *_test.cc files).
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <set>
#include <utility>
#include <vector>

#include "parley/core/rng.h"
#include "parley/data/dataset.h"
#include "parley/models/model.h"
#include "parley/optim/sgd.h"
#include "parley/optim/weights.h"

namespace parley::testing {

// Sparse rows from (column, value) lists.
inline Dataset SparseData(const std::vector<std::vector<std::pair<uint32_t, float>>>& rows,
                          const std::vector<float>& labels, uint32_t num_features) {
  Dataset d;
  d.kind = Dataset::Kind::kSparse;
  d.source = "test-sparse";
  d.sparse.num_features = num_features;
  for (const auto& row : rows) {
    for (auto [c, v] : row) {
      d.sparse.col.push_back(c);
      d.sparse.val.push_back(v);
    }
    d.sparse.row_ptr.push_back(d.sparse.col.size());
  }
  d.label = labels;
  return d;
}

// Random sparse rows: each feature present with probability density, values N(0, 1), labels
// +-1 at random.
inline Dataset RandomSparse(size_t rows, uint32_t features, double density, Rng& rng) {
  std::vector<std::vector<std::pair<uint32_t, float>>> data(rows);
  std::vector<float> labels(rows);
  for (size_t r = 0; r < rows; ++r) {
    for (uint32_t c = 0; c < features; ++c)
      if (rng.Uniform() < density) data[r].push_back({c, static_cast<float>(rng.Normal())});
    labels[r] = rng.Uniform() < 0.5 ? -1.0f : 1.0f;
  }
  return SparseData(data, labels, features);
}

inline Dataset DenseData(size_t cols, const std::vector<float>& x,
                         const std::vector<float>& labels) {
  Dataset d;
  d.kind = Dataset::Kind::kDense;
  d.source = "test-dense";
  d.dense.cols = cols;
  d.dense.x = x;
  d.label = labels;
  return d;
}

// Random dense rows with values N(0, 1) and labels drawn by label_of(rng).
template <class LabelFn>
Dataset RandomDense(size_t rows, size_t cols, Rng& rng, LabelFn label_of) {
  std::vector<float> x(rows * cols), y(rows);
  for (float& v : x) v = static_cast<float>(rng.Normal());
  for (float& v : y) v = label_of(rng);
  return DenseData(cols, x, y);
}

inline Dataset RatingsData(uint32_t users, uint32_t items, const std::vector<uint32_t>& u,
                           const std::vector<uint32_t>& i, const std::vector<float>& r) {
  Dataset d;
  d.kind = Dataset::Kind::kRatings;
  d.source = "test-ratings";
  d.ratings.num_users = users;
  d.ratings.num_items = items;
  d.ratings.user = u;
  d.ratings.item = i;
  d.ratings.rating = r;
  return d;
}

inline std::vector<uint32_t> AllRows(size_t n) {
  std::vector<uint32_t> rows(n);
  for (size_t i = 0; i < n; ++i) rows[i] = static_cast<uint32_t>(i);
  return rows;
}

inline std::vector<double> RandomVector(size_t n, double sd, Rng& rng) {
  std::vector<double> w(n);
  for (double& x : w) x = sd * rng.Normal();
  return w;
}

// The mean loss Gradient returns at w (scale 1).
inline double LossAt(Model& model, const std::vector<double>& w, const Dataset& data,
                     std::span<const uint32_t> rows) {
  GradientBuffer g(model.NumParams(), model.SparseGradient());
  return model.Gradient({w.data(), 1.0, w.size()}, data, rows, g);
}

// The gradient Gradient adds to a cleared buffer, as a dense vector.
inline std::vector<double> GradientAt(Model& model, const std::vector<double>& w,
                                      const Dataset& data, std::span<const uint32_t> rows,
                                      double scale = 1.0) {
  std::vector<double> v = w;
  for (double& x : v) x /= scale;
  GradientBuffer g(model.NumParams(), model.SparseGradient());
  model.Gradient({v.data(), scale, v.size()}, data, rows, g);
  return std::vector<double>(g.data(), g.data() + g.size());
}

// ||analytic - central finite differences|| / max of the two norms, over every coordinate.
inline double GradientError(Model& model, std::vector<double> w, const Dataset& data,
                            std::span<const uint32_t> rows, double h = 1e-6) {
  const std::vector<double> g = GradientAt(model, w, data, rows);
  double diff2 = 0, g2 = 0, fd2 = 0;
  for (size_t i = 0; i < w.size(); ++i) {
    const double orig = w[i];
    w[i] = orig + h;
    const double plus = LossAt(model, w, data, rows);
    w[i] = orig - h;
    const double minus = LossAt(model, w, data, rows);
    w[i] = orig;
    const double fd = (plus - minus) / (2 * h);
    diff2 += (g[i] - fd) * (g[i] - fd);
    g2 += g[i] * g[i];
    fd2 += fd * fd;
  }
  return std::sqrt(diff2) / std::max({std::sqrt(g2), std::sqrt(fd2), 1e-12});
}

// The coordinates a sparse Gradient touches.
inline std::set<uint32_t> Touched(Model& model, const std::vector<double>& w, const Dataset& data,
                                  std::span<const uint32_t> rows) {
  GradientBuffer g(model.NumParams(), true);
  model.Gradient({w.data(), 1.0, w.size()}, data, rows, g);
  return {g.touched().begin(), g.touched().end()};
}

// The GradientKeys contract on `rows`: with NaN at every coordinate outside the keys (and the
// weights at scale `scale`), Gradient returns the same loss and gradient as with the whole w,
// and touches no coordinate outside the keys.
inline void ExpectGradientKeysSuffice(Model& model, const std::vector<double>& w,
                                      const Dataset& data, std::span<const uint32_t> rows,
                                      double scale = 1.0) {
  std::vector<uint32_t> keys;
  model.GradientKeys(data, rows, keys);
  std::vector<double> v(w.size()), holed(w.size(), std::nan(""));
  for (size_t i = 0; i < w.size(); ++i) v[i] = w[i] / scale;
  for (uint32_t k : keys) {
    ASSERT_LT(k, w.size());
    holed[k] = v[k];
  }
  GradientBuffer full(model.NumParams(), model.SparseGradient());
  GradientBuffer part(model.NumParams(), model.SparseGradient());
  const double loss_full = model.Gradient({v.data(), scale, v.size()}, data, rows, full);
  const double loss_part = model.Gradient({holed.data(), scale, holed.size()}, data, rows, part);
  EXPECT_EQ(loss_full, loss_part);
  for (size_t i = 0; i < w.size(); ++i) ASSERT_EQ(full[i], part[i]) << "coordinate " << i;
  const std::set<uint32_t> key_set(keys.begin(), keys.end());
  if (model.SparseGradient()) {
    for (uint32_t t : part.touched()) EXPECT_TRUE(key_set.count(t)) << "touched " << t;
  }
}

// Plain SGD with the model's L2 for `epochs` passes in a seeded random order; returns the
// final weights.
inline Weights TrainSgd(Model& model, const Dataset& train, double lr, int epochs, size_t batch,
                        uint64_t seed, double momentum = 0) {
  Rng rng(seed);
  Weights w(model.NumParams());
  Rng init = rng.Fork("init");
  model.Init(w.Mutable(), train, init);
  OptimizerOptions o;
  o.schedule.lr = lr;
  o.momentum = momentum;
  SgdOptimizer opt(o);
  GradientBuffer g(model.NumParams(), model.SparseGradient());
  std::vector<uint32_t> order = AllRows(train.rows());
  int64_t t = 0;
  for (int e = 0; e < epochs; ++e) {
    rng.Shuffle(order);
    for (size_t b = 0; b < order.size(); b += batch) {
      const size_t n = std::min(batch, order.size() - b);
      g.Clear();
      model.Gradient(w.view(), train, std::span<const uint32_t>(order).subspan(b, n), g);
      opt.Step(w, g, model.L2(), t++);
    }
  }
  w.Materialize();
  return w;
}

// Config() -> MakeModelFromConfig() gives a model with the same Config and, on `data`, the
// same metrics at weights w.
inline void ExpectConfigRoundTrip(const Model& model, const std::vector<double>& w,
                                  const Dataset& data) {
  auto rebuilt = MakeModelFromConfig(model.Config());
  ASSERT_TRUE(rebuilt.ok()) << rebuilt.status().ToString();
  EXPECT_EQ((*rebuilt)->Config(), model.Config());
  EXPECT_EQ((*rebuilt)->Kind(), model.Kind());
  EXPECT_EQ((*rebuilt)->NumParams(), model.NumParams());
  EXPECT_EQ((*rebuilt)->SharedSize(), model.SharedSize());
  const WeightsView view{w.data(), 1.0, w.size()};
  EXPECT_EQ((*rebuilt)->Evaluate(view, data), model.Evaluate(view, data));
}

}  // namespace parley::testing
