#include "parley/algos/algorithm.h"

#include "parley/algos/sequential/sequential.h"

namespace parley {

Status ValidateTrainOptions(const TrainOptions& o, const Model& model) {
  if (o.batch_size < 1)
    return InvalidArgument("--batch must be at least 1, got " + std::to_string(o.batch_size));
  if (!(o.epochs > 0)) return InvalidArgument("--epochs must be positive");
  if (!(o.eval_every > 0)) return InvalidArgument("--eval-every must be positive");
  return ValidateOptimizer(o.optimizer, model.L2());
}

StatusOr<std::unique_ptr<Algorithm>> MakeAlgorithm(const AlgorithmOptions& options) {
  if (options.name == "sequential") {
    if (options.workers != 1)
      return InvalidArgument("--algo sequential runs exactly one worker; got --workers " +
                             std::to_string(options.workers));
    return std::unique_ptr<Algorithm>(new SequentialSgd());
  }
  return InvalidArgument("--algo must be one of: sequential; got '" + options.name + "'");
}

}  // namespace parley
