#include "parley/comm/sim/sim_transport.h"

#include <simgrid/s4u/Actor.hpp>
#include <simgrid/s4u/Comm.hpp>
#include <simgrid/s4u/ConditionVariable.hpp>
#include <simgrid/s4u/Engine.hpp>
#include <simgrid/s4u/Host.hpp>
#include <simgrid/s4u/Mutex.hpp>

#include <algorithm>
#include <deque>
#include <map>
#include <mutex>

namespace parley {
namespace sg4 = simgrid::s4u;

SimClock::SimClock() : origin_(sg4::Engine::get_clock()) {}

double SimClock::Now() const { return sg4::Engine::get_clock() - origin_; }

void SimClock::SleepUntil(double t) {
  if (t > Now()) sg4::this_actor::sleep_until(origin_ + t);
}

bool SimClock::WaitUntil(std::condition_variable& cv, std::unique_lock<std::mutex>& lock,
                         double deadline, const std::function<bool()>& ready) {
  (void)cv;
  while (!ready() && Now() < deadline) {
    lock.unlock();
    SleepUntil(std::min(deadline, Now() + kPollStep));
    lock.lock();
  }
  return ready();
}

struct SimTransport::Rank {
  sg4::MutexPtr mu = sg4::Mutex::create();
  sg4::ConditionVariablePtr cv = sg4::ConditionVariable::create();
  std::deque<std::unique_ptr<Envelope>> inbox;
  std::vector<Slot> slots;              // one per sender
  int64_t overwrites = 0;
  std::vector<uint64_t> sent, put;      // per receiver: next sequence numbers of my sends, puts
  std::vector<uint64_t> expected;       // per sender: sequence of its next message to deliver
  // Per sender: messages that arrived before an earlier one of theirs, by sequence number.
  std::vector<std::map<uint64_t, std::unique_ptr<Envelope>>> held;

  explicit Rank(size_t n) : slots(n), sent(n, 0), put(n, 0), expected(n, 0), held(n) {}
};

SimTransport::SimTransport(std::vector<sg4::Host*> hosts, Clock& clock)
    : clock_(clock), hosts_(std::move(hosts)) {
  for (size_t r = 0; r < hosts_.size(); ++r) ranks_.push_back(std::make_unique<Rank>(hosts_.size()));
}

SimTransport::~SimTransport() = default;

void SimTransport::Carry(std::unique_ptr<Envelope> e) {
  sg4::Host* from = hosts_.at(static_cast<size_t>(e->from));
  sg4::Host* to = hosts_.at(static_cast<size_t>(e->to));
  const uint64_t bytes = e->payload.size() + kEnvelopeBytes;
  // The carrier owns the envelope until it arrives (std::function needs a copyable callable).
  auto held = std::make_shared<std::unique_ptr<Envelope>>(std::move(e));
  sg4::Actor::create("carrier", from, [this, from, to, bytes, held] {
    if (from != to) sg4::Comm::sendto(from, to, bytes);
    Arrive(std::move(*held));
  });
}

void SimTransport::Send(int from, int to, int tag, Bytes payload, SendDone done) {
  Rank& sender = *ranks_.at(static_cast<size_t>(from));
  const uint64_t seq = sender.sent.at(static_cast<size_t>(to))++;
  Carry(std::make_unique<Envelope>(
      Envelope{from, to, tag, false, seq, std::move(payload), std::move(done)}));
}

void SimTransport::Put(int from, int to, Bytes state, SendDone done) {
  Rank& sender = *ranks_.at(static_cast<size_t>(from));
  const uint64_t seq = sender.put.at(static_cast<size_t>(to))++;
  Carry(std::make_unique<Envelope>(
      Envelope{from, to, 0, true, seq, std::move(state), std::move(done)}));
}

void SimTransport::Arrive(std::unique_ptr<Envelope> e) {
  Rank& r = *ranks_[static_cast<size_t>(e->to)];
  const size_t from = static_cast<size_t>(e->from);
  if (e->slot) {  // newest wins; a state older than the slot's is lost on arrival
    Slot& s = r.slots[from];
    if (s.fresh || (s.written && e->seq < s.seq)) ++r.overwrites;
    if (!s.written || e->seq > s.seq) {
      s.state = std::move(e->payload);
      s.seq = e->seq;
      s.fresh = s.written = true;
    }
    if (e->done) e->done->store(true, std::memory_order_release);
    return;
  }
  if (e->seq != r.expected[from]) {  // an earlier message of the pair is still on its way
    r.held[from].emplace(e->seq, std::move(e));
    return;
  }
  Deliver(std::move(e));
  auto& held = r.held[from];
  while (!held.empty() && held.begin()->first == r.expected[from]) {
    std::unique_ptr<Envelope> next = std::move(held.begin()->second);
    held.erase(held.begin());
    Deliver(std::move(next));
  }
}

void SimTransport::Deliver(std::unique_ptr<Envelope> e) {
  Rank& r = *ranks_[static_cast<size_t>(e->to)];
  ++r.expected[static_cast<size_t>(e->from)];
  if (e->done) e->done->store(true, std::memory_order_release);
  std::unique_lock<sg4::Mutex> lock(*r.mu);
  r.inbox.push_back(std::move(e));
  r.cv->notify_all();
}

std::optional<Message> SimTransport::Receive(int me, double deadline) {
  Rank& r = *ranks_.at(static_cast<size_t>(me));
  std::unique_lock<sg4::Mutex> lock(*r.mu);
  const double until = sg4::Engine::get_clock() + (deadline - clock_.Now());
  while (r.inbox.empty() && !aborted_.load(std::memory_order_acquire)) {
    if (sg4::Engine::get_clock() >= until) return std::nullopt;
    r.cv->wait_until(lock, until);
  }
  if (aborted_.load(std::memory_order_acquire)) return std::nullopt;
  std::unique_ptr<Envelope> e = std::move(r.inbox.front());
  r.inbox.pop_front();
  return Message{e->from, e->tag, std::move(e->payload)};
}

int SimTransport::ReadFreshSlots(int me,
                                 const std::function<void(int, std::span<const std::byte>)>& f) {
  Rank& r = *ranks_.at(static_cast<size_t>(me));
  int n = 0;
  for (size_t from = 0; from < r.slots.size(); ++from) {
    Slot& s = r.slots[from];
    if (!s.fresh) continue;
    s.fresh = false;
    f(static_cast<int>(from), s.state);
    ++n;
  }
  return n;
}

int64_t SimTransport::SlotOverwrites(int me) const {
  return ranks_.at(static_cast<size_t>(me))->overwrites;
}

}  // namespace parley
