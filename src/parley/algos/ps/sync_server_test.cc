// The sync server against hand-played workers: which gradients a step uses and which it drops.
#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <thread>

#include "parley/algos/ps/ps.h"
#include "parley/algos/ps/ps_common.h"
#include "parley/comm/inproc/inproc_transport.h"
#include "parley/data/generators.h"

namespace parley {
namespace {

// A RunContext that records reports and lets the test stop the run.
class FakeContext final : public RunContext {
 public:
  double Now() const override {
    return std::chrono::duration<double>(SteadyClock::now() - start_).count();
  }
  bool ShouldStop() const override { return stop.load(); }
  void Fail(int rank, Status s) override {
    std::lock_guard<std::mutex> lock(mu);
    failure = s;
    stop = true;
  }
  void Report(int rank, const Progress& p, WeightsView w, bool final) override {
    std::lock_guard<std::mutex> lock(mu);
    reports.push_back(p);
    if (final) finals++;
  }

  std::atomic<bool> stop{false};
  std::mutex mu;
  Status failure;
  std::vector<Progress> reports;
  int finals = 0;

 private:
  SteadyClock::time_point start_ = SteadyClock::now();
};

// A dense gradient and, when `want` is given, a sparse pull of those coordinates.
Bytes Grad(int64_t version, std::vector<double> values, int64_t request = 1,
           const std::vector<uint32_t>* want = nullptr) {
  GradientBuffer g(values.size(), false);
  for (size_t i = 0; i < values.size(); ++i) g.Add(i, values[i]);
  ps::Block all{0, values.size()};
  return ps::EncodeGradient(version, 1, 0.5, g, all, {}, request, want);
}

// The next parameters sent to `worker`, for a block of `block_size`.
ps::ParamsMsg ExpectParams(Node& worker, size_t block_size) {
  std::optional<Message> m = worker.Receive(std::chrono::seconds(5));
  EXPECT_TRUE(m.has_value());
  ps::ParamsMsg p;
  if (!m) return p;
  EXPECT_EQ(m->tag, ps::kParams);
  EXPECT_TRUE(ps::DecodeParams(m->payload, block_size, &p));
  return p;
}

TEST(SyncServer, UsesFirstNDistinctCurrentGradientsAndDropsTheRest) {
  Rng rng(3);
  Dataset data = GenerateSparseBinary(50, 4, 2, 0.0, rng);
  ModelOptions mo;
  mo.kind = "logreg";
  mo.l2 = 0;
  auto model = MakeModel(mo, data);
  ASSERT_TRUE(model.ok());
  const size_t d = (*model)->NumParams();

  AlgorithmSetup setup;
  setup.prototype = model->get();
  setup.train = &data;
  setup.shards = {&data, &data, &data};
  setup.train_options.optimizer.schedule.lr = 0.1;
  AlgorithmOptions o;
  o.name = "sync";
  o.workers = 3;
  o.backup = 1;  // N = 2
  o.deadline = 10;
  ParameterServerSgd algo(/*sync=*/true, o);
  std::vector<Role> roles = algo.Roles(setup);
  ASSERT_EQ(roles.size(), 4u);
  EXPECT_EQ(roles[0].name, "server");
  EXPECT_EQ(roles[3].worker, 2);

  RealClock clock;
  InprocTransport transport(4, clock);
  FakeContext ctx;
  Node server(0, "server", transport, ctx, Rng(1));
  std::vector<std::unique_ptr<Node>> w;
  for (int r = 1; r <= 3; ++r) w.push_back(std::make_unique<Node>(r, "worker", transport, ctx, Rng(r)));
  std::thread t([&] { roles[0].run(server); });

  std::vector<ps::ParamsMsg> v0;
  for (auto& n : w) v0.push_back(ExpectParams(*n, d));
  ASSERT_EQ(v0[0].values.size(), d);
  for (auto& p : v0) EXPECT_EQ(p.version, 0);

  auto vec = [&](double base) {
    std::vector<double> g(d);
    for (size_t i = 0; i < d; ++i) g[i] = base + static_cast<double>(i);
    return g;
  };
  // Step 0: worker 0 twice (the second is a duplicate), then worker 2; worker 1 is slow.
  w[0]->Send(0, ps::kGradient, Grad(0, vec(1)));
  w[0]->Send(0, ps::kGradient, Grad(0, vec(100)));
  w[2]->Send(0, ps::kGradient, Grad(0, vec(3)));
  std::vector<ps::ParamsMsg> v1;
  for (auto& n : w) v1.push_back(ExpectParams(*n, d));
  ASSERT_EQ(v1[0].version, 1);
  for (size_t i = 0; i < d; ++i) {
    const double expect = v0[0].scale * v0[0].values[i] - 0.1 * (vec(1)[i] + vec(3)[i]) / 2;
    EXPECT_NEAR(v1[0].scale * v1[0].values[i], expect, 1e-15) << i;
  }
  // Step 1: worker 1's late gradient for version 0 is stale; then workers 1 and 0 on version 1.
  w[1]->Send(0, ps::kGradient, Grad(0, vec(1000)));
  w[1]->Send(0, ps::kGradient, Grad(1, vec(5)));
  w[0]->Send(0, ps::kGradient, Grad(1, vec(7)));
  std::vector<ps::ParamsMsg> v2;
  for (auto& n : w) v2.push_back(ExpectParams(*n, d));
  ASSERT_EQ(v2[0].version, 2);
  for (size_t i = 0; i < d; ++i) {
    const double expect = v1[0].scale * v1[0].values[i] - 0.1 * (vec(5)[i] + vec(7)[i]) / 2;
    EXPECT_NEAR(v2[0].scale * v2[0].values[i], expect, 1e-15) << i;
  }

  ctx.stop = true;
  t.join();
  EXPECT_TRUE(ctx.failure.ok()) << ctx.failure.ToString();
  ASSERT_EQ(ctx.finals, 1);
  const nlohmann::json& extra = ctx.reports.back().extra;
  EXPECT_EQ(extra["applied"], nlohmann::json({2, 1, 1}));
  EXPECT_EQ(extra["dropped"], nlohmann::json({1, 1, 0}));
  EXPECT_EQ(ctx.reports.back().updates, 2);
  // Every worker was told to stop.
  for (auto& n : w) {
    std::optional<Message> m = n->Receive(std::chrono::seconds(5));
    ASSERT_TRUE(m.has_value());
    EXPECT_EQ(m->tag, ps::kStop);
  }
}

// A worker that asks for some coordinates gets the next version at just those; one whose
// gradient is stale gets the current version at its new request at once.
TEST(SyncServer, AnswersSparsePullsAtTheRequestedCoordinates) {
  Rng rng(3);
  Dataset data = GenerateSparseBinary(50, 6, 2, 0.0, rng);
  ModelOptions mo;
  mo.kind = "logreg";
  mo.l2 = 0;
  auto model = MakeModel(mo, data);
  ASSERT_TRUE(model.ok());
  const size_t d = (*model)->NumParams();
  AlgorithmSetup setup;
  setup.prototype = model->get();
  setup.train = &data;
  setup.shards = {&data, &data};
  setup.train_options.optimizer.schedule.lr = 0.1;
  AlgorithmOptions o;
  o.name = "sync";
  o.workers = 2;
  o.backup = 1;  // N = 1
  o.deadline = 10;
  ParameterServerSgd algo(/*sync=*/true, o);
  std::vector<Role> roles = algo.Roles(setup);
  RealClock clock;
  InprocTransport transport(3, clock);
  FakeContext ctx;
  Node server(0, "server", transport, ctx, Rng(1));
  Node w0(1, "worker", transport, ctx, Rng(2)), w1(2, "worker", transport, ctx, Rng(3));
  std::thread t([&] { roles[0].run(server); });

  const ps::ParamsMsg v0 = ExpectParams(w0, d);
  ExpectParams(w1, d);
  EXPECT_FALSE(v0.sparse);
  const std::vector<uint32_t> want0 = {4, 1}, want1 = {0, 5};
  const std::vector<double> g(d, 0.5);
  w0.Send(0, ps::kGradient, Grad(0, g, 1, &want0));
  const ps::ParamsMsg v1 = ExpectParams(w0, d);
  EXPECT_EQ(v1.version, 1);
  EXPECT_EQ(v1.answers, 1);
  ASSERT_TRUE(v1.sparse);
  EXPECT_EQ(v1.index, want0);
  ASSERT_EQ(v1.values.size(), 2u);
  for (size_t k = 0; k < 2; ++k) {
    const double expect = v0.scale * v0.values[want0[k]] - 0.1 * 0.5;  // N = 1: its gradient
    EXPECT_NEAR(v1.scale * v1.values[k], expect, 1e-15) << k;
  }
  // Worker 1 was sent version 1 whole (it has asked for nothing yet); its gradient for
  // version 0 is stale, and its request is answered at once with version 1 at {0, 5}.
  EXPECT_FALSE(ExpectParams(w1, d).sparse);
  w1.Send(0, ps::kGradient, Grad(0, g, 1, &want1));
  const ps::ParamsMsg a = ExpectParams(w1, d);
  EXPECT_EQ(a.version, 1);
  EXPECT_EQ(a.answers, 1);
  EXPECT_EQ(a.index, want1);
  ASSERT_EQ(a.values.size(), 2u);
  for (size_t k = 0; k < 2; ++k)
    EXPECT_NEAR(a.scale * a.values[k], v0.scale * v0.values[want1[k]] - 0.1 * 0.5, 1e-15) << k;

  ctx.stop = true;
  t.join();
  EXPECT_TRUE(ctx.failure.ok()) << ctx.failure.ToString();
}

TEST(SyncServer, NamesTheMissingWorkerAtTheDeadline) {
  Rng rng(3);
  Dataset data = GenerateSparseBinary(50, 4, 2, 0.0, rng);
  ModelOptions mo;
  mo.kind = "logreg";
  auto model = MakeModel(mo, data);
  ASSERT_TRUE(model.ok());
  const size_t d = (*model)->NumParams();
  AlgorithmSetup setup;
  setup.prototype = model->get();
  setup.train = &data;
  setup.shards = {&data, &data};
  AlgorithmOptions o;
  o.name = "sync";
  o.workers = 2;
  o.deadline = 0.3;
  ParameterServerSgd algo(true, o);
  std::vector<Role> roles = algo.Roles(setup);
  RealClock clock;
  InprocTransport transport(3, clock);
  FakeContext ctx;
  Node server(0, "server", transport, ctx, Rng(1));
  Node w0(1, "worker", transport, ctx, Rng(2));
  const auto start = SteadyClock::now();
  std::thread t([&] { roles[0].run(server); });
  ps::ParamsMsg p = ExpectParams(w0, d);
  w0.Send(0, ps::kGradient, Grad(0, std::vector<double>(p.values.size(), 1.0)));
  t.join();
  const double took = std::chrono::duration<double>(SteadyClock::now() - start).count();
  ASSERT_FALSE(ctx.failure.ok());
  EXPECT_EQ(ctx.failure.code(), StatusCode::kDeadlineExceeded);
  EXPECT_NE(ctx.failure.message().find("worker 1 (rank 2) (no gradient yet)"), std::string::npos)
      << ctx.failure.message();
  EXPECT_EQ(ctx.failure.message().find("worker 0"), std::string::npos) << ctx.failure.message();
  EXPECT_LT(took, 5.0);
}

TEST(PsWire, BlocksCoverTheParametersAndGradientsRoundTrip) {
  auto blocks = ps::SplitBlocks(10, 3);
  ASSERT_EQ(blocks.size(), 3u);
  EXPECT_EQ(blocks[0].begin, 0u);
  EXPECT_EQ(blocks[2].end, 10u);
  for (size_t i = 0; i < 10; ++i) {
    const int b = ps::BlockOf(blocks, i);
    EXPECT_GE(i, blocks[b].begin);
    EXPECT_LT(i, blocks[b].end);
  }
  GradientBuffer g(1000, true);
  g.Add(7, 1.5);
  g.Add(900, -2);
  ps::Block all{0, 1000};
  const std::vector<uint32_t> want = {3, 999, 3};
  Bytes b = ps::EncodeGradient(4, 32, 0.25, g, all, g.touched(), 7, &want);
  ps::GradientMsg m;
  ASSERT_TRUE(ps::DecodeGradient(b, 1000, &m));
  EXPECT_TRUE(m.sparse);
  EXPECT_EQ(m.version, 4);
  EXPECT_EQ(m.rows, 32);
  EXPECT_EQ(m.request, 7);
  EXPECT_TRUE(m.pull_sparse);
  EXPECT_EQ(m.want, want);
  GradientBuffer h(1000, true);
  ps::AddGradient(m, 2.0, h);
  EXPECT_EQ(h[7], 3.0);
  EXPECT_EQ(h[900], -4.0);
  EXPECT_EQ(h.touched().size(), 2u);
  b.pop_back();
  EXPECT_FALSE(ps::DecodeGradient(b, 1000, &m));  // truncated payloads are rejected

  const std::vector<double> block = {10, 11, 12, 13};
  const std::vector<uint32_t> keys = {2, 0};
  ps::ParamsMsg p;
  ASSERT_TRUE(ps::DecodeParams(ps::EncodeParams(5, 9, 0.5, block, &keys), block.size(), &p));
  EXPECT_EQ(p.version, 5);
  EXPECT_EQ(p.answers, 9);
  EXPECT_EQ(p.scale, 0.5);
  EXPECT_TRUE(p.sparse);
  EXPECT_EQ(p.index, keys);
  EXPECT_EQ(p.values, (std::vector<double>{12, 10}));
  Bytes dense = ps::EncodeParams(5, 9, 0.5, block, nullptr);
  ASSERT_TRUE(ps::DecodeParams(dense, block.size(), &p));
  EXPECT_FALSE(p.sparse);
  EXPECT_EQ(p.values, block);
  dense.pop_back();
  EXPECT_FALSE(ps::DecodeParams(dense, block.size(), &p));
}

}  // namespace
}  // namespace parley
