// The node: everything a role (server, worker, master, peer) may use of the runtime. Roles are
// written in plain blocking style against this class only; they never name a transport, a
// thread or a clock. The node is a non-virtual wrapper (after ps-lite's Van::Send calling the
// virtual SendMsg): byte and message counters and the emulation hooks live here once, for every
// transport.
//
// Thread-safety: a Node belongs to one role's thread; only that thread calls its methods.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

#include <nlohmann/json.hpp>

#include "parley/comm/transport.h"
#include "parley/core/rng.h"
#include "parley/core/status.h"
#include "parley/optim/weights.h"

namespace parley {

// Where a training run stands, reported at evaluation points.
struct Progress {
  int64_t updates = 0;     // optimizer steps applied to the reported parameters
  double epochs = 0;       // passes over the training data (all workers together)
  double train_loss = -1;  // running mean of mini-batch losses since the last report; < 0: none
  // Algorithm-specific metrics for the log line (dropped gradients, staleness, ...): an
  // object whose keys are merged into the line.
  nlohmann::json extra = nlohmann::json::object();
};

// Thrown by RunContext::ChargeCompute out of Node::Compute when the emulated machine of this
// node dies (DESIGN.md, faults). The runtime catches it where it runs the role: the role just
// vanishes, as a crashed machine does; its peers must notice on their own.
struct NodeKilled {
  int rank;
};

// How Node::Await ended.
enum class AwaitStatus {
  kMessage,   // a message came: Awaited::message
  kStopped,   // the run should stop (Node::ShouldStop), and no message came
  kTimedOut,  // the deadline passed, and no message came
};
struct Awaited {
  AwaitStatus status = AwaitStatus::kTimedOut;
  Message message;  // when status == kMessage

  bool has_message() const { return status == AwaitStatus::kMessage; }
  bool stopped() const { return status == AwaitStatus::kStopped; }
  bool timed_out() const { return status == AwaitStatus::kTimedOut; }
};

// One-sided writes made (Node::Put) and fresh slots read (Node::ReadFreshSlots).
struct SlotCounts {
  int64_t puts = 0;
  int64_t reads = 0;
};

// Services the runtime gives every node of a run. Implemented by the runtime; thread-safe.
class RunContext {
 public:
  virtual ~RunContext() = default;
  // Seconds of training on the run's clock (core/clock.h), the time roles and the log read.
  virtual double Now() const = 0;
  // Whether the run should end (stop rule met, another role failed, interrupted).
  virtual bool ShouldStop() const = 0;
  // Ends the run with an error; the first failure wins and is what the user sees.
  virtual void Fail(int rank, Status status) = 0;
  // An evaluation point: the runtime evaluates `w` (train/test metrics), logs it and applies
  // the stop rule. `final` marks the parameters the run ends with (saved to the model file).
  virtual void Report(int rank, const Progress& progress, WeightsView w, bool final) = 0;
  // Whether compute is emulated. Only then does Node::Compute time its work (on the run's clock,
  // and the thread's CPU time) and call ChargeCompute.
  virtual bool EmulatesCompute() const { return false; }
  // Emulation hook, called after each Compute of an emulating context with its duration on the
  // run's clock and the CPU time the calling thread spent in it; may sleep to emulate
  // a slower machine, or throw NodeKilled. Returns the seconds charged in total.
  virtual double ChargeCompute(int rank, double seconds, double cpu_seconds) { return seconds; }
  // Cheap progress note (epochs done so far) for the terminal progress bar.
  virtual void Tick(int rank, double epochs) {}
  // The one-sided traffic of node `rank` so far (its NodeCounters puts and slot_reads), for
  // roles that log the whole run's (asgd's puts_all). In one process the node's live counters;
  // under MPI, for a node on another rank, the latest counts that rank sent to rank 0 (every
  // 250 ms and when its role ended), and zero on ranks other than 0.
  virtual SlotCounts SlotTraffic(int rank) const { return {}; }
  // Something the user should see in the metrics log and the summary's "events" (a worker
  // that fell silent, rejoined, ...): an object with at least an "event" key.
  virtual void Event(int rank, nlohmann::json event) {}
};

// Message and byte counters of one node: written by the node's thread, read by the runtime's
// reporting thread (hence atomics, relaxed: they are statistics, not synchronisation).
struct NodeCounters {
  std::atomic<int64_t> messages_sent{0};
  std::atomic<int64_t> bytes_sent{0};
  std::atomic<int64_t> messages_received{0};
  std::atomic<int64_t> bytes_received{0};
  std::atomic<int64_t> steps{0};  // Compute calls
  std::atomic<int64_t> puts{0};        // one-sided writes (Put), also counted in messages_sent
  std::atomic<int64_t> slot_reads{0};  // fresh slots read, also counted in messages_received
};

class Node {
 public:
  Node(int rank, std::string role, Transport& transport, RunContext& context, Rng rng)
      : rank_(rank), role_(std::move(role)), transport_(transport), context_(context), rng_(rng) {}
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;

