// Matrix factorisation with a global mean and user and item biases, regularised per rating
// as in LIBMF. Prediction: r_hat(u, i) = mu + b_u + b_i + <p_u, q_i>. Loss of one rating:
//   (r - r_hat)^2 + lambda * (|p_u|^2 + |q_i|^2 + b_u^2 + b_i^2)
// (mu is not regularised). Gradient returns the mean of that over the batch and regularises
// there, so L2() is 0; lambda is ModelOptions::l2.
//
// Layout: the SHARED part [mu, item biases (items), item factors (items x rank, row-major)]
// comes first (SharedSize()), then the worker-LOCAL part [user biases (users), user factors
// (users x rank)]. Users and items are the dense indices of the data layer's id maps.
//
// Init: mu = the mean training rating given at construction (DataShape::rating_sum / rows, so
// that Init reads no rows and every MPI rank can run it), biases 0, factors
// ~ N(0, init_scale^2 / rank).
// Gradient is sparse: it reads and touches only mu and the batch's users' and items' biases
// and factor rows, honouring WeightsView::scale; O(batch * rank), no allocation.
#pragma once

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "parley/models/model.h"
#include "parley/optim/weights.h"

namespace parley {

class MfModel final : public Model {
 public:
  // Predictions are clipped to [rating_min, rating_max] for "rmse" and "mae" only.
  // `rating_mean`: Init's mu (the mean training rating).
  MfModel(size_t users, size_t items, int rank, double lambda, double init_scale, double rating_min,
          double rating_max, double rating_mean);

  std::string Kind() const override { return "mf"; }
  // {"kind", "users", "items", "rank", "l2", "init_scale", "rating_min", "rating_max"}.
  nlohmann::json Config() const override;
  std::unique_ptr<Model> Clone() const override { return std::make_unique<MfModel>(*this); }
  size_t NumParams() const override { return shared_ + users_ * (1 + rank_); }
  size_t SharedSize() const override { return shared_; }
  // Requires ratings whose user and item indices are below the model's counts.
  Status CheckData(const Dataset& data) const override;
  void Init(std::span<double> w, const Dataset& train, Rng& rng) override;
  bool InitReadsData() const override { return false; }
  bool SparseGradient() const override { return true; }
  // mu, and each rating's item and user biases and factor rows.
  void GradientKeys(const Dataset& data, std::span<const uint32_t> rows,
                    std::vector<uint32_t>& keys) const override;
  double Gradient(WeightsView w, const Dataset& data, std::span<const uint32_t> rows,
                  GradientBuffer& g) override;
  // Plain SGD: a batch of one rating updates mu, its two biases and its two factor rows in
  // place, in one pass over the rows (the arithmetic of Gradient + PlainSgdStep, so the same
  // parameters to the bit); `next`'s first ratings have their rows prefetched. A larger batch
  // takes Gradient + PlainSgdStep through a gradient buffer the model keeps (no allocation).
  bool FusedSgdStep() const override { return true; }
  double SgdStep(Weights& w, const Dataset& data, std::span<const uint32_t> rows, double eta,
                 std::span<const uint32_t> next) override;
  // "rmse" and "mae" of the clipped predictions; "objective" = mean over the data's ratings
  // of the per-rating loss above (unclipped squared error plus the per-rating regulariser),
  // i.e. what SGD minimises when data is the training set.
  MetricSet Evaluate(WeightsView w, const Dataset& data) const override;

  // The unclipped prediction r_hat(u, i).
  double Predict(WeightsView w, uint32_t user, uint32_t item) const;

  static StatusOr<std::unique_ptr<Model>> FromConfig(const nlohmann::json& config);

  // Offsets of the parameter blocks.
  size_t ItemBias(uint32_t i) const { return 1 + i; }
  size_t ItemFactors(uint32_t i) const { return 1 + items_ + size_t{i} * rank_; }
  size_t UserBias(uint32_t u) const { return shared_ + u; }
  size_t UserFactors(uint32_t u) const { return shared_ + users_ + size_t{u} * rank_; }

 private:
  // Constant after construction.
  size_t users_, items_, rank_;
  double lambda_, init_scale_, rating_min_, rating_max_, rating_mean_;
  size_t shared_;

  GradientBuffer step_grad_;  // SgdStep's buffer for batches of more than one rating
};

}  // namespace parley
