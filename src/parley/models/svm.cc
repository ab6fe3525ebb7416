#include "parley/models/svm.h"

namespace parley {

template class SparseLinear<HingeLoss>;

}  // namespace parley
