// Fixtures shared by the tests that train through the runtime (ps, pex, asgd, hogwild): small
// logistic-regression and MF runs, and the lines of a metrics log.
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

// MF rank 4 on generated ratings (300 users x 400 items, 12,000 ratings, seed 9; written to
// dir/r.csv once), 10% test, 5 epochs, batch 1, lr 0.02, l2 0.02, run seed 5, quiet.
inline RunOptions SmallMf(const std::filesystem::path& dir) {
  const auto path = dir / "r.csv";
  if (!std::filesystem::exists(path)) {
    Rng rng(9);
    Dataset d = GenerateRatings(300, 400, 4, 12000, 0.3, rng);
    EXPECT_TRUE(WriteRatingsCsv(d, path.string()).ok());
  }
  RunOptions o;
  o.train_path = path.string();
  o.test_fraction = 0.1;
  o.model.kind = "mf";
  o.model.rank = 4;
  o.model.l2 = 0.02;
  o.train.epochs = 5;
  o.train.batch_size = 1;
  o.train.optimizer.schedule.lr = 0.02;
  o.quiet = true;
  o.seed = 5;
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
