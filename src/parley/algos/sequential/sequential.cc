#include "parley/algos/sequential/sequential.h"

namespace parley {

std::vector<Role> SequentialSgd::Roles(const AlgorithmSetup& setup) {
  return {Role{"worker", [&setup](Node& node) {
                 std::unique_ptr<Model> model = setup.prototype->Clone();
                 const Dataset& data = *setup.shards.at(0);
                 Weights w(model->NumParams());
                 Rng init = setup.init_rng;
                 setup.InitParams(*model, w.Mutable(), init);
                 SgdOptimizer optimizer(setup.train_options.optimizer);
                 GradientBuffer g(model->NumParams(), model->SparseGradient());
                 Rng batch_rng = setup.BatchRng(0);
                 BatchStream batches(data.rows(), setup.train_options.batch_size, batch_rng, setup.train_options.first_epoch);
                 EvalClock eval(setup.train_options, data.rows());
                 // Plain SGD on a model with a fused step (sparse linear models): gradient
                 // and update in one pass, no gradient buffer.
                 const bool fused = optimizer.plain() && model->FusedSgdStep();
                 int64_t t = 0;
                 while (!node.ShouldStop() && !eval.Done()) {
                   std::span<const uint32_t> batch = batches.Next();
                   double loss;
                   if (fused) {
                     const double eta = optimizer.LearningRate(t);
                     loss = node.Compute(
                         [&] { return model->SgdStep(w, data, batch, eta, batches.Upcoming()); });
                   } else {
                     g.Clear();
                     loss = node.Compute(
                         [&] { return model->Gradient(w.view(), data, batch, g); });
                     optimizer.Step(w, g, model->L2(), t);
                   }
                   ++t;
                   if (eval.Advance(batch.size(), loss)) node.Report(eval.Take(t), w.view());
                   node.Tick(eval.epochs());
                 }
                 node.Report(eval.Take(t), w.view(), /*final=*/true);
               },
               /*worker=*/0}};
}

}  // namespace parley
