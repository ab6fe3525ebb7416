// Communication load balancing of ASGD (ALGORITHMS.md A, after Keuper & Pfreundt,
// arXiv:1510.01155): each peer watches its own outgoing queue (sends still in flight) at each
// scheduled send and adapts the send interval (steps between sends) and/or the message size
// (parameter blocks per message). Pure and deterministic: the caller feeds it the queue length
// and acts on the decision.
//
// At each scheduled send, with q = my sends still in flight:
//   q > q_hi:                 skip this send, and back off:
//       interval mode:        interval = min(2 * interval, interval_max)
//       size mode:            msg_blocks = max(msg_blocks / 2, 1)
//       both:                 shrink the message first; at 1 block, lengthen the interval
//   q == 0 for c scheduled sends in a row (the counter restarts after each change):
//       interval mode:        interval = max(interval / 2, 1)
//       size mode:            msg_blocks = min(2 * msg_blocks, blocks)
//       both:                 shorten the interval first; at 1, grow the message
//   otherwise (or mode off):  send, no change.
//
// The interval comes back down by halving, not by 1 as ALGORITHMS.md A first proposed: with
// -1, recovering from 2^k took c * (2 + 3 + ... + 2^k) steps (1,581 from 32), so one
// transient (a burst, a descheduled delivery thread) cost the rest of a run; halving bounds
// it by c * 2^(k+1) steps, and on a link that is really too slow the interval settles between
// the largest one that overloads it and twice that. Evidence: bench/RESULTS-asgd.md and
// docs/asgd.md.
#pragma once

#include <string>

#include "parley/core/status.h"

namespace parley {

struct BalancerOptions {
  std::string mode = "off";  // off | interval | size | both
  int interval = 1;          // initial steps between sends
  int interval_max = 64;
  int blocks = 1;            // B: blocks the parameters are split in
  int msg_blocks = 1;        // initial blocks per message, in [1, blocks]
  int q_hi = 1;              // in-flight sends above which a send is skipped
  int calm = 3;              // c: consecutive empty-queue sends before speeding up
};

Status ValidateBalancerMode(const std::string& mode);

class Balancer {
 public:
  explicit Balancer(const BalancerOptions& o);

  // A scheduled send with `in_flight` sends still in flight: whether to send now. Updates
  // interval() and msg_blocks() for the next ones.
  bool OnScheduledSend(int in_flight);

  int interval() const { return interval_; }
  // Whether it adapts the interval (--balance interval|both).
  bool adapts_interval() const { return by_interval_; }
  int msg_blocks() const { return msg_blocks_; }
  int64_t skipped() const { return skipped_; }

 private:
  bool Lengthen();  // false if already at the limit
  bool Shrink();
  bool Shorten();
  bool Grow();

  BalancerOptions o_;
  bool by_interval_, by_size_;
  int interval_, msg_blocks_;
  int calm_run_ = 0;
  int64_t skipped_ = 0;
};

}  // namespace parley
