#include <algorithm>
#include <cstdio>
#include <iostream>

#include "parley/cli/commands.h"
#include "parley/kron/kron_file.h"
#include "parley/kron/kron_run.h"
#include "parley/runtime/ranks.h"
#include "parley/runtime/runner.h"

namespace parley {

struct TrainCommand {
  RunOptions o;
  std::string target;  // "metric=value"
  // Emulation flags, parsed into o.emulation by RunTrainCommand.
  std::string slowdown, stragglers, kill, network = "none";
  double latency = -1, bandwidth = -1, jitter = -1, network_slowdown = 1;
  bool no_progress = false;
  CLI::App* app = nullptr;
  KronRunOptions kron;  // Kronecker-structured SGD (src/parley/kron)
};

std::shared_ptr<TrainCommand> AddTrainCommand(CLI::App& app) {
  auto c = std::make_shared<TrainCommand>();
  CLI::App* t = app.add_subcommand("train", "Train a model and write its metrics, summary and model file");
  c->app = t;
  RunOptions& o = c->o;
  t->option_defaults()->always_capture_default()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  t->add_option("--config", "TOML file with the same keys as these flags, without dashes; flags on the command line win");

  auto data = "Data";
  t->add_option("--data", o.train_path, "Training data: LIBSVM (.svm), ratings (CSV with userId,movieId,rating or MovieLens user::item::rating::time), IDX images (*-images-idx3-ubyte[.gz], labels beside), dense CSV (csv:path, label first); a format: prefix (libsvm:, ratings:, idx:, csv:) forces the reader")->group(data);
  t->add_option("--test", o.test_path, "Held-out data, same format as --data")->group(data);
  t->add_option("--max-features", o.max_features, "LIBSVM: the largest feature index accepted; the model holds 8 bytes per feature in every parameter copy (default 67108864: 512 MiB)")->group(data)->check(CLI::Range(1u, 4294967295u));
  t->add_option("--test-fraction", o.test_fraction, "Without --test: hold out this fraction of --data (seeded split)")->check(CLI::Range(0.0, 0.99))->group(data);
  t->add_option("--train-eval-rows", o.train_eval_rows, "Train metrics use a seeded sample of this many rows (0: all)")->group(data);

  auto model = "Model";
  t->add_option("--model", o.model.kind, "logreg | svm | softmax | mlp | mf | kmeans | twolayer")->group(model);
  t->add_option("--l2", o.model.l2, "L2 coefficient: objective = mean loss + l2/2 ||w||^2 (mf: per rating)")->group(model);
  t->add_option("--bias", o.model.bias, "logreg/svm: append a constant feature of this value, like liblinear -B (< 0: none)")->group(model);
  t->add_option("--hidden", o.model.hidden, "mlp: hidden layer widths, comma separated")->delimiter(',')->group(model);
  t->add_option("--rank", o.model.rank, "mf: latent dimension")->group(model);
  t->add_option("--clusters", o.model.clusters, "kmeans: number of centres k")->group(model);
  t->add_option("--kmeans-step", o.model.kmeans_step, "kmeans: lr (gradient of the batch-mean loss, step --lr) | count (each centre moves by --lr x its points in the batch / all points it was assigned so far, counted per worker: with --lr 1 a running mean, MiniBatchKMeans' update; no --momentum, no --resume)")->group(model);
  t->add_option("--kmeans-threads", o.model.kmeans_threads, "kmeans: threads that search each mini-batch's nearest centres, per worker or peer (0: one per core; default 1); the results are the same to the bit for any number")->group(model);
  t->add_option("--width", o.model.width, "twolayer: number of neurons m")->group(model);
  t->add_option("--init-scale", o.model.init_scale, "mf: standard deviation of initial factors")->group(model);
  // Kronecker-structured SGD (src/parley/kron, docs/kron.md).
  t->add_flag("--kron", c->kron.kron, "twolayer on a Kronecker points file (docs/kron.md): the Kronecker trainer, whose step cost does not grow with d; without it such a file trains with the dense baseline (explicit W, same trajectory)")->group(model);
  t->add_option("--kron-threads", c->kron.threads, "--kron: threads for initialisation and the P updates (0: one per core)")->check(CLI::NonNegativeNumber)->group(model);

  auto algo = "Algorithm";
  t->add_option("--algo", o.algo.name, "sequential | sync (synchronous, with --backup workers) | async (parameter server, gradients applied on arrival) | pex (asynchronous parameter exchange with a master) | pex-sync (its synchronous counterpart: periodic model averaging) | asgd (peer to peer, Parzen-window merging) | simu (SimuParallelSGD: average at the end) | lloyd (batch K-means) | hogwild (lock-free SGD on one shared parameter vector; in-process only)")->group(algo);
  t->add_option("--workers", o.algo.workers, "Worker roles (sync: N + b, of which the first N gradients of each step are used)")->group(algo);
  t->add_option("--backup", o.algo.backup, "sync: b backup workers; each step drops the b slowest gradients")->group(algo);
  t->add_option("--servers", o.algo.servers, "sync/async: parameter servers, each holding one block of the parameters")->group(algo);
  t->add_option("--deadline", o.algo.deadline, "Seconds a role waits on a peer before naming it dead or hung and ending the run")->group(algo);
  t->add_flag("--dense-exchange", o.algo.dense_exchange, "sync/async: send whole parameter blocks even on sparse models, as before sparse pulls (for comparison; same trajectory, more bytes)")->group(algo);
  t->add_option("--average", o.algo.average, "sync/async: evaluate (and save) a moving average of the parameters with this decay, e.g. 0.99 (0: off)")->group(algo);
  t->add_option("--local-steps", o.algo.local_steps, "pex/pex-sync: local SGD steps a worker takes between two parameter exchanges with the master (0, the default: each worker sizes it so that exchanging takes at most a tenth of its time, from 10 up to a tenth of a pass over its shard)")->group(algo);
  t->add_option("--send-every", o.algo.send_every, "asgd: steps between state messages to a random peer (initial value under --balance interval|both; 0, the default: each peer sizes it so that exchanging takes at most a tenth of its time, up to a tenth of a pass over its shard; 1 under the balancer)")->group(algo);
  t->add_option("--blocks", o.algo.blocks, "asgd: split the parameters in this many equal blocks for messages")->group(algo);
  t->add_option("--msg-blocks", o.algo.msg_blocks, "asgd: blocks per message, round robin (0: all)")->group(algo);
  t->add_option("--balance", o.algo.balance, "asgd: communication load balancing from the in-flight sends: off | interval | size | both")->group(algo);
  t->add_option("--transport", o.transport, "inproc (every role a thread of this process) | mpi (one role per MPI rank: mpirun -np RANKS parley train --transport mpi ...; RANKS = 1 for sequential, servers + workers for sync/async, 1 + workers for pex/pex-sync, workers for asgd/simu/lloyd; hogwild runs in one process only; rank 0 prints and writes the outputs) | sim (every role an actor of a SimGrid simulation on a simulated cluster, in virtual time: --network picks its links, --platform any SimGrid platform)")->group(algo);
  t->add_option("--seed", o.seed, "Run seed: data split, shards, initialisation, batch order")->group(algo);

  auto opt = "Optimisation";
  t->add_option("--batch", o.train.batch_size, "Rows per mini-batch")->group(opt);
  t->add_option("--epochs", o.train.epochs, "Passes over the training data")->group(opt);
  t->add_option("--eval-every", o.train.eval_every, "Epochs between evaluations (fractions allowed)")->group(opt);
  t->add_option("--lr", o.train.optimizer.schedule.lr, "Initial step size")->group(opt);
  t->add_option("--schedule", o.train.optimizer.schedule.kind, "Step sizes: constant | invsqrt (lr/sqrt(1+t/t0)) | step (lr*factor^floor(t/every))")->group(opt);
  t->add_option("--lr-t0", o.train.optimizer.schedule.t0, "invsqrt: t0 in steps")->group(opt);
  t->add_option("--lr-every", o.train.optimizer.schedule.every, "step: steps between decays")->group(opt);
  t->add_option("--lr-factor", o.train.optimizer.schedule.factor, "step: decay factor")->group(opt);
  t->add_option("--momentum", o.train.optimizer.momentum, "Momentum mu in [0, 1)")->group(opt);

  auto stop = "Stopping";
  t->add_option("--target", c->target, "Stop when a test metric reaches a value, e.g. accuracy=0.85 or rmse=0.9")->group(stop);
  t->add_option("--time-limit", o.time_limit, "Stop after this many seconds of training (0: none)")->group(stop);

  auto emu = "Emulated cluster";
  t->add_option("--step-time", o.emulation.step_time, "Nominal seconds per worker step, which the factors below multiply (0: the measured compute time)")->group(emu);
  t->add_option("--slowdown", c->slowdown, "Per-worker slowdowns WORKER=FACTOR[@SECONDS], comma separated, e.g. 3=4,5=2@10 (worker 5 from t=10 s)")->group(emu);
  t->add_option("--stragglers", c->stragglers, "Random stragglers PROB:FACTOR, e.g. 0.05:8 (5% of steps 8x longer)")->group(emu);
  t->add_option("--step-sigma", o.emulation.step_sigma, "Heavy-tailed step times: multiply each step by a lognormal of mean 1 and this sigma")->group(emu);
  t->add_option("--kill", c->kill, "Workers that die: WORKER@t=SECONDS or WORKER@step=N; parameter servers: sSERVER@t=SECONDS; comma separated")->group(emu);
  t->add_option("--network", c->network, "Network profile: none | infiniband | 10gbe | 1gbe | cloud (variable bandwidth) | custom")->group(emu);
  t->add_option("--latency", c->latency, "Per-message latency in seconds (overrides the profile; < 0: profile's)")->group(emu);
  t->add_option("--bandwidth", c->bandwidth, "Bandwidth of each sender's link in bytes/s (overrides the profile; 0: unlimited; < 0: profile's)")->group(emu);
  t->add_option("--jitter", c->jitter, "Mean extra exponential delay per message in seconds (overrides the profile; < 0: profile's)")->group(emu);
  t->add_option("--platform", o.platform_path, "--transport sim: a SimGrid platform file (XML); rank r runs on its r-th host by name (default: one host per rank on a switch, links from --network)")->group(emu);
  t->add_option("--compute-scale", o.compute_scale, "--transport sim without --step-time: a step's virtual duration is its measured CPU time times this factor")->group(emu);
  t->add_option("--network-slowdown", c->network_slowdown, "Run the network this many times slower (latency, jitter, the cloud's variation period times F; bandwidth / F); with --slowdown i=F for every worker, a slow-motion copy of the cluster")->group(emu);

  auto out = "Outputs";
  t->add_option("--metrics", o.metrics_path, "Metrics log: one JSON object per evaluation")->group(out);
  t->add_option("--summary", o.summary_path, "Summary JSON written at the end")->group(out);
  t->add_option("--model-out", o.model_out, "Model file for 'parley eval'")->group(out);
  t->add_option("--checkpoint", o.checkpoint_path, "Checkpoint written atomically at every evaluation point (a model file that also records the epoch and update count); a run that fails says where its last checkpoint is")->group(out);
  t->add_option("--resume", o.resume_path, "Continue from a checkpoint: same data, model and seed; --epochs counts from the start of the original run")->group(out);
  t->add_flag("--quiet", o.quiet, "Print nothing but errors")->group(out);
  t->add_flag("--no-progress", c->no_progress, "No progress bar even on a terminal")->group(out);
  return c;
}

Status ParseEmulationFlags(TrainCommand& c) {
  EmulationOptions& e = c.o.emulation;
  if (e.step_time < 0) return InvalidArgument("--step-time must be >= 0 seconds");
  if (e.step_sigma < 0) return InvalidArgument("--step-sigma must be >= 0");
  PARLEY_ASSIGN_OR_RETURN(e.slowdowns, ParseSlowdowns(c.slowdown));
  if (!c.stragglers.empty()) PARLEY_RETURN_IF_ERROR(ParseStragglers(c.stragglers, &e.straggle_prob, &e.straggle_factor));
  PARLEY_ASSIGN_OR_RETURN(e.kills, ParseKills(c.kill));
  PARLEY_ASSIGN_OR_RETURN(e.network, MakeNetworkOptions(c.network, c.latency, c.bandwidth, c.jitter, c.network_slowdown));
  return OkStatus();
}

// What RunTrainCommand does to the parsed flags before training: --target split into metric
// and value, the progress flag, the emulation flags parsed.
Status CompleteTrainOptions(TrainCommand& c) {
  if (!c.target.empty()) {
    auto eq = c.target.find('=');
    if (eq == std::string::npos || eq == 0)
      return InvalidArgument("--target must be metric=value (e.g. accuracy=0.85), got '" +
                             c.target + "'");
    c.o.target_metric = c.target.substr(0, eq);
    try {
      size_t used = 0;
      c.o.target_value = std::stod(c.target.substr(eq + 1), &used);
      if (used != c.target.size() - eq - 1) throw std::invalid_argument("trailing");
    } catch (const std::exception&) {
      return InvalidArgument("--target value in '" + c.target + "' is not a number");
    }
  }
  c.o.progress = !c.no_progress;
  return ParseEmulationFlags(c);
}

StatusOr<RunOptions> ParseTrainFlags(const std::vector<std::string>& args) {
  CLI::App app{"parley"};
  std::shared_ptr<TrainCommand> c = AddTrainCommand(app);
  std::vector<std::string> argv = {"train"};
  argv.insert(argv.end(), args.begin(), args.end());
  std::reverse(argv.begin(), argv.end());  // CLI11 takes a vector in reverse order
  try {
    app.parse(argv);
  } catch (const CLI::ParseError& e) {
    return InvalidArgument(e.what());
  }
  PARLEY_RETURN_IF_ERROR(CompleteTrainOptions(*c));
  if (c->kron.kron || IsKronFile(c->o.train_path))
    return InvalidArgument("--kron and Kronecker points files train with the command line only");
  return c->o;
}

int RunTrainCommand(TrainCommand& c) {
  if (Status s = CompleteTrainOptions(c); !s.ok()) {
    std::fprintf(stderr, "error: %s\n", s.message().c_str());
    return 2;
  }
  // Kronecker points files and --kron go to src/parley/kron (ALGORITHMS.md D).
  if ((c.kron.kron || IsKronFile(c.o.train_path)) && (!c.o.checkpoint_path.empty() || !c.o.resume_path.empty())) {
    std::fprintf(stderr, "error: --checkpoint and --resume are not supported by the Kronecker trainer (--kron, Kronecker points files) yet\n");
    return 2;
  }
  if (c.o.transport == "mpi" && (c.kron.kron || IsKronFile(c.o.train_path))) {
    std::fprintf(stderr, "error: --kron and Kronecker points files train in one process; use --transport inproc\n");
    return 2;
  }
  // Under mpirun only rank 0 speaks: the other ranks print nothing (their own errors before the
  // run starts are printed by the runtime, naming the rank).
  const bool silent = c.o.transport == "mpi" && LaunchedRank() > 0;
  if (silent) c.o.quiet = true;
  StatusOr<nlohmann::json> summary =
      c.kron.kron || IsKronFile(c.o.train_path) ? TrainKron(c.o, c.kron) : Train(c.o);
  if (!summary.ok()) {
    if (!silent && !ErrorReported()) std::fprintf(stderr, "error: %s\n", summary.status().message().c_str());
    return summary.status().code() == StatusCode::kInvalidArgument ||
                   summary.status().code() == StatusCode::kNotFound
               ? 2
               : 1;
  }
  if (!c.o.quiet && summary->contains("model")) {
    const auto& s = *summary;
    std::printf("done: %s/%s, %.2f epochs in %.2fs (training %.2fs)\n", s["model"].get<std::string>().c_str(),
                s["algo"].get<std::string>().c_str(), s["epochs"].get<double>(),
                s["wall_seconds"].get<double>(), s["train_seconds"].get<double>());
  }
  return 0;
}

}  // namespace parley
