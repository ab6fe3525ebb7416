#include <cstdio>

#include "parley/cli/commands.h"
#include "parley/core/rng.h"
#include "parley/data/generators.h"
#include "parley/data/writers.h"
#include "parley/kron/kron_file.h"
#include "parley/kron/kron_generator.h"

namespace parley {

struct GenCommand {
  std::string kind;
  std::string out;
  uint64_t seed = 1;
  size_t rows = 100000;
  // kmeans
  size_t dim = 10;
  int clusters = 10;
  double spread = 1.0;
  double separation = 20.0;
  // sparse-binary
  uint32_t features = 50000;
  double nnz = 50;
  double label_noise = 0.05;
  // ratings
  uint32_t users = 1000;
  uint32_t items = 2000;
  int rank = 10;
  double noise = 0.5;
  // kron (src/parley/kron): points u (x) v, targets from a teacher network of width m
  size_t n = 1000;
  size_t d1 = 16, d2 = 16;
  size_t m = 256;
  double kron_noise = 0;
};

std::shared_ptr<GenCommand> AddGenCommand(CLI::App& app) {
  auto c = std::make_shared<GenCommand>();
  CLI::App* g = app.add_subcommand("gen", "Generate a seeded synthetic data set");
  g->option_defaults()->always_capture_default();
  g->add_option("kind", c->kind, "kmeans (Gaussian mixture, dense CSV + .centres) | sparse-binary (text-like LIBSVM) | ratings (low-rank CSV) | kron (Kronecker points, docs/kron.md)")
      ->required()->check(CLI::IsMember({"kmeans", "sparse-binary", "ratings", "kron"}));
  g->add_option("--out", c->out, "Output file")->required();
  g->add_option("--seed", c->seed, "Seed");
  g->add_option("--rows", c->rows, "Rows (kmeans, sparse-binary) or ratings (ratings)")->check(CLI::PositiveNumber);
  g->add_option("--dim", c->dim, "kmeans: dimension")->check(CLI::PositiveNumber);
  g->add_option("--clusters", c->clusters, "kmeans: number of centres")->check(CLI::PositiveNumber);
  g->add_option("--spread", c->spread, "kmeans: standard deviation of each cluster")->check(CLI::PositiveNumber);
  g->add_option("--separation", c->separation, "kmeans: side of the box the centres are drawn in")->check(CLI::PositiveNumber);
  g->add_option("--features", c->features, "sparse-binary: number of features")->check(CLI::PositiveNumber);
  g->add_option("--nnz", c->nnz, "sparse-binary: mean non-zeros per row")->check(CLI::PositiveNumber);
  g->add_option("--label-noise", c->label_noise, "sparse-binary: probability of a flipped label")->check(CLI::Range(0.0, 0.5));
  g->add_option("--users", c->users, "ratings: users")->check(CLI::PositiveNumber);
  g->add_option("--items", c->items, "ratings: items")->check(CLI::PositiveNumber);
  g->add_option("--rank", c->rank, "ratings: rank of the true factors")->check(CLI::PositiveNumber);
  g->add_option("--noise", c->noise, "ratings: standard deviation of rating noise")->check(CLI::NonNegativeNumber);
  g->add_option("--n", c->n, "kron: points")->check(CLI::PositiveNumber);
  g->add_option("--d1", c->d1, "kron: length of u (x = u (x) v has d1 * d2 entries)")->check(CLI::PositiveNumber);
  g->add_option("--d2", c->d2, "kron: length of v")->check(CLI::PositiveNumber);
  g->add_option("--m", c->m, "kron: width of the teacher network that makes the targets")->check(CLI::PositiveNumber);
  g->add_option("--target-noise", c->kron_noise, "kron: standard deviation of noise added to the targets")->check(CLI::NonNegativeNumber);
  return c;
}

int RunGenCommand(GenCommand& c) {
  Rng rng = Rng(c.seed).Fork("gen");
  Status s;
  if (c.kind == "kmeans") {
    s = WriteDenseCsv(GenerateMixture(c.rows, c.dim, c.clusters, c.spread, c.separation, rng), c.out);
  } else if (c.kind == "sparse-binary") {
    s = WriteLibsvm(GenerateSparseBinary(c.rows, c.features, c.nnz, c.label_noise, rng), c.out);
  } else if (c.kind == "kron") {
    s = WriteKron(GenerateKron(c.n, c.d1, c.d2, c.m, c.kron_noise, rng), c.out);
  } else {
    if (static_cast<double>(c.rows) > 0.5 * c.users * static_cast<double>(c.items)) {
      std::fprintf(stderr, "error: --rows %zu ratings is more than half of --users x --items; use fewer ratings or more users/items\n", c.rows);
      return 2;
    }
    s = WriteRatingsCsv(GenerateRatings(c.users, c.items, c.rank, c.rows, c.noise, rng), c.out);
  }
  if (!s.ok()) {
    std::fprintf(stderr, "error: %s\n", s.message().c_str());
    return 1;
  }
  return 0;
}

}  // namespace parley
