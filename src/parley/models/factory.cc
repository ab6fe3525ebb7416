// MakeModel and MakeModelFromConfig: the one place that maps a model kind to its class.
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "parley/models/config_util.h"
#include "parley/models/kmeans.h"
#include "parley/models/logreg.h"
#include "parley/models/mf.h"
#include "parley/models/mlp.h"
#include "parley/models/model.h"
#include "parley/models/softmax.h"
#include "parley/models/svm.h"
#include "parley/models/twolayer.h"

namespace parley {
namespace {

// Builds the model for options.kind with dimensions taken from train. train's kind may be
// wrong for the model; CheckData reports that afterwards.
StatusOr<std::unique_ptr<Model>> Build(const ModelOptions& o, const DataShape& train) {
  const std::string& kind = o.kind;
  const size_t features = train.features;
  if (kind == "logreg")
    return std::unique_ptr<Model>(std::make_unique<LogRegModel>(features, o.bias, o.l2));
  if (kind == "svm")
    return std::unique_ptr<Model>(std::make_unique<SvmModel>(features, o.bias, o.l2));
  if (kind == "softmax" || kind == "mlp") {
    const int classes = train.NumClasses();
    if (train.kind == Dataset::Kind::kDense && classes < 2)
      return InvalidArgument(kind + " needs class labels 0..C-1 with C >= 2, but the labels of " +
                             train.source + " are not such integers (or all equal)");
    if (classes > kMaxClasses) {
      char largest[32];
      std::snprintf(largest, sizeof largest, "%g", static_cast<double>(train.max_label));
      return InvalidArgument(kind + " takes class labels 0..C-1 with C at most " +
                             std::to_string(kMaxClasses) + ", but the largest label of " +
                             train.source + " is " + largest + ": a regression target, or a " +
                             "stray value? (logreg and svm take labels -1/+1 or 0/1)");
    }
    if (kind == "softmax") return NewSoftmaxModel(features, std::max(classes, 2), o.l2);
    return std::unique_ptr<Model>(
        std::make_unique<MlpModel>(kind, features, std::max(classes, 2), o.hidden, o.l2));
  }
  if (kind == "mf") {
    double lo = 0, hi = 0, mean = 0;
    if (train.kind == Dataset::Kind::kRatings && train.rows > 0) {
      lo = train.rating_min;
      hi = train.rating_max;
      mean = train.rating_sum / static_cast<double>(train.rows);
    }
    return std::unique_ptr<Model>(std::make_unique<MfModel>(
        train.num_users, train.num_items, o.rank, o.l2, o.init_scale, lo, hi, mean));
  }
  if (kind == "kmeans") {
    if (static_cast<size_t>(o.clusters) > train.rows)
      return InvalidArgument("kmeans with " + std::to_string(o.clusters) + " clusters needs at " +
                             "least as many training points, but " + train.source + " has " +
                             std::to_string(train.rows));
    PARLEY_ASSIGN_OR_RETURN(const KMeansStep step, ParseKMeansStep(o.kmeans_step));
    return std::unique_ptr<Model>(
        std::make_unique<KMeansModel>(static_cast<size_t>(o.clusters), features, step, o.kmeans_threads));
  }
  if (kind == "twolayer")
    return std::unique_ptr<Model>(
        std::make_unique<TwoLayerModel>(features, static_cast<size_t>(o.width), o.threshold));
  return Internal("model kind '" + kind + "' passed validation but has no builder");
}

}  // namespace

StatusOr<std::unique_ptr<Model>> MakeModel(const ModelOptions& options, const DataShape& train,
                                           const Dataset& rows) {
  PARLEY_RETURN_IF_ERROR(ValidateModelOptions(options));
  if (train.rows == 0) return InvalidArgument("training data " + train.source + " is empty");
  PARLEY_ASSIGN_OR_RETURN(std::unique_ptr<Model> model, Build(options, train));
  PARLEY_RETURN_IF_ERROR(model->CheckData(rows));
  if (model->NumParams() == 0 || (train.kind != Dataset::Kind::kRatings && train.features == 0))
    return InvalidArgument("training data " + train.source + " has no features");
  return model;
}

StatusOr<std::unique_ptr<Model>> MakeModel(const ModelOptions& options, const Dataset& train) {
  return MakeModel(options, DataShape::Of(train), train);
}

StatusOr<std::unique_ptr<Model>> MakeModelFromConfig(const nlohmann::json& config) {
  if (!config.is_object() || !config.contains("kind") || !config["kind"].is_string())
    return InvalidArgument("model config must be a JSON object with a string field 'kind'");
  const std::string kind = config["kind"].get<std::string>();
  if (kind == "logreg") return LogRegModel::FromConfig(config);
  if (kind == "svm") return SvmModel::FromConfig(config);
  if (kind == "softmax" || kind == "mlp") return MlpModel::FromConfig(config);
  if (kind == "mf") return MfModel::FromConfig(config);
  if (kind == "kmeans") return KMeansModel::FromConfig(config);
  if (kind == "twolayer") return TwoLayerModel::FromConfig(config);
  return InvalidArgument("unknown model kind '" + kind +
                         "' in model config; expected one of logreg, svm, softmax, mlp, mf, "
                         "kmeans, twolayer");
}

}  // namespace parley
