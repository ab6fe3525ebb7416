// The messages of asynchronous parameter exchange (pex, pex-sync; pex.h) between the workers
// and the master, encoded with WireWriter. Decoders take bytes from another process (an MPI
// rank) and return false for anything malformed or of the wrong shape, never reading past the
// end. Plain functions, safe to call from any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "parley/comm/transport.h"

namespace parley::pex {

// Worker -> master after K local steps: its shared parameters and the local entries (MF user
// factors) it changed since its previous exchange.
struct Contribution {
  int64_t rows = 0;                   // rows processed since the previous exchange
  int64_t steps = 0;                  // SGD steps since the previous exchange
  double loss_sum = 0;                // sum of their mini-batch losses
  std::vector<double> shared;         // parameters [0, SharedSize())
  std::vector<uint32_t> local_index;  // local entries changed, relative to SharedSize()
  std::vector<double> local_values;
};
Bytes EncodeContribution(int64_t rows, int64_t steps, double loss_sum,
                         std::span<const double> shared, std::span<const uint32_t> local_index,
                         std::span<const double> local_values);
// True if `b` is a contribution of `shared_size` shared parameters whose local entries are
// below `local_size` (NumParams() - SharedSize()), one value each.
bool DecodeContribution(const Bytes& b, size_t shared_size, size_t local_size, Contribution* c);

// Master -> worker: the rows the worker may process before its next exchange (the rest of the
// epoch budget, its share), the run's schedule clock (SGD steps of all workers / workers) and
// the average of the shared parameters.
Bytes EncodeAverage(double budget_rows, int64_t clock, std::span<const double> average);
// True if `b` is an average of `shared_size` parameters.
bool DecodeAverage(const Bytes& b, size_t shared_size, double* budget_rows, int64_t* clock,
                   std::vector<double>* average);

}  // namespace parley::pex
