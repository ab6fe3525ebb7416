#include "parley/algos/hogwild/hogwild.h"

#include <algorithm>
#include <string>

#include "parley/algos/sgd_loop.h"

namespace parley {
namespace {

enum Tag : int {
  kDone = 31,  // worker -> worker 0: my steps are all in the shared parameters
};

int64_t AllSteps(const HogwildShared& s, int workers) {
  int64_t sum = 0;
  for (int i = 0; i < workers; ++i)
    sum += s.steps[static_cast<size_t>(i)].v.load(std::memory_order_relaxed);
  return sum;
}

// Worker 0, after its own last step: waits for the other workers' kDone (at most `deadline`
// seconds, or 2 s once the run is stopping) and returns how many workers have finished.
int AwaitWorkers(Node& node, int workers, double deadline) {
  std::vector<char> seen(static_cast<size_t>(workers), 0);
  seen[0] = 1;
  int done = 1;
  auto is_done = [&](const Message& m) { return m.tag == kDone && m.from > 0 && m.from < workers; };
  const double start = node.Now();
  while (done < workers) {
    Awaited a = node.Await(is_done, start + deadline);
    if (!a.has_message()) {
      const double waited = node.Now() - start;  // once stopping, 2 s at most
      if (waited > deadline || (a.stopped() && waited > 2.0)) break;
      continue;
    }
    char& s = seen[static_cast<size_t>(a.message.from)];
    done += s == 0;
    s = 1;
  }
  if (done < workers) {
    nlohmann::json missing = nlohmann::json::array();
    for (int i = 1; i < workers; ++i)
      if (!seen[static_cast<size_t>(i)]) missing.push_back(i);
    node.Event({{"event", "workers_unfinished"},
                {"workers", missing},
                {"detail", "no end-of-run message within --deadline; "
                           "what they wrote before is in the final parameters"}});
  }
  return done;
}

void RunHogwildWorker(Node& node, const AlgorithmSetup& setup, const AlgorithmOptions& o, int index,
                      HogwildShared& s) {
  std::unique_ptr<Model> model = setup.prototype->Clone();
  const Dataset& data = *setup.shards.at(static_cast<size_t>(index));
  const size_t n = model->NumParams();
  std::call_once(s.init, [&] {
    std::unique_ptr<Model> m = model->Clone();
    s.w = Weights(n);
    Rng rng = setup.init_rng;
    setup.InitParams(*m, s.w.Mutable(), rng);
  });
  Weights& w = s.w;  // shared; its scale stays 1 (nothing here calls ScaleBy)
  SgdOptimizer optimizer(setup.train_options.optimizer);
  GradientBuffer g(n, model->SparseGradient());
  BatchStream batches(data.rows(), setup.train_options.batch_size, setup.BatchRng(index),
                      setup.train_options.first_epoch);
  EvalClock eval(setup.train_options, data.rows());
  const double lambda = model->L2();
  // Plain SGD on a sparse model with L2: steps without the decay, the decay in bulk (header),
  // every `decay_every` steps: about n / (coordinates a step touches, from the shard's mean
  // row length and the bias).
  const bool bulk_decay = optimizer.plain() && model->SparseGradient() && lambda != 0;
  std::unique_ptr<Model> no_l2 = bulk_decay ? model->WithoutL2() : nullptr;
  Model& stepper = no_l2 ? *no_l2 : *model;
  const bool fused = optimizer.plain() && model->FusedSgdStep() && (!bulk_decay || no_l2);
  int64_t decay_every = 1;
  if (bulk_decay) {
    const double rows = static_cast<double>(std::max<size_t>(1, data.rows()));
    const double per_row = 1 + static_cast<double>(data.sparse.col.size()) / rows;
    const double touched = per_row * setup.train_options.batch_size;
    decay_every = std::max<int64_t>(1, static_cast<int64_t>(static_cast<double>(n) / touched));
  }
  double owed = 1;  // product of (1 - eta_t lambda) not yet applied
  auto apply_decay = [&] {
    if (owed != 1) {
      double* v = w.raw().data();
      for (size_t i = 0; i < n; ++i) v[i] *= owed;
    }
    owed = 1;
  };
  int64_t t = 0;
  while (!node.ShouldStop() && !eval.Done()) {
    std::span<const uint32_t> batch = batches.Next();
    const double eta = optimizer.LearningRate(t);
    double loss;
    if (fused) {
      loss = node.Compute([&] { return stepper.SgdStep(w, data, batch, eta, batches.Upcoming()); });
    } else {
      g.Clear();
      loss = node.Compute([&] { return model->Gradient(w.view(), data, batch, g); });
      if (bulk_decay) PlainSgdStep(w, g, eta, /*lambda=*/0);
      else optimizer.Step(w, g, lambda, t);
    }
    ++t;
    if (bulk_decay) {
      owed *= 1 - eta * lambda;
      if (t % decay_every == 0) apply_decay();
    }
    s.steps[static_cast<size_t>(index)].v.store(t, std::memory_order_relaxed);
    const bool due = eval.Advance(batch.size(), loss);
    if (index == 0 && due) node.Report(eval.Take(AllSteps(s, o.workers)), w.view());
    node.Tick(eval.epochs());
  }
  apply_decay();
  if (index != 0) {
    node.Send(0, kDone, Bytes{});
    return;
  }
  const int finished = AwaitWorkers(node, o.workers, o.deadline);
  Progress p = eval.Take(AllSteps(s, o.workers));
  p.extra = {{"workers_finished", finished}};
  node.Report(p, w.view(), /*final=*/true);
}

}  // namespace

std::vector<Role> Hogwild::Roles(const AlgorithmSetup& setup) {
  shared_ = std::make_shared<HogwildShared>(o_.workers);
  std::vector<Role> roles;
  for (int i = 0; i < o_.workers; ++i)
    roles.push_back(Role{"worker", [this, &setup, i, s = shared_](Node& node) {
                           RunHogwildWorker(node, setup, o_, i, *s);
                         }, i});
  return roles;
}

}  // namespace parley
