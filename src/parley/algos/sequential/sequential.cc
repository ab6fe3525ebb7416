#include "parley/algos/sequential/sequential.h"

namespace parley {

std::vector<Role> SequentialSgd::Roles(const AlgorithmSetup& setup) {
  return {Role{"worker", [&setup](Node& node) {
                 LocalLearner learner(setup, /*shard=*/0);
                 Rng init = setup.init_rng;
                 setup.InitParams(learner.model(), learner.w().Mutable(), init);
                 EvalClock eval(setup.train_options, learner.data().rows());
                 int64_t t = 0;
                 while (!node.ShouldStop() && !eval.Done()) {
                   const double loss = learner.Step(node, t);
                   ++t;
                   if (eval.Advance(learner.batch().size(), loss))
                     node.Report(eval.Take(t), learner.w().view());
                   node.Tick(eval.epochs());
                 }
                 node.Report(eval.Take(t), learner.w().view(), /*final=*/true);
               },
               /*worker=*/0}};
}

}  // namespace parley
