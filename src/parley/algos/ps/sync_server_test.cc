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

// A sync server (rank 0) over a small sparse logistic regression (50 rows of `features`
// features, one shard per worker), its role started on a thread, and `played` of its workers
// as nodes the test sends and receives with (worker i on rank i + 1).
struct ServerRun {
  ServerRun(uint32_t features, int workers, int played, int backup, double deadline,
            double l2 = 0) {
    Rng rng(3);
    data = GenerateSparseBinary(50, features, 2, 0.0, rng);
    ModelOptions mo;
    mo.kind = "logreg";
    mo.l2 = l2;
    auto made = MakeModel(mo, data);
    EXPECT_TRUE(made.ok());
    model = std::move(*made);
    d = model->NumParams();
    setup.prototype = model.get();
    setup.train = &data;
    setup.shards.assign(static_cast<size_t>(workers), &data);
    setup.train_options.optimizer.schedule.lr = 0.1;
    AlgorithmOptions o;
    o.name = "sync";
    o.workers = workers;
    o.backup = backup;
    o.deadline = deadline;
    algo = std::make_unique<ParameterServerSgd>(/*sync=*/true, o);
    roles = algo->Roles(setup);
    transport = std::make_unique<InprocTransport>(1 + workers, clock);
    server = std::make_unique<Node>(0, "server", *transport, ctx, Rng(1));
    for (int r = 1; r <= played; ++r)
      w.push_back(std::make_unique<Node>(r, "worker", *transport, ctx, Rng(r + 1)));
    thread = std::thread([this] { roles[0].run(*server); });
  }
  ~ServerRun() {
    if (thread.joinable()) {
      ctx.stop = true;
      thread.join();
    }
  }
  void Stop() {
    ctx.stop = true;
    thread.join();
  }

  Dataset data;
  std::unique_ptr<Model> model;
  size_t d = 0;
  AlgorithmSetup setup;
  std::unique_ptr<ParameterServerSgd> algo;
  std::vector<Role> roles;
  RealClock clock;
  std::unique_ptr<InprocTransport> transport;
  FakeContext ctx;
  std::unique_ptr<Node> server;
  std::vector<std::unique_ptr<Node>> w;
  std::thread thread;
};

TEST(SyncServer, UsesFirstNDistinctCurrentGradientsAndDropsTheRest) {
  // N = 2 of 3 workers.
  ServerRun run(/*features=*/4, /*workers=*/3, /*played=*/3, /*backup=*/1, /*deadline=*/10);
  ASSERT_EQ(run.roles.size(), 4u);
  EXPECT_EQ(run.roles[0].name, "server");
  EXPECT_EQ(run.roles[3].worker, 2);
  const size_t d = run.d;
  auto& w = run.w;
  FakeContext& ctx = run.ctx;

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

  run.Stop();
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
  // N = 1 of 2 workers.
  ServerRun run(/*features=*/6, /*workers=*/2, /*played=*/2, /*backup=*/1, /*deadline=*/10);
  const size_t d = run.d;
  Node& w0 = *run.w[0];
  Node& w1 = *run.w[1];
  FakeContext& ctx = run.ctx;

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

  run.Stop();
  EXPECT_TRUE(ctx.failure.ok()) << ctx.failure.ToString();
}

TEST(SyncServer, NamesTheMissingWorkerAtTheDeadline) {
  const auto start = SteadyClock::now();
  ServerRun run(/*features=*/4, /*workers=*/2, /*played=*/1, /*backup=*/0, /*deadline=*/0.3,
                /*l2=*/1e-4);
  const size_t d = run.d;
  Node& w0 = *run.w[0];
  FakeContext& ctx = run.ctx;
  ps::ParamsMsg p = ExpectParams(w0, d);
  w0.Send(0, ps::kGradient, Grad(0, std::vector<double>(p.values.size(), 1.0)));
  run.thread.join();
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
