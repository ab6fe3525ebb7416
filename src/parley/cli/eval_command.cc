#include <cstdio>

#include "parley/cli/commands.h"
#include "parley/data/read.h"
#include "parley/kron/kron_file.h"
#include "parley/runtime/model_file.h"

namespace parley {

struct EvalCommand {
  std::string model_file;
  std::string data;
  uint32_t max_features = kDefaultMaxFeatures;
};

std::shared_ptr<EvalCommand> AddEvalCommand(CLI::App& app) {
  auto c = std::make_shared<EvalCommand>();
  CLI::App* e = app.add_subcommand("eval", "Evaluate a model file on data; prints the metrics as JSON");
  e->add_option("--model-file", c->model_file, "Model file written by 'parley train --model-out'")->required();
  e->add_option("--data", c->data, "Data to evaluate on (same formats as 'parley train --data')")->required();
  e->add_option("--max-features", c->max_features, "LIBSVM: the largest feature index accepted (as 'parley train')")->check(CLI::Range(1u, 4294967295u));
  return c;
}

int RunEvalCommand(EvalCommand& c) {
  StatusOr<LoadedModel> loaded = LoadModel(c.model_file);
  if (!loaded.ok()) {
    std::fprintf(stderr, "error: %s\n", loaded.status().message().c_str());
    return 2;
  }
  IdMap users, items;
  // Kronecker points files (src/parley/kron) are evaluated through their dense view.
  StatusOr<Dataset> data =
      IsKronFile(c.data) ? ReadKronDenseView(c.data) : ReadDataset(c.data, users, items, 0, c.max_features);
  if (!data.ok()) {
    std::fprintf(stderr, "error: %s\n", data.status().message().c_str());
    return 2;
  }
  Model& model = *loaded->model;
  // Align dimensions with the model's: sparse files may hold fewer features than training did.
  nlohmann::json config = model.Config();
  if (data->kind == Dataset::Kind::kSparse && config.contains("num_features")) {
    const uint32_t nf = config["num_features"].get<uint32_t>();
    if (data->sparse.num_features > nf) {
      std::fprintf(stderr, "error: %s has feature indices up to %u; the model was trained on %u features\n",
                   c.data.c_str(), data->sparse.num_features, nf);
      return 2;
    }
    data->sparse.num_features = nf;
  }
  Status s = model.CheckData(*data);
  if (!s.ok()) {
    std::fprintf(stderr, "error: %s: %s\n", c.data.c_str(), s.message().c_str());
    return 2;
  }
  WeightsView w{loaded->params.data(), 1.0, loaded->params.size()};
  MetricSet m = model.Evaluate(w, *data);
  nlohmann::json j = {{"model", model.Kind()}, {"data", c.data}, {"rows", data->rows()}};
  for (const auto& [k, v] : m) j["metrics"][k] = v;
  std::printf("%s\n", j.dump(2).c_str());
  return 0;
}

}  // namespace parley
