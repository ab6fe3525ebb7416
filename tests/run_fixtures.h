// Fixtures shared by the tests that train through the runtime (ps, pex, asgd): a small
// logistic-regression run and the lines of a metrics log.
#pragma once

#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "parley/data/generators.h"
#include "parley/data/writers.h"
#include "parley/runtime/runner.h"
#include "test_util.h"

namespace parley::testing {

// L2 logistic regression on a generated sparse binary set (6000 x 1000, 15 non-zeros a row,
// seed 7; written to dir/data.svm once), 20% test, 3 epochs, batch 4, lr 0.5, run seed 11, quiet.
inline RunOptions SmallLogreg(const std::filesystem::path& dir) {
  const auto path = dir / "data.svm";
  if (!std::filesystem::exists(path)) {
    Rng rng(7);
    Dataset d = GenerateSparseBinary(6000, 1000, 15, 0.0, rng);
    EXPECT_TRUE(WriteLibsvm(d, path.string()).ok());
  }
  RunOptions o;
  o.train_path = path.string();
  o.test_fraction = 0.2;
  o.model.kind = "logreg";
  o.model.l2 = 1e-5;
  o.train.epochs = 3;
  o.train.batch_size = 4;
  o.train.optimizer.schedule.lr = 0.5;
  o.quiet = true;
  o.seed = 11;
  return o;
}

// The lines of a metrics log (parley train --metrics): the evaluation lines, or with
// `events` the event lines (those with an "event" key).
inline std::vector<nlohmann::json> MetricLines(const std::filesystem::path& p, bool events = false) {
  std::vector<nlohmann::json> out;
  std::istringstream in(ReadAll(p));
  std::string line;
  while (std::getline(in, line)) {
    auto j = nlohmann::json::parse(line);
    if (j.contains("event") == events) out.push_back(j);
  }
  return out;
}

}  // namespace parley::testing
