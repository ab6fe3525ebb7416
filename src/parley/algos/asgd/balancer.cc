#include "parley/algos/asgd/balancer.h"

#include <algorithm>

namespace parley {

Status ValidateBalancerMode(const std::string& mode) {
  if (mode == "off" || mode == "interval" || mode == "size" || mode == "both") return OkStatus();
  return InvalidArgument("--balance must be one of: off, interval, size, both; got '" + mode + "'");
}

Balancer::Balancer(const BalancerOptions& o)
    : o_(o),
      by_interval_(o.mode == "interval" || o.mode == "both"),
      by_size_(o.mode == "size" || o.mode == "both"),
      interval_(std::max(o.interval, 1)),
      msg_blocks_(std::clamp(o.msg_blocks, 1, std::max(o.blocks, 1))) {
  o_.interval_max = std::max(o_.interval_max, interval_);
}

bool Balancer::Lengthen() {
  if (!by_interval_ || interval_ >= o_.interval_max) return false;
  interval_ = std::min(2 * interval_, o_.interval_max);
  return true;
}
bool Balancer::Shrink() {
  if (!by_size_ || msg_blocks_ <= 1) return false;
  msg_blocks_ = std::max(msg_blocks_ / 2, 1);
  return true;
}
bool Balancer::Shorten() {
  if (!by_interval_ || interval_ <= 1) return false;
  interval_ = std::max(interval_ / 2, 1);
  return true;
}
bool Balancer::Grow() {
  if (!by_size_ || msg_blocks_ >= o_.blocks) return false;
  msg_blocks_ = std::min(2 * msg_blocks_, o_.blocks);
  return true;
}

bool Balancer::OnScheduledSend(int in_flight) {
  if (!by_interval_ && !by_size_) return true;
  if (in_flight > o_.q_hi) {
    calm_run_ = 0;
    ++skipped_;
    if (!Shrink()) Lengthen();
    return false;
  }
  if (in_flight == 0) {
    if (++calm_run_ >= o_.calm) {
      calm_run_ = 0;
      if (!Shorten()) Grow();
    }
  } else {
    calm_run_ = 0;
  }
  return true;
}

}  // namespace parley
