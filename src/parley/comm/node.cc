#include "parley/comm/node.h"

#include <time.h>

#include <algorithm>

namespace parley {

double Node::ThreadCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

SendDone Node::Send(int to, int tag, Bytes payload) {
  auto done = std::make_shared<std::atomic<bool>>(false);
  counters_.messages_sent.fetch_add(1, std::memory_order_relaxed);
  counters_.bytes_sent.fetch_add(static_cast<int64_t>(payload.size()), std::memory_order_relaxed);
  in_flight_.push_back(done);
  transport_.Send(rank_, to, tag, std::move(payload), done);
  return done;
}

std::optional<Message> Node::Receive(std::chrono::duration<double> timeout) {
  const double deadline = transport_.clock().Now() + timeout.count();
  std::optional<Message> m = transport_.Receive(rank_, deadline);
  if (m) {
    counters_.messages_received.fetch_add(1, std::memory_order_relaxed);
    counters_.bytes_received.fetch_add(static_cast<int64_t>(m->payload.size()), std::memory_order_relaxed);
  }
  return m;
}

Awaited Node::Await(double deadline) {
  return Await([](const Message&) { return true; }, deadline);
}

Awaited Node::Await(const std::function<bool(const Message&)>& match, double deadline) {
  while (true) {
    std::optional<Message> m = Receive(kAwaitPoll);
    if (m) {
      if (match(*m)) return Awaited{AwaitStatus::kMessage, std::move(*m)};
      continue;
    }
    if (ShouldStop()) return Awaited{AwaitStatus::kStopped, {}};
    if (Now() > deadline) return Awaited{AwaitStatus::kTimedOut, {}};
  }
}

void Node::Put(int to, Bytes state) {
  auto done = std::make_shared<std::atomic<bool>>(false);
  counters_.messages_sent.fetch_add(1, std::memory_order_relaxed);
  counters_.bytes_sent.fetch_add(static_cast<int64_t>(state.size()), std::memory_order_relaxed);
  counters_.puts.fetch_add(1, std::memory_order_relaxed);
  in_flight_.push_back(done);
  transport_.Put(rank_, to, std::move(state), done);
}

int Node::ReadFreshSlots(const std::function<void(int, std::span<const std::byte>)>& f) {
  return transport_.ReadFreshSlots(rank_, [&](int from, std::span<const std::byte> s) {
    counters_.messages_received.fetch_add(1, std::memory_order_relaxed);
    counters_.bytes_received.fetch_add(static_cast<int64_t>(s.size()), std::memory_order_relaxed);
    counters_.slot_reads.fetch_add(1, std::memory_order_relaxed);
    f(from, s);
  });
}

int Node::SendsInFlight() {
  std::erase_if(in_flight_, [](const SendDone& d) { return d->load(std::memory_order_acquire); });
  return static_cast<int>(in_flight_.size());
}

}  // namespace parley
