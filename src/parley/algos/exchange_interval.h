// How many local steps a worker takes between two exchanges when the user has not fixed it:
// sized from measured times so that exchanging takes at most a given share of the worker's
// time (after the load balancer of Keuper & Pfreundt, ALGORITHMS.md A, which sizes message
// frequency to the network; here to the ratio of one exchange to one step, whatever makes
// either slow: a batch-1 sparse step of 0.3 us against a 400 KB parameter copy, or a dense
// MLP step of milliseconds against the same copy).
//
// Rule: with c the mean seconds of a step and E the mean seconds of an exchange (running
// means, each new interval weighted 1/4), the next interval is the smallest K with
// E / (E + K c) <= share, i.e. K = ceil(E (1 - share) / (share c)), within [min_steps,
// max_steps]; the first is min_steps. The floor keeps an algorithm's exchanges no more
// frequent than a fixed default that converges well: pex with K following the rule down to 1
// or 2 (emulated 0.2 ms steps, 4 workers) ended 2-4x farther from the optimum than with any
// fixed K from 1 to 10, its workers exchanging at uneven rates.
// Timing-driven, so the exchange points of a run with more than one worker vary from run to
// run; a fixed interval (--local-steps K) is reproducible.
//
// Thread-safety: none; one per worker.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>

namespace parley {

class ExchangeInterval {
 public:
  // REQUIRES: 1 <= min_steps (a larger min_steps than max_steps is lowered to it).
  ExchangeInterval(int64_t min_steps, int64_t max_steps, double share = 0.1)
      : max_(std::max<int64_t>(1, max_steps)), min_(std::clamp<int64_t>(min_steps, 1, max_)),
        share_(share), k_(min_) {}

  // Steps to take before the next exchange.
  int64_t Next() const { return k_; }

  // Records an interval: `steps` steps took `compute_seconds`, then the exchange took
  // `exchange_seconds`; sets Next().
  void Record(int64_t steps, double compute_seconds, double exchange_seconds) {
    if (steps <= 0) return;
    const double c = compute_seconds / static_cast<double>(steps);
    step_ = step_ < 0 ? c : 0.75 * step_ + 0.25 * c;
    exchange_ = exchange_ < 0 ? exchange_seconds : 0.75 * exchange_ + 0.25 * exchange_seconds;
    if (!(step_ > 0)) {  // a step too short for the clock: as long as the cap allows
      k_ = max_;
      return;
    }
    // (less a hair, so that a quotient a rounding above an integer does not add a step)
    const double k = std::ceil(exchange_ * (1 - share_) / (share_ * step_) - 1e-9);
    k_ = k >= static_cast<double>(max_) ? max_ : std::max<int64_t>(min_, static_cast<int64_t>(k));
  }

  double step_seconds() const { return step_; }
  double exchange_seconds() const { return exchange_; }

 private:
  const int64_t max_, min_;
  const double share_;
  int64_t k_;
  double step_ = -1, exchange_ = -1;  // running means; < 0 before the first Record
};

}  // namespace parley
