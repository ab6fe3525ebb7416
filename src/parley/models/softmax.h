// Multinomial softmax regression on dense rows: the MlpModel with no hidden layers (one
// C x d weight matrix plus C biases, see mlp.h for layout, loss and evaluation).
#pragma once

#include <memory>

#include "parley/models/model.h"

namespace parley {

// A "softmax" model for `inputs` features and `classes` >= 2 classes with L2 coefficient l2.
std::unique_ptr<Model> NewSoftmaxModel(size_t inputs, int classes, double l2);

}  // namespace parley
