// Network emulation as a transport decorator (DESIGN.md, "Emulating the papers' clusters"):
// every Send and Put is held back as it would be on a real link (the timing is LinkSchedule's,
// link_schedule.h: one outgoing FIFO link per sender), then handed to the wrapped transport. A
// send's completion flag turns true only on arrival, so a sender that watches its in-flight
// sends (ASGD's balancer) sees the queue build up when it sends faster than its link drains.
//
// Works over any transport (inproc, mpi); chosen and built by the runtime only. Its times are
// read on the wrapped transport's clock (the run's clock): a message arrives at a time on it.
//
// Thread-safety: as Transport. One delivery thread hands messages to the wrapped transport.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <queue>
#include <string>
#include <thread>
#include <vector>

#include "parley/comm/link_schedule.h"
#include "parley/comm/transport.h"
#include "parley/core/status.h"

namespace parley {

class NetemTransport final : public Transport {
 public:
  NetemTransport(Transport& inner, const NetworkOptions& options, uint64_t seed);
  ~NetemTransport() override;

  int size() const override { return inner_.size(); }
  Clock& clock() const override { return inner_.clock(); }
  void Send(int from, int to, int tag, Bytes payload, SendDone done) override;
  std::optional<Message> Receive(int me, double deadline) override {
    return inner_.Receive(me, deadline);
  }
  void Put(int from, int to, Bytes state, SendDone done) override;
  int ReadFreshSlots(int me, const std::function<void(int, std::span<const std::byte>)>& f) override {
    return inner_.ReadFreshSlots(me, f);
  }
  int64_t SlotOverwrites(int me) const override { return inner_.SlotOverwrites(me); }
  void Abort() override;

  // Bandwidth of every link at `seconds` on the clock (bytes/s; 0: infinite).
  double BandwidthAt(double seconds) const { return timing_.BandwidthAt(seconds); }

 private:
  struct Pending {
    double arrive;  // on the clock
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
  Clock& clock_;

  std::mutex mu_;
  std::condition_variable cv_;
  // GUARDED_BY(mu_):
  std::priority_queue<Pending, std::vector<Pending>, std::greater<>> queue_;
  LinkSchedule timing_;
  uint64_t seq_ = 0;
  bool stop_ = false;

  std::thread thread_;
};

}  // namespace parley
