#include "parley/algos/algorithm.h"

#include "parley/algos/asgd/asgd.h"
#include "parley/algos/asgd/balancer.h"
#include "parley/algos/hogwild/hogwild.h"
#include "parley/algos/pex/pex.h"
#include "parley/algos/ps/ps.h"
#include "parley/algos/sequential/sequential.h"
#include "parley/models/kmeans.h"

namespace parley {

Status ValidateTrainOptions(const TrainOptions& o, const Model& model) {
  if (o.batch_size < 1)
    return InvalidArgument("--batch must be at least 1, got " + std::to_string(o.batch_size));
  if (!(o.epochs > 0)) return InvalidArgument("--epochs must be positive");
  if (!(o.eval_every > 0)) return InvalidArgument("--eval-every must be positive");
  if (o.optimizer.momentum != 0 && UsesKMeansCountStep(model))
    return InvalidArgument("--momentum is not supported with --kmeans-step count (each centre's step "
                           "is set by its point count; momentum would keep moving centres that got "
                           "no points): use --momentum 0 or --kmeans-step lr");
  return ValidateOptimizer(o.optimizer, model.L2());
}

std::string AlgorithmNames() { return "sequential, sync, async, asgd, simu, lloyd, pex, pex-sync, hogwild"; }

std::string CountOf(int n, const std::string& role) {
  return std::to_string(n) + " " + role + (n == 1 ? "" : "s");
}

StatusOr<std::unique_ptr<Algorithm>> MakeAlgorithm(const AlgorithmOptions& options) {
  if (options.workers < 1)
    return InvalidArgument("--workers must be at least 1, got " + std::to_string(options.workers));
  if (!(options.deadline > 0)) return InvalidArgument("--deadline must be positive (seconds)");
  if (options.name != "asgd" &&
      (options.send_every != 0 || options.blocks != 1 || options.msg_blocks != 0 || options.balance != "off"))
    return InvalidArgument("--send-every, --blocks, --msg-blocks and --balance are for --algo asgd only");
  if (options.backup != 0 && options.name != "sync")
    return InvalidArgument("--backup is for --algo sync only");
  if (options.local_steps != 0 && options.name != "pex" && options.name != "pex-sync")
    return InvalidArgument("--local-steps is for --algo pex and pex-sync only");
  if (options.dense_exchange && options.name != "sync" && options.name != "async")
    return InvalidArgument("--dense-exchange is for --algo sync and async only");
  if (options.name == "sync" || options.name == "async") {
    if (options.servers < 1)
      return InvalidArgument("--servers must be at least 1, got " + std::to_string(options.servers));
    if (options.backup < 0 || options.backup >= options.workers)
      return InvalidArgument("--backup must be in [0, --workers - 1] (N = workers - backup gradients per step); got --backup " +
                             std::to_string(options.backup) + " with --workers " + std::to_string(options.workers));
    if (options.average < 0 || options.average >= 1)
      return InvalidArgument("--average must be in [0, 1) (0: off)");
    return std::unique_ptr<Algorithm>(new ParameterServerSgd(options.name == "sync", options));
  }
  if (options.servers != 1) return InvalidArgument("--servers is for --algo sync and async only");
  if (options.average != 0) return InvalidArgument("--average is for --algo sync and async only");
  if (options.name == "pex" || options.name == "pex-sync") {
    if (options.local_steps < 0)
      return InvalidArgument("--local-steps must be 0 (sized automatically) or at least 1, got " +
                             std::to_string(options.local_steps));
    return std::unique_ptr<Algorithm>(new ParameterExchange(options.name == "pex-sync", options));
  }
  if (options.name == "asgd" || options.name == "simu" || options.name == "lloyd") {
    if (options.send_every < 0)
      return InvalidArgument("--send-every must be 0 (sized automatically) or at least 1, got " +
                             std::to_string(options.send_every));
    if (options.blocks < 1)
      return InvalidArgument("--blocks must be at least 1, got " + std::to_string(options.blocks));
    if (options.msg_blocks < 0 || options.msg_blocks > options.blocks)
      return InvalidArgument("--msg-blocks must be in [0, --blocks] (0: all); got --msg-blocks " +
                             std::to_string(options.msg_blocks) + " with --blocks " + std::to_string(options.blocks));
    PARLEY_RETURN_IF_ERROR(ValidateBalancerMode(options.balance));
    if (options.name == "asgd") return std::unique_ptr<Algorithm>(new Asgd(options));
    if (options.name == "simu") return std::unique_ptr<Algorithm>(new SimuParallelSgd(options));
    return std::unique_ptr<Algorithm>(new LloydKmeans(options));
  }
  if (options.name == "hogwild") return std::unique_ptr<Algorithm>(new Hogwild(options));
  if (options.name == "sequential") {
    if (options.workers != 1)
      return InvalidArgument("--algo sequential runs exactly one worker; got --workers " +
                             std::to_string(options.workers));
    return std::unique_ptr<Algorithm>(new SequentialSgd());
  }
  return InvalidArgument("--algo must be one of: " + AlgorithmNames() + "; got '" + options.name + "'");
}

void AlgorithmSetup::InitParams(Model& model, std::span<double> w, Rng& rng) const {
  if (!init_params.empty()) {
    std::copy(init_params.begin(), init_params.end(), w.begin());
  } else {
    // Without the training set here (an MPI rank), only a model whose Init does not read it
    // comes this way (the runtime ships the others' init_params).
    static const Dataset kNoRows;
    model.Init(w, train ? *train : kNoRows, rng);
  }
  if (resume_params.empty()) return;
  // Checked against the model when the run was prepared (runtime/runner.cc).
  std::copy(resume_params.begin(), resume_params.end(), w.begin());
}

}  // namespace parley
