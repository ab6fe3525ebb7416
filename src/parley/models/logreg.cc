#include "parley/models/logreg.h"

namespace parley {

template class SparseLinear<LogisticLoss>;

}  // namespace parley
