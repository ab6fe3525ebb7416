// Network emulation as a transport decorator (DESIGN.md, "Emulating the papers' clusters"):
// every Send and Put is held back as it would be on a real link, then handed to the wrapped
// transport. Each directed link (from, to) is a FIFO: a message starts transmitting when the
// previous one on that link has left, takes bytes / bandwidth seconds, then latency (+ jitter)
// to arrive; arrivals on a link never overtake each other. A send's completion flag turns true
// only on arrival, so a sender that watches its in-flight sends (ASGD's balancer) sees the
// queue build up when it sends faster than the link drains.
//
// Works over any transport (inproc, mpi); chosen and built by the runtime only.
//
// Thread-safety: as Transport. One delivery thread hands messages to the wrapped transport.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <queue>
#include <string>
#include <thread>
#include <vector>

#include "parley/comm/transport.h"
#include "parley/core/status.h"

namespace parley {

struct NetworkOptions {
  std::string profile = "none";  // none | infiniband | 10gbe | 1gbe | cloud | custom
  double latency = 0;            // seconds per message
  double bandwidth = 0;          // bytes per second per link; 0: infinite
  double jitter = 0;             // mean of an exponential extra delay, seconds
  // Variable bandwidth ("cloud"): every `variation_period` seconds the link bandwidth is
  // bandwidth * u with u drawn uniformly in [variation_low, 1] (seeded, the same for all
  // links). variation_period 0: constant.
  double variation_period = 0;
  double variation_low = 1;

  bool active() const { return latency > 0 || bandwidth > 0 || jitter > 0; }
  std::string Describe() const;
};

// The named profiles, then any of latency/bandwidth/jitter given explicitly (>= 0) override.
// Unknown profile names are an error listing the known ones.
StatusOr<NetworkOptions> MakeNetworkOptions(const std::string& profile, double latency,
                                            double bandwidth, double jitter);

class NetemTransport final : public Transport {
 public:
  NetemTransport(Transport& inner, const NetworkOptions& options, uint64_t seed);
  ~NetemTransport() override;

  int size() const override { return inner_.size(); }
  void Send(int from, int to, int tag, Bytes payload, SendDone done) override;
  std::optional<Message> Receive(int me, SteadyClock::time_point deadline) override {
    return inner_.Receive(me, deadline);
  }
  void Put(int from, int to, Bytes state, SendDone done) override;
  int ReadFreshSlots(int me, const std::function<void(int, std::span<const std::byte>)>& f) override {
    return inner_.ReadFreshSlots(me, f);
  }
  int64_t SlotOverwrites(int me) const override { return inner_.SlotOverwrites(me); }
  void Abort() override;

  // Bandwidth of every link at `seconds` since construction (bytes/s; 0: infinite).
  double BandwidthAt(double seconds) const;

 private:
  struct Pending {
    SteadyClock::time_point arrive;
    uint64_t seq;
    bool put;
    int from, to, tag;
    Bytes payload;
    SendDone done;
    bool operator>(const Pending& o) const {
      return arrive != o.arrive ? arrive > o.arrive : seq > o.seq;
    }
  };
  void Enqueue(bool put, int from, int to, int tag, Bytes payload, SendDone done);
  void Deliver();

  Transport& inner_;
  const NetworkOptions o_;
  const uint64_t seed_;
  const SteadyClock::time_point start_;

  std::mutex mu_;
  std::condition_variable cv_;
  // GUARDED_BY(mu_):
  std::priority_queue<Pending, std::vector<Pending>, std::greater<>> queue_;
  std::map<std::pair<int, int>, SteadyClock::time_point> link_free_, link_last_arrival_;
  uint64_t seq_ = 0;
  uint64_t jitter_draws_ = 0;
  bool stop_ = false;

  std::thread thread_;
};

}  // namespace parley
