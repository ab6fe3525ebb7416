#include "parley/models/softmax.h"

#include "parley/models/mlp.h"

namespace parley {

std::unique_ptr<Model> NewSoftmaxModel(size_t inputs, int classes, double l2) {
  return std::make_unique<MlpModel>("softmax", inputs, classes, std::vector<int>{}, l2);
}

}  // namespace parley
