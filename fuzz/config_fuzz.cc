// TOML files: each input is read both as a train config (`parley train --config run.toml`:
// ConfigToFlags, then the flags it becomes parsed by CLI11 as main() parses them) and as an
// experiment of `parley compare` (ReadExperiment). The subcommand here declares
// options of every shape `parley train` has (text, numbers with range checks, a comma
// separated list, switches) under its own names, so the target does not link the training
// runtime; any key of the file that is not one of them is the "unknown key" error.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "fuzz_util.h"
#include "parley/cli/config_file.h"
#include "parley/cli/experiment_file.h"

namespace {

struct Flags {
  std::string data, model = "logreg", target;
  uint32_t max_features = 1 << 26;
  double test_fraction = 0, l2 = 1e-4, epochs = 1, lr = 0.1;
  std::vector<int> hidden = {128};
  int rank = 32, kron_threads = 0;
  uint64_t seed = 1;
  int64_t batch = 1;
  bool kron = false, quiet = false;
};

void AddTrainLike(CLI::App& app, Flags& f) {
  CLI::App* t = app.add_subcommand("train", "train-like options");
  t->add_option("--config", "TOML file");
  t->add_option("--data", f.data);
  t->add_option("--max-features", f.max_features)->check(CLI::Range(1u, 4294967295u));
  t->add_option("--test-fraction", f.test_fraction)->check(CLI::Range(0.0, 0.99));
  t->add_option("--model", f.model);
  t->add_option("--l2", f.l2);
  t->add_option("--hidden", f.hidden)->delimiter(',');
  t->add_option("--rank", f.rank);
  t->add_option("--epochs", f.epochs);
  t->add_option("--lr", f.lr);
  t->add_option("--batch", f.batch);
  t->add_option("--seed", f.seed);
  t->add_option("--target", f.target);
  t->add_option("--kron-threads", f.kron_threads)->check(CLI::NonNegativeNumber);
  t->add_flag("--kron", f.kron);
  t->add_flag("--quiet", f.quiet);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = parley::fuzz::ScratchDir::Get().Write(
      "fuzz.toml", std::string_view(reinterpret_cast<const char*>(data), size));
  parley::StatusOr<std::vector<parley::RunSpec>> runs = parley::ReadExperiment(path, "");
  if (!runs.ok()) {
    PARLEY_FUZZ_CHECK(runs.status().message().find(path) != std::string::npos,
                      "experiment errors name the file: " + runs.status().message());
  } else {
    for (const parley::RunSpec& r : *runs)
      PARLEY_FUZZ_CHECK(!r.name.empty() && r.repeat >= 1 && r.repeat <= 1000, "a run as read");
  }
  CLI::App app{"fuzz"};
  Flags f;
  AddTrainLike(app, f);
  CLI::App* train = app.get_subcommand("train");
  parley::StatusOr<std::vector<std::string>> flags = parley::ConfigToFlags(path, *train);
  if (!flags.ok()) {
    PARLEY_FUZZ_CHECK(flags.status().message().find(path) != std::string::npos,
                      "errors name the file: " + flags.status().message());
    return 0;
  }
  // As main(): the subcommand, then the file's flags; CLI11 takes the arguments reversed.
  std::vector<std::string> args = {"train"};
  args.insert(args.end(), flags->begin(), flags->end());
  std::vector<std::string> reversed(args.rbegin(), args.rend());
  try {
    app.parse(reversed);
  } catch (const CLI::ParseError&) {
  }
  return 0;
}
