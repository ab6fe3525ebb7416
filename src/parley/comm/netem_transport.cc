#include "parley/comm/netem_transport.h"

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
                                            double bandwidth, double jitter) {
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
  return o;
}

NetemTransport::NetemTransport(Transport& inner, const NetworkOptions& options, uint64_t seed)
    : inner_(inner), o_(options), seed_(seed), start_(SteadyClock::now()) {
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

double NetemTransport::BandwidthAt(double seconds) const {
  if (o_.bandwidth <= 0) return 0;
  if (o_.variation_period <= 0) return o_.bandwidth;
  const auto period = static_cast<uint64_t>(std::max(0.0, seconds) / o_.variation_period);
  Rng r = Rng(seed_).Fork("bandwidth").Fork(period);
  return o_.bandwidth * (o_.variation_low + (1 - o_.variation_low) * r.Uniform());
}

void NetemTransport::Send(int from, int to, int tag, Bytes payload, SendDone done) {
  Enqueue(false, from, to, tag, std::move(payload), std::move(done));
}

void NetemTransport::Put(int from, int to, Bytes state, SendDone done) {
  Enqueue(true, from, to, 0, std::move(state), std::move(done));
}

void NetemTransport::Enqueue(bool put, int from, int to, int tag, Bytes payload, SendDone done) {
  using Dur = SteadyClock::duration;
  auto secs = [](double s) { return std::chrono::duration_cast<Dur>(std::chrono::duration<double>(s)); };
  const auto now = SteadyClock::now();
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stop_) return;
    const auto link = std::make_pair(from, to);
    auto free_it = link_free_.find(link);
    auto start = (free_it == link_free_.end() || free_it->second < now) ? now : free_it->second;
    const double bw = BandwidthAt(std::chrono::duration<double>(start - start_).count());
    const auto left = start + (bw > 0 ? secs(static_cast<double>(payload.size()) / bw) : Dur::zero());
    link_free_[link] = left;
    double extra = o_.latency;
    if (o_.jitter > 0) {
      Rng r = Rng(seed_).Fork("jitter").Fork(jitter_draws_++);
      extra += -o_.jitter * std::log(1 - r.Uniform());
    }
    auto arrive = left + secs(extra);
    auto& last = link_last_arrival_[link];
    if (arrive < last) arrive = last;  // FIFO per link: jitter never reorders
    last = arrive;
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
    const auto arrive = queue_.top().arrive;
    if (SteadyClock::now() < arrive) {
      cv_.wait_until(lock, arrive);
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
