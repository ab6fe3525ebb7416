#include "parley/optim/sgd.h"

#include "parley/core/rng.h"

#include <gtest/gtest.h>

#include <cmath>

namespace parley {
namespace {

OptimizerOptions Opts(double lr, double momentum = 0) {
  OptimizerOptions o;
  o.schedule.lr = lr;
  o.momentum = momentum;
  return o;
}

TEST(Schedule, Kinds) {
  ScheduleOptions s;
  s.lr = 0.4;
  EXPECT_DOUBLE_EQ(Schedule(s).At(1000), 0.4);
  s.kind = "invsqrt";
  s.t0 = 100;
  EXPECT_DOUBLE_EQ(Schedule(s).At(300), 0.2);
  s.kind = "step";
  s.every = 10;
  s.factor = 0.5;
  EXPECT_DOUBLE_EQ(Schedule(s).At(9), 0.4);
  EXPECT_DOUBLE_EQ(Schedule(s).At(25), 0.1);
  s.kind = "cosine";
  Status st = ValidateSchedule(s);
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("--schedule"), std::string::npos);
}

TEST(Sgd, SparseScaledStepEqualsDenseStep) {
  // The O(touched) scaled update must give the same weights as the plain dense update.
  const size_t n = 50;
  Weights sparse_w(n), dense_w(n);
  for (size_t i = 0; i < n; ++i) sparse_w.raw()[i] = dense_w.raw()[i] = std::sin(i + 1.0);
  GradientBuffer gs(n, true), gd(n, false);
  SgdOptimizer os(Opts(0.1)), od(Opts(0.1));
  Rng rng(3);
  for (int t = 0; t < 200; ++t) {
    gs.Clear();
    gd.Clear();
    for (int k = 0; k < 3; ++k) {
      size_t i = rng.Below(n);
      double v = rng.Normal();
      gs.Add(i, v);
      gd.data()[i] += v;
    }
    os.Step(sparse_w, gs, 0.05, t);
    od.Step(dense_w, gd, 0.05, t);
  }
  auto a = sparse_w.Values();
  auto b = dense_w.Values();
  for (size_t i = 0; i < n; ++i) EXPECT_NEAR(a[i], b[i], 1e-12 * (1 + std::abs(b[i])));
}

TEST(Sgd, MomentumMinimisesQuadratic) {
  // f(w) = 1/2 ||w - c||^2: gradient w - c.
  const size_t n = 4;
  Weights w(n);
  GradientBuffer g(n, false);
  SgdOptimizer opt(Opts(0.1, 0.9));
  double c[n] = {1, -2, 3, 0.5};
  for (int t = 0; t < 500; ++t) {
    auto v = w.Values();
    for (size_t i = 0; i < n; ++i) g.data()[i] = v[i] - c[i];
    opt.Step(w, g, 0, t);
  }
  auto v = w.Values();
  for (size_t i = 0; i < n; ++i) EXPECT_NEAR(v[i], c[i], 1e-6);
}

TEST(Sgd, RejectsBadOptions) {
  EXPECT_FALSE(ValidateOptimizer(Opts(-1), 0).ok());
  EXPECT_FALSE(ValidateOptimizer(Opts(0.1, 1.0), 0).ok());
  Status s = ValidateOptimizer(Opts(10), 0.5);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("--l2"), std::string::npos);
}

}  // namespace
}  // namespace parley
