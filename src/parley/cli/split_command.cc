#include <cstdio>

#include "parley/cli/commands.h"
#include "parley/core/rng.h"
#include "parley/data/read.h"
#include "parley/data/split.h"
#include "parley/data/writers.h"

namespace parley {

struct SplitCommand {
  std::string data;
  uint32_t max_features = kDefaultMaxFeatures;
  double test_fraction = 0.2;
  uint64_t seed = 1;
  std::string train_out;
  std::string test_out;
};

std::shared_ptr<SplitCommand> AddSplitCommand(CLI::App& app) {
  auto c = std::make_shared<SplitCommand>();
  CLI::App* s = app.add_subcommand(
      "split", "Split a data file into seeded train and test files (the same split 'parley train --test-fraction' makes with the same seed)");
  s->option_defaults()->always_capture_default();
  s->add_option("--data", c->data, "Input data (any format 'parley train --data' reads)")->required();
  s->add_option("--max-features", c->max_features, "LIBSVM: the largest feature index accepted (as 'parley train')")->check(CLI::Range(1u, 4294967295u));
  s->add_option("--test-fraction", c->test_fraction, "Fraction of rows held out")->check(CLI::Range(0.0, 0.99));
  s->add_option("--seed", c->seed, "Run seed");
  s->add_option("--train-out", c->train_out, "Training rows (LIBSVM for sparse data, CSV otherwise)")->required();
  s->add_option("--test-out", c->test_out, "Held-out rows, same format")->required();
  return c;
}

int RunSplitCommand(SplitCommand& c) {
  IdMap users, items;
  StatusOr<Dataset> all = ReadDataset(c.data, users, items, 0, c.max_features);
  if (!all.ok()) {
    std::fprintf(stderr, "error: %s\n", all.status().message().c_str());
    return 2;
  }
  Rng split = Rng(c.seed).Fork("split");
  Dataset train, test;
  TrainTestSplit(*all, c.test_fraction, split, &train, &test);
  auto write = [&](const Dataset& d, const std::string& path) {
    switch (d.kind) {
      case Dataset::Kind::kSparse: return WriteLibsvm(d, path);
      case Dataset::Kind::kRatings: return WriteRatingsCsv(d, path);
      case Dataset::Kind::kDense: return WriteDenseCsv(d, path);
    }
    return Internal("unknown data kind");
  };
  for (Status s : {write(train, c.train_out), write(test, c.test_out)}) {
    if (!s.ok()) {
      std::fprintf(stderr, "error: %s\n", s.message().c_str());
      return 1;
    }
  }
  return 0;
}

}  // namespace parley
