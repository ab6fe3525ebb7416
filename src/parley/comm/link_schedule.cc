#include "parley/comm/link_schedule.h"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "parley/core/rng.h"

namespace parley {

std::string NetworkOptions::Describe() const {
  std::ostringstream s;
  s << profile << " (latency " << latency * 1e6 << " us, bandwidth ";
  if (bandwidth > 0) s << bandwidth / 1e6 << " MB/s"; else s << "unlimited";
  s << ", jitter " << jitter * 1e6 << " us";
  if (variation_period > 0)
    s << ", bandwidth x U[" << variation_low << ", 1] every " << variation_period << " s";
  s << ")";
  return s.str();
}

StatusOr<NetworkOptions> MakeNetworkOptions(const std::string& profile, double latency,
                                            double bandwidth, double jitter, double slowdown) {
  NetworkOptions o;
  o.profile = profile;
  if (profile == "none" || profile == "custom") {
  } else if (profile == "infiniband") {  // FDR-like: ~2 us, ~6 GB/s
    o.latency = 2e-6;
    o.bandwidth = 6e9;
  } else if (profile == "10gbe") {
    o.latency = 20e-6;
    o.bandwidth = 1.2e9;
  } else if (profile == "1gbe") {
    o.latency = 100e-6;
    o.bandwidth = 117e6;
  } else if (profile == "cloud") {  // shared virtualised network: slower, variable, jittery
    o.latency = 300e-6;
    o.bandwidth = 60e6;
    o.jitter = 200e-6;
    o.variation_period = 0.5;
    o.variation_low = 0.2;
  } else {
    return InvalidArgument("--network must be one of: none, infiniband, 10gbe, 1gbe, cloud, custom; got '" +
                           profile + "'");
  }
  if (latency >= 0) o.latency = latency;
  if (bandwidth >= 0) o.bandwidth = bandwidth;
  if (jitter >= 0) o.jitter = jitter;
  if (latency >= 0 || bandwidth >= 0 || jitter >= 0) {
    if (profile == "none") o.profile = "custom";
  }
  if (!std::isfinite(o.latency) || !std::isfinite(o.bandwidth) || !std::isfinite(o.jitter))
    return InvalidArgument("--latency, --bandwidth and --jitter must be finite");
  if (!(slowdown >= 1) || !std::isfinite(slowdown))
    return InvalidArgument("--network-slowdown must be a finite factor >= 1; got " + std::to_string(slowdown));
  if (slowdown > 1) {
    o.latency *= slowdown;
    o.jitter *= slowdown;
    o.bandwidth /= slowdown;
    o.variation_period *= slowdown;
  }
  return o;
}

double LinkSchedule::BandwidthAt(double t) const {
  if (o_.bandwidth <= 0) return 0;
  if (o_.variation_period <= 0) return o_.bandwidth;
  const auto period = static_cast<uint64_t>(std::max(0.0, t) / o_.variation_period);
  Rng r = Rng(seed_).Fork("bandwidth").Fork(period);
  return o_.bandwidth * (o_.variation_low + (1 - o_.variation_low) * r.Uniform());
}

double LinkSchedule::Arrival(int from, int to, size_t bytes, double now) {
  double& free = link_free_[from];
  const double start = std::max(free, now);
  const double bw = BandwidthAt(start);
  free = start + (bw > 0 ? static_cast<double>(bytes) / bw : 0.0);
  double extra = o_.latency;
  if (o_.jitter > 0) {
    Rng r = Rng(seed_).Fork("jitter").Fork(jitter_draws_++);
    extra += -o_.jitter * std::log(1 - r.Uniform());
  }
  double& last = last_arrival_[{from, to}];
  last = std::max(free + extra, last);  // FIFO per (from, to): jitter never reorders
  return last;
}

}  // namespace parley
