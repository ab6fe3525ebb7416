#include "parley/algos/pex/pex_wire.h"

#include <algorithm>

#include "parley/core/wire.h"

namespace parley::pex {

Bytes EncodeContribution(int64_t rows, int64_t steps, double loss_sum,
                         std::span<const double> shared, std::span<const uint32_t> local_index,
                         std::span<const double> local_values) {
  Bytes b;
  b.reserve(48 + shared.size_bytes() + local_index.size_bytes() + local_values.size_bytes());
  WireWriter w(b);
  w.Put(rows);
  w.Put(steps);
  w.Put(loss_sum);
  w.PutArray(shared);
  w.PutArray(local_index);
  w.PutArray(local_values);
  return b;
}

bool DecodeContribution(const Bytes& b, size_t shared_size, size_t local_size, Contribution* c) {
  WireReader r(b);
  c->rows = r.Get<int64_t>();
  c->steps = r.Get<int64_t>();
  c->loss_sum = r.Get<double>();
  r.GetArrayInto(c->shared);
  r.GetArrayInto(c->local_index);
  r.GetArrayInto(c->local_values);
  return r.ok() && r.AtEnd() && c->shared.size() == shared_size &&
         c->local_index.size() == c->local_values.size() &&
         std::all_of(c->local_index.begin(), c->local_index.end(),
                     [&](uint32_t i) { return i < local_size; });
}

Bytes EncodeAverage(double budget_rows, int64_t clock, std::span<const double> average) {
  Bytes b;
  b.reserve(24 + average.size_bytes());
  WireWriter w(b);
  w.Put(budget_rows);
  w.Put(clock);
  w.PutArray(average);
  return b;
}

bool DecodeAverage(const Bytes& b, size_t shared_size, double* budget_rows, int64_t* clock,
                   std::vector<double>* average) {
  WireReader r(b);
  *budget_rows = r.Get<double>();
  *clock = r.Get<int64_t>();
  r.GetArrayInto(*average);
  return r.ok() && r.AtEnd() && average->size() == shared_size;
}

}  // namespace parley::pex
