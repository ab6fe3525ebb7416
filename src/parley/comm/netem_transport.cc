#include "parley/comm/netem_transport.h"


namespace parley {

NetemTransport::NetemTransport(Transport& inner, const NetworkOptions& options, uint64_t seed)
    : inner_(inner), clock_(inner.clock()), timing_(options, seed) {
  thread_ = std::thread([this] { Deliver(); });
}

NetemTransport::~NetemTransport() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void NetemTransport::Send(int from, int to, int tag, Bytes payload, SendDone done) {
  Enqueue(false, from, to, tag, std::move(payload), std::move(done));
}

void NetemTransport::Put(int from, int to, Bytes state, SendDone done) {
  Enqueue(true, from, to, 0, std::move(state), std::move(done));
}

void NetemTransport::Enqueue(bool put, int from, int to, int tag, Bytes payload, SendDone done) {
  const double now = clock_.Now();
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stop_) return;
    const double arrive = timing_.Arrival(from, to, payload.size(), now);
    queue_.push(Pending{arrive, seq_++, put, from, to, tag, std::move(payload), std::move(done)});
  }
  cv_.notify_all();
}

void NetemTransport::Deliver() {
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    if (stop_) return;
    if (queue_.empty()) {
      cv_.wait(lock);
      continue;
    }
    const double arrive = queue_.top().arrive;
    if (clock_.Now() < arrive) {
      // Woken early by a new message (which may arrive first) or the end.
      const size_t queued = queue_.size();
      clock_.WaitUntil(cv_, lock, arrive, [&] { return stop_ || queue_.size() != queued; });
      continue;
    }
    Pending p = std::move(const_cast<Pending&>(queue_.top()));
    queue_.pop();
    lock.unlock();
    if (p.put) {
      inner_.Put(p.from, p.to, std::move(p.payload), std::move(p.done));
    } else {
      inner_.Send(p.from, p.to, p.tag, std::move(p.payload), std::move(p.done));
    }
    lock.lock();
  }
}

void NetemTransport::Abort() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
    while (!queue_.empty()) queue_.pop();
  }
  cv_.notify_all();
  inner_.Abort();
}

}  // namespace parley