  // Who am I.
  int rank() const { return rank_; }
  int size() const { return transport_.size(); }
  const std::string& role() const { return role_; }
  // This node's generator, derived from the run seed and the rank.
  Rng& rng() { return rng_; }

  // Non-blocking send; the returned flag turns true when the message is delivered.
  SendDone Send(int to, int tag, Bytes payload);
  // Blocks for the next message up to `timeout` on the run's clock; nullopt on timeout or when
  // the run is aborted.
  std::optional<Message> Receive(std::chrono::duration<double> timeout);
  // The next message if one is already waiting.
  std::optional<Message> Poll() { return Receive(std::chrono::duration<double>(0)); }

  // Every wait of a role (STYLE.md 5): waits for the next message until `deadline`, in seconds
  // on Now()'s clock (kNoDeadline: none). A message is returned as soon as one is waiting, even
  // past the deadline. While none comes, every kAwaitPoll it returns kStopped when the run
  // should stop, else kTimedOut once Now() > deadline; otherwise it goes on waiting.
  Awaited Await(double deadline);
  // As Await(deadline), for the first message that match() accepts; the others are dropped.
  Awaited Await(const std::function<bool(const Message&)>& match, double deadline);
  static constexpr double kNoDeadline = std::numeric_limits<double>::infinity();
  static constexpr std::chrono::duration<double> kAwaitPoll{0.05};

  // One-sided write into `to`'s slot for me (non-blocking).
  void Put(int to, Bytes state);
  // Reads my fresh slots (see Transport::ReadFreshSlots).
  int ReadFreshSlots(const std::function<void(int, std::span<const std::byte>)>& f);
  // Writes into my slots that were replaced before I read them (Transport::SlotOverwrites).
  int64_t SlotOverwrites() const { return transport_.SlotOverwrites(rank_); }
  // How many of my sends and puts are still in flight.
  int SendsInFlight();

  // Seconds on the run's clock.
  double Now() const { return context_.Now(); }
  // Runs f (gradient work) and, when the run emulates compute, charges its duration to this
  // node, applying emulated slowdowns (which may sleep, or throw NodeKilled when the emulated
  // machine dies). Otherwise it reads no clock: a batch-1 sparse step takes about 100 ns, and
  // two clock reads cost a sixth of that on this project's VMs.
  template <typename F>
  auto Compute(F&& f) -> decltype(f()) {
    // One writer (this node's thread): a plain load and store, not a locked read-modify-write.
    counters_.steps.store(counters_.steps.load(std::memory_order_relaxed) + 1,
                          std::memory_order_relaxed);
    if (!context_.EmulatesCompute()) return f();
    const double cpu = ThreadCpuSeconds();
    const double start = transport_.clock().Now();
    if constexpr (std::is_void_v<decltype(f())>) {
      f();
      Charged(start, cpu);
    } else {
      auto result = f();
      Charged(start, cpu);
      return result;
    }
  }
  bool ShouldStop() const { return context_.ShouldStop(); }
  // Ends the whole run with `status` (which should name the failing peer and what to do).
  void Fail(Status status) { context_.Fail(rank_, std::move(status)); }
  void Report(const Progress& p, WeightsView w, bool final = false) {
    context_.Report(rank_, p, w, final);
  }

  // Progress note for the terminal bar, forwarded at most once per 0.001 epochs: the bar reads
  // it every 200 ms, while one location written at every step by every worker costs a
  // cache-line transfer per step (hogwild with 2 workers ran slower than with 1).
  void Tick(double epochs) {
    if (epochs >= last_tick_ && epochs - last_tick_ < 1e-3) return;
    last_tick_ = epochs;
    context_.Tick(rank_, epochs);
  }
  void Event(nlohmann::json event) { context_.Event(rank_, std::move(event)); }

  const NodeCounters& counters() const { return counters_; }
  // SlotTraffic of node `rank` (see RunContext); this node's own counts are always live.
  SlotCounts SlotTraffic(int rank) const {
    if (rank != rank_) return context_.SlotTraffic(rank);
    return {counters_.puts.load(std::memory_order_relaxed), counters_.slot_reads.load(std::memory_order_relaxed)};
  }

 private:
  void Charged(double start, double cpu_start) {
    const double took = transport_.clock().Now() - start;
    context_.ChargeCompute(rank_, took, ThreadCpuSeconds() - cpu_start);
  }
  // CPU time of the calling thread (CLOCK_THREAD_CPUTIME_ID), seconds.
  static double ThreadCpuSeconds();

  const int rank_;
  const std::string role_;
  Transport& transport_;
  RunContext& context_;
  Rng rng_;
  double last_tick_ = -1;  // epochs last forwarded by Tick
  NodeCounters counters_;
  std::vector<SendDone> in_flight_;
};

}  // namespace parley
