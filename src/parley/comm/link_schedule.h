// The timing of the emulated network (DESIGN.md, "Emulating the papers' clusters"), without
// threads or clocks: given when a message is sent and how big it is, when it arrives. Times
// are seconds on the run's clock; NetemTransport feeds it real time, tests virtual time.
//
// Each sender has one outgoing link, its network card: messages leave it one after the
// other in the order they were sent, whatever their destination, each taking
// bytes / bandwidth seconds (the bandwidth in force when it starts to leave), then the
// latency plus an exponential jitter to arrive. Arrivals from one sender at one receiver
// never overtake each other (jitter delays, never reorders). So a sender that sends faster
// than its link drains sees its messages queue up, as on a real NIC, and a sender that
// spreads its messages over many receivers gets no more bandwidth than one that does not.
//
// Deterministic: the jitter draws and the variable bandwidth come from the seed alone.
// Not thread-safe (NetemTransport holds it under its mutex).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>

#include "parley/core/status.h"

namespace parley {

struct NetworkOptions {
  std::string profile = "none";  // none | infiniband | 10gbe | 1gbe | cloud | custom
  double latency = 0;            // seconds per message
  double bandwidth = 0;          // bytes per second of a sender's link; 0: infinite
  double jitter = 0;             // mean of an exponential extra delay, seconds
  // Variable bandwidth ("cloud"): every `variation_period` seconds the link bandwidth is
  // bandwidth * u with u drawn uniformly in [variation_low, 1] (seeded, the same for all
  // links). variation_period 0: constant.
  double variation_period = 0;
  double variation_low = 1;

  bool active() const { return latency > 0 || bandwidth > 0 || jitter > 0; }
  std::string Describe() const;
};

// The named profiles, then any of latency/bandwidth/jitter given explicitly (>= 0) override;
// then, with slowdown f > 1 (--network-slowdown), the whole network runs f times slower:
// latency, jitter and the variation period times f, bandwidth divided by f (with every
// worker's compute slowed by f too, a slow-motion copy of the cluster). Unknown profile names,
// non-finite values and f < 1 are errors naming the flag.
StatusOr<NetworkOptions> MakeNetworkOptions(const std::string& profile, double latency,
                                            double bandwidth, double jitter,
                                            double slowdown = 1);

class LinkSchedule {
 public:
  LinkSchedule(const NetworkOptions& o, uint64_t seed) : o_(o), seed_(seed) {}

  // A message of `bytes` from `from` to `to`, sent at `now`: its arrival time (>= now).
  double Arrival(int from, int to, size_t bytes, double now);
  // The bandwidth of every link at time t (bytes/s; 0: infinite).
  double BandwidthAt(double t) const;

 private:
  const NetworkOptions o_;
  const uint64_t seed_;
  uint64_t jitter_draws_ = 0;
  std::map<int, double> link_free_;                     // sender -> when its link is free
  std::map<std::pair<int, int>, double> last_arrival_;  // (from, to) -> latest arrival
};

}  // namespace parley
