#include "parley/models/config_util.h"

#include <cmath>

#include "parley/models/kmeans.h"

namespace parley {
namespace {

bool Finite(double x) { return std::isfinite(x); }

Status Bad(const ModelOptions& o, const std::string& what) {
  return InvalidArgument("model " + o.kind + ": " + what);
}

}  // namespace

Status ValidateModelOptions(const ModelOptions& o) {
  if (!(Finite(o.l2) && o.l2 >= 0))
    return Bad(o, "l2 must be a finite number >= 0, got " + std::to_string(o.l2));
  if (o.kind == "logreg" || o.kind == "svm") {
    if (!Finite(o.bias)) return Bad(o, "bias must be finite (use a negative value for none)");
  } else if (o.kind == "softmax") {
  } else if (o.kind == "mlp") {
    if (o.hidden.empty()) return Bad(o, "needs at least one hidden layer (use softmax for none)");
    for (int h : o.hidden)
      if (h <= 0) return Bad(o, "hidden layer widths must be > 0, got " + std::to_string(h));
  } else if (o.kind == "mf") {
    if (o.rank <= 0) return Bad(o, "rank must be > 0, got " + std::to_string(o.rank));
    if (!(Finite(o.init_scale) && o.init_scale > 0))
      return Bad(o, "init_scale must be a finite number > 0, got " + std::to_string(o.init_scale));
  } else if (o.kind == "kmeans") {
    if (o.clusters < 1) return Bad(o, "clusters must be >= 1, got " + std::to_string(o.clusters));
    if (!ParseKMeansStep(o.kmeans_step).ok())
      return Bad(o, "--kmeans-step must be lr or count, got '" + o.kmeans_step + "'");
    if (o.kmeans_threads < 0)
      return Bad(o, "--kmeans-threads must be >= 0 (0: one per core), got " + std::to_string(o.kmeans_threads));
  } else if (o.kind == "twolayer") {
    if (o.width <= 0) return Bad(o, "width must be > 0, got " + std::to_string(o.width));
    if (!Finite(o.threshold))
      return Bad(o, "threshold must be finite (negative: sqrt(0.4 ln width))");
  } else {
    return InvalidArgument("unknown model kind '" + o.kind +
                           "'; expected one of logreg, svm, softmax, mlp, mf, kmeans, twolayer");
  }
  return OkStatus();
}

size_t ParamCount(size_t a, size_t b, size_t c) {
  constexpr size_t kOver = kMaxModelParams + 1;
  if (c > kMaxModelParams) return kOver;
  if (b != 0 && a > (kMaxModelParams - c) / b) return kOver;
  return a * b + c;
}

void ConfigReader::Fail(const std::string& sentence) {
  if (status_.ok()) status_ = InvalidArgument("model config for " + kind_ + ": " + sentence);
}

const nlohmann::json* ConfigReader::Field(const char* name) {
  if (!status_.ok()) return nullptr;
  if (!config_.is_object() || !config_.contains(name)) {
    Fail(std::string("field '") + name + "' is missing");
    return nullptr;
  }
  return &config_[name];
}

size_t ConfigReader::Size(const char* name) {
  const nlohmann::json* f = Field(name);
  if (f == nullptr) return 0;
  if (!f->is_number_integer() || f->get<int64_t>() < 0) {
    Fail(std::string("field '") + name + "' must be a non-negative integer");
    return 0;
  }
  return f->get<size_t>();
}

double ConfigReader::Number(const char* name) {
  const nlohmann::json* f = Field(name);
  if (f == nullptr) return 0;
  if (!f->is_number() || !Finite(f->get<double>())) {
    Fail(std::string("field '") + name + "' must be a finite number");
    return 0;
  }
  return f->get<double>();
}

std::vector<int> ConfigReader::IntList(const char* name) {
  const nlohmann::json* f = Field(name);
  std::vector<int> out;
  if (f == nullptr) return out;
  if (!f->is_array()) {
    Fail(std::string("field '") + name + "' must be an array of integers");
    return out;
  }
  for (const auto& e : *f) {
    if (!e.is_number_integer()) {
      Fail(std::string("field '") + name + "' must be an array of integers");
      return {};
    }
    out.push_back(e.get<int>());
  }
  return out;
}

std::vector<double> ConfigReader::NumberList(const char* name) {
  const nlohmann::json* f = Field(name);
  std::vector<double> out;
  if (f == nullptr) return out;
  if (!f->is_array()) {
    Fail(std::string("field '") + name + "' must be an array of numbers");
    return out;
  }
  for (const auto& e : *f) {
    if (!e.is_number() || !Finite(e.get<double>())) {
      Fail(std::string("field '") + name + "' must be an array of finite numbers");
      return {};
    }
    out.push_back(e.get<double>());
  }
  return out;
}

}  // namespace parley
