#include "parley/comm/mpi/mpi_transport.h"

#include <mpi.h>

#include <algorithm>
#include <climits>
#include <cstdio>
#include <cstring>

#include "parley/comm/mpi/mpi_session.h"

namespace parley {
namespace {

// Each slot: {sequence number, length} then `capacity` bytes.
struct SlotHeader {
  uint64_t seq;
  uint64_t len;
};
constexpr size_t kHeader = sizeof(SlotHeader);

// While a transfer at least this large is in flight, the progress thread polls without
// napping (yielding the core between polls) for up to kSpinFor: a large message moves in
// fragments (or a rendezvous) that advance only when this rank calls into MPI, and a 100 us nap
// per poll would cost as much as the transfer itself. Small messages complete on their own.
constexpr size_t kSpinBytes = 64 * 1024;
constexpr std::chrono::milliseconds kSpinFor(5);
// A role waiting in Receive polls MPI itself for as long as something moved within kRolePoll
// (or a large transfer is in flight, up to kSpinFor), then sleeps and leaves it to the progress
// thread.
constexpr std::chrono::microseconds kRolePoll(200);
constexpr int kYieldEvery = 8;  // a polling role yields the core every kYieldEvery idle polls
// While a role polls, the progress thread sleeps until an operation is queued, the role stops
// polling with nothing in hand or with MPI operations still pending (it wakes the thread), or
// kPollerNap passes. Waking it more often costs the polling role its core and the MPI mutex:
// with a 200 us nap, 1 MiB ping-pongs over shared memory ran at 0.76-0.88 of raw MPI, against
// 0.86-1.07 with this one (four interleaved runs each, bench/RESULTS-mpi.md).
constexpr std::chrono::milliseconds kPollerNap(5);
// Buffers of completed large sends are kept (up to kPoolBuffers) and reused for incoming
// messages of at most their size: a fresh std::vector<std::byte> would be zero-filled first,
// which for 1 MiB costs a third of the transfer over shared memory. Parameter blocks repeat
// their sizes, so most large receives find a buffer.
constexpr size_t kPoolBuffers = 8;

[[noreturn]] void Die(int rank, const std::string& what) {
  std::fprintf(stderr, "error: rank %d: %s\n", rank, what.c_str());
  MpiSession::AbortJob(1);
}

int CountOrDie(int rank, size_t bytes) {
  if (bytes > static_cast<size_t>(INT_MAX))
    Die(rank, "a message of " + std::to_string(bytes) + " bytes is larger than one MPI message can carry (2 GiB)");
  return static_cast<int>(bytes);
}

}  // namespace

struct MpiTransport::Impl {
  MPI_Win win = MPI_WIN_NULL;
  std::byte* base = nullptr;  // this rank's window: size slots of kHeader + capacity bytes

  struct PendingSend {
    MPI_Request req;
    Bytes payload;  // kept alive until the send completes
    SendDone done;
  };
  std::vector<PendingSend> sends;
  struct PendingRecv {
    MPI_Request req;
    Message msg;
  };
  std::deque<PendingRecv> recvs;  // in match order; delivered from the front only

  std::deque<Op> ops;  // PollLocked's batch of queued operations
  std::vector<uint64_t> put_seq;   // per target: sequence of my last put
  std::vector<uint64_t> read_seq;  // per source: sequence seen by my last read
  Bytes put_buf;
  std::vector<Bytes> pool;  // see kPoolBuffers

  // A receive buffer of n bytes: a pooled one when one is large enough (and not more than
  // twice n), else a new one.
  Bytes TakeBuffer(size_t n) {
    if (n >= kSpinBytes) {
      for (size_t i = 0; i < pool.size(); ++i) {
        if (pool[i].size() >= n && pool[i].size() <= 2 * n) {
          Bytes b = std::move(pool[i]);
          pool[i] = std::move(pool.back());
          pool.pop_back();
          b.resize(n);  // shrinking: no fill
          return b;
        }
      }
    }
    return Bytes(n);
  }
  void ReturnBuffer(Bytes b) {
    if (b.size() >= kSpinBytes && pool.size() < kPoolBuffers) pool.push_back(std::move(b));
  }

  // End-of-run accounting: messages posted to and matched from each rank.
  std::vector<int64_t> sent_to, recv_from, expected_from;
  int phase = 0;  // 0 running, 1 counts exchanging, 2 draining, 3 barrier, 4 done
  MPI_Request collective = MPI_REQUEST_NULL;
};

MpiTransport::MpiTransport(int rank, int size, size_t slot_capacity, Clock& clock)
    : rank_(rank), size_(size), slot_capacity_(slot_capacity), clock_(clock),
      impl_(std::make_unique<Impl>()) {
  impl_->put_seq.assign(static_cast<size_t>(size), 0);
  impl_->read_seq.assign(static_cast<size_t>(size), 0);
  impl_->sent_to.assign(static_cast<size_t>(size), 0);
  impl_->recv_from.assign(static_cast<size_t>(size), 0);
  impl_->expected_from.assign(static_cast<size_t>(size), 0);
}

StatusOr<std::unique_ptr<MpiTransport>> MpiTransport::Create(size_t slot_capacity, Clock& clock) {
  int initialized = 0;
  MPI_Initialized(&initialized);
  if (!initialized) return Internal("MpiTransport::Create before MPI is initialised");
  int rank = 0, size = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  std::unique_ptr<MpiTransport> t(new MpiTransport(rank, size, slot_capacity, clock));
  if (slot_capacity > 0) {
    const size_t bytes = static_cast<size_t>(size) * (kHeader + slot_capacity);
    if (bytes > static_cast<size_t>(LLONG_MAX)) return InvalidArgument("slot window too large");
    MPI_Info info;
    MPI_Info_create(&info);
    MPI_Info_set(info, "same_size", "true");
    void* base = nullptr;
    if (MPI_Win_allocate(static_cast<MPI_Aint>(bytes), 1, info, MPI_COMM_WORLD, &base, &t->impl_->win) !=
        MPI_SUCCESS)
      return Unavailable("MPI_Win_allocate of " + std::to_string(bytes) + " bytes failed");
    MPI_Info_free(&info);
    t->impl_->base = static_cast<std::byte*>(base);
    MPI_Win_lock(MPI_LOCK_EXCLUSIVE, rank, 0, t->impl_->win);
    std::memset(base, 0, bytes);
    MPI_Win_unlock(rank, t->impl_->win);
  }
  MPI_Barrier(MPI_COMM_WORLD);  // every window is zeroed before anyone puts; common start
  t->start_ = SteadyClock::now();
  t->progress_ = std::thread([p = t.get()] { p->Progress(); });
  return t;
}

MpiTransport::~MpiTransport() {
  if (progress_.joinable()) {
    // Shutdown was not called or timed out: stop the thread without the collective ending.
    {
      std::lock_guard<std::mutex> lock(out_mu_);
      shutdown_requested_ = true;
      hard_stop_ = true;
    }
    out_cv_.notify_all();
    progress_.join();
  }
}

void MpiTransport::Enqueue(Op op) {
  {
    std::lock_guard<std::mutex> lock(out_mu_);
    out_.push_back(std::move(op));
  }
  out_cv_.notify_one();
}

void MpiTransport::Send(int from, int to, int tag, Bytes payload, SendDone done) {
  if (tag < 0 || tag >= kControlTagBase)
    Die(rank_, "message tag " + std::to_string(tag) + " outside [0, " + std::to_string(kControlTagBase) + ")");
  if (to < 0 || to >= size_) Die(rank_, "send to rank " + std::to_string(to) + " of " + std::to_string(size_));
  (void)from;
  Op op{Op::kSend, to, tag, std::move(payload), std::move(done), nullptr};
  if (mpi_mu_.try_lock()) {
    std::lock_guard<std::mutex> lock(mpi_mu_, std::adopt_lock);
    PollLocked();  // what is queued goes first
    ExecuteLocked(op);
    PollLocked();  // completes a small send at once
    return;
  }
  Enqueue(std::move(op));
}

void MpiTransport::SendControl(int to, int tag, Bytes payload) {
  Enqueue(Op{Op::kSend, to, kControlTagBase + tag, std::move(payload), nullptr, nullptr});
}

bool MpiTransport::RoleReady() {
  std::lock_guard<std::mutex> lock(in_mu_);
  return !inbox_.empty() || aborted_.load(std::memory_order_acquire);
}

void MpiTransport::PollForRole(double deadline) {
  pollers_.fetch_add(1, std::memory_order_relaxed);
  SteadyClock::time_point last_busy = SteadyClock::now();
  for (int polls = 1; !RoleReady(); ++polls) {
    bool busy = false, large = false;
    if (mpi_mu_.try_lock()) {
      std::lock_guard<std::mutex> mpi(mpi_mu_, std::adopt_lock);
      busy = PollLocked();
      large = LargeInFlightLocked();
    }
    const auto now = SteadyClock::now();
    if (busy) last_busy = now;
    if (clock_.Now() >= deadline || now - last_busy > (large ? kSpinFor : kRolePoll)) break;
    if (!busy && polls % kYieldEvery == 0) std::this_thread::yield();
  }
  if (pollers_.fetch_sub(1, std::memory_order_relaxed) == 1 &&
      (!RoleReady() || pending_.load(std::memory_order_relaxed))) {
    // Going to sleep, or leaving sends and receives in flight: the progress thread takes over at
    // once (with a message in hand and nothing pending the role runs on, and the progress
    // thread's nap ends by itself within kPollerNap).
    {
      std::lock_guard<std::mutex> out(out_mu_);
    }
    out_cv_.notify_one();
  }
}

std::optional<Message> MpiTransport::Receive(int me, double deadline) {
  (void)me;
  if (!RoleReady()) PollForRole(deadline);
  std::unique_lock<std::mutex> lock(in_mu_);
  clock_.WaitUntil(in_cv_, lock, deadline, [&] {
    return !inbox_.empty() || aborted_.load(std::memory_order_acquire);
  });
  if (inbox_.empty() || aborted_.load(std::memory_order_acquire)) return std::nullopt;
  Message m = std::move(inbox_.front());
  inbox_.pop_front();
  return m;
}

std::optional<Message> MpiTransport::ReceiveControl(SteadyClock::time_point deadline) {
  std::unique_lock<std::mutex> lock(in_mu_);
  control_cv_.wait_until(lock, deadline, [&] { return !control_.empty(); });
  if (control_.empty()) return std::nullopt;
  Message m = std::move(control_.front());
  control_.pop_front();
  return m;
}

void MpiTransport::Put(int from, int to, Bytes state, SendDone done) {
  (void)from;
  if (slot_capacity_ == 0) Die(rank_, "one-sided Put on a run without a slot window (the algorithm was not expected to use slots)");
  if (state.size() > slot_capacity_)
    Die(rank_, "a one-sided state of " + std::to_string(state.size()) + " bytes exceeds the slot capacity of " +
                   std::to_string(slot_capacity_) + " bytes");
  if (to < 0 || to >= size_) Die(rank_, "put to rank " + std::to_string(to) + " of " + std::to_string(size_));
  // Always queued: MPI_Win_unlock waits for the target, and the caller must not.
  {
    std::lock_guard<std::mutex> lock(out_mu_);
    puts_.push_back(Op{Op::kPut, to, 0, std::move(state), std::move(done), nullptr});
  }
  out_cv_.notify_one();
}

int MpiTransport::ReadFreshSlots(int me, const std::function<void(int, std::span<const std::byte>)>& f) {
  (void)me;
  if (slot_capacity_ == 0) return 0;
  std::vector<std::pair<int, Bytes>> fresh;
  if (mpi_mu_.try_lock()) {
    std::lock_guard<std::mutex> lock(mpi_mu_, std::adopt_lock);
    PollLocked();
    fresh = ReadSlotsLocked();
  } else {
    std::promise<std::vector<std::pair<int, Bytes>>> promise;
    auto future = promise.get_future();
    {
      std::lock_guard<std::mutex> lock(out_mu_);
      if (shutdown_requested_) return 0;
      out_.push_back(Op{Op::kRead, rank_, 0, {}, nullptr, &promise});
    }
    out_cv_.notify_one();
    fresh = future.get();
  }
  for (auto& [from, state] : fresh) f(from, state);
  return static_cast<int>(fresh.size());
}

int64_t MpiTransport::SlotOverwrites(int me) const {
  (void)me;
  return overwrites_.load(std::memory_order_relaxed);
}

void MpiTransport::Abort() {
  aborted_.store(true, std::memory_order_release);
  std::lock_guard<std::mutex> lock(in_mu_);
  in_cv_.notify_all();
}

void MpiTransport::Deliver(Message m) {
  bytes_received_.fetch_add(static_cast<int64_t>(m.payload.size()), std::memory_order_relaxed);
  bool control = false;
  {
    std::lock_guard<std::mutex> lock(in_mu_);
    if (m.tag >= kControlTagBase) {
      m.tag -= kControlTagBase;
      control_.push_back(std::move(m));
      control = true;
    } else {
      inbox_.push_back(std::move(m));
    }
  }
  (control ? control_cv_ : in_cv_).notify_all();
}

std::vector<std::pair<int, Bytes>> MpiTransport::ReadSlotsLocked() {
  Impl& s = *impl_;
  std::vector<std::pair<int, Bytes>> fresh;
  MPI_Win_lock(MPI_LOCK_EXCLUSIVE, rank_, 0, s.win);
  for (int from = 0; from < size_; ++from) {
    const std::byte* slot = s.base + static_cast<size_t>(from) * (kHeader + slot_capacity_);
    SlotHeader h;
    std::memcpy(&h, slot, kHeader);
    uint64_t& seen = s.read_seq[static_cast<size_t>(from)];
    if (h.seq == seen || h.len > slot_capacity_) continue;
    if (h.seq > seen + 1) overwrites_.fetch_add(static_cast<int64_t>(h.seq - seen - 1), std::memory_order_relaxed);
    seen = h.seq;
    fresh.emplace_back(from, Bytes(slot + kHeader, slot + kHeader + h.len));
  }
  MPI_Win_unlock(rank_, s.win);
  return fresh;
}

void MpiTransport::ExecuteLocked(Op& op) {
  Impl& s = *impl_;
  static std::byte empty[1];
  if (op.kind == Op::kSend) {
    if (s.phase > 0) {  // after the end-of-run count: dropped
      if (op.done) op.done->store(true, std::memory_order_release);
      return;
    }
    const int n = CountOrDie(rank_, op.payload.size());
    Impl::PendingSend p{MPI_REQUEST_NULL, std::move(op.payload), std::move(op.done)};
    MPI_Isend(n > 0 ? static_cast<void*>(p.payload.data()) : static_cast<void*>(empty), n, MPI_BYTE, op.to, op.tag,
              MPI_COMM_WORLD, &p.req);
    s.sent_to[static_cast<size_t>(op.to)]++;
    s.sends.push_back(std::move(p));
  } else if (op.kind == Op::kPut) {
    const size_t len = op.payload.size();
    SlotHeader h{++s.put_seq[static_cast<size_t>(op.to)], len};
    s.put_buf.resize(kHeader + len);
    std::memcpy(s.put_buf.data(), &h, kHeader);
    if (len > 0) std::memcpy(s.put_buf.data() + kHeader, op.payload.data(), len);
    const MPI_Aint disp = static_cast<MPI_Aint>(static_cast<size_t>(rank_) * (kHeader + slot_capacity_));
    const int n = CountOrDie(rank_, kHeader + len);
    MPI_Win_lock(MPI_LOCK_EXCLUSIVE, op.to, 0, s.win);
    MPI_Put(s.put_buf.data(), n, MPI_BYTE, op.to, disp, n, MPI_BYTE, s.win);
    MPI_Win_unlock(op.to, s.win);
    if (op.done) op.done->store(true, std::memory_order_release);
  } else {  // kRead
    op.read->set_value(ReadSlotsLocked());
  }
}

bool MpiTransport::PollLocked(bool puts) {
  Impl& s = *impl_;
  static std::byte empty[1];
  bool busy = false;
  {
    std::lock_guard<std::mutex> lock(out_mu_);
    s.ops.swap(out_);
    if (puts) {
      for (Op& op : puts_) s.ops.push_back(std::move(op));
      puts_.clear();
    }
  }
  for (Op& op : s.ops) {
    busy = true;
    ExecuteLocked(op);
  }
  s.ops.clear();

  // Completed sends.
  for (size_t i = 0; i < s.sends.size();) {
    int flag = 0;
    MPI_Test(&s.sends[i].req, &flag, MPI_STATUS_IGNORE);
    if (flag) {
      if (s.sends[i].done) s.sends[i].done->store(true, std::memory_order_release);
      s.ReturnBuffer(std::move(s.sends[i].payload));
      s.sends[i] = std::move(s.sends.back());
      s.sends.pop_back();
      busy = true;
    } else {
      ++i;
    }
  }
  // New incoming messages: matched now, received into their own buffers.
  for (int k = 0; k < 64; ++k) {
    int flag = 0;
    MPI_Message mm;
    MPI_Status st;
    MPI_Improbe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, &mm, &st);
    if (!flag) break;
    int n = 0;
    MPI_Get_count(&st, MPI_BYTE, &n);
    s.recvs.push_back(Impl::PendingRecv{MPI_REQUEST_NULL, Message{st.MPI_SOURCE, st.MPI_TAG, s.TakeBuffer(static_cast<size_t>(n))}});
    Bytes& buf = s.recvs.back().msg.payload;
    MPI_Imrecv(n > 0 ? static_cast<void*>(buf.data()) : static_cast<void*>(empty), n, MPI_BYTE, &mm,
               &s.recvs.back().req);
    s.recv_from[static_cast<size_t>(st.MPI_SOURCE)]++;
    busy = true;
  }
  while (!s.recvs.empty()) {
    int flag = 0;
    MPI_Test(&s.recvs.front().req, &flag, MPI_STATUS_IGNORE);
    if (!flag) break;
    Deliver(std::move(s.recvs.front().msg));
    s.recvs.pop_front();
    busy = true;
  }
  pending_.store(!s.sends.empty() || !s.recvs.empty(), std::memory_order_relaxed);
  return busy;
}

bool MpiTransport::LargeInFlightLocked() const {
  const Impl& s = *impl_;
  for (const auto& p : s.sends)
    if (p.payload.size() >= kSpinBytes) return true;
  for (const auto& p : s.recvs)
    if (p.msg.payload.size() >= kSpinBytes) return true;
  return false;
}

Status MpiTransport::Shutdown(std::chrono::duration<double> timeout) {
  if (!progress_.joinable()) return OkStatus();
  {
    std::lock_guard<std::mutex> lock(out_mu_);
    shutdown_requested_ = true;
  }
  out_cv_.notify_all();
  {
    std::unique_lock<std::mutex> lock(shutdown_mu_);
    if (!shutdown_cv_.wait_for(lock, timeout, [&] { return shutdown_state_ == 1; }))
      return DeadlineExceeded("the ranks did not finish their last messages within " +
                              std::to_string(timeout.count()) + " s");
  }
  progress_.join();
  if (impl_->win != MPI_WIN_NULL) MPI_Win_free(&impl_->win);
  return OkStatus();
}

void MpiTransport::Progress() {
  Impl& s = *impl_;
  int idle = 0;
  SteadyClock::time_point spin_since{};  // when the current stretch of polling a large transfer began
  for (;;) {
    bool stop = false, hard = false;
    {
      std::lock_guard<std::mutex> lock(out_mu_);
      stop = shutdown_requested_;
      hard = hard_stop_;
    }
    if (hard) return;
    bool busy = false, large = false, pending = false;
    {
      std::lock_guard<std::mutex> mpi(mpi_mu_);
      busy = PollLocked(/*puts=*/true);

      // End of run: exchange how many messages each rank sent to each, receive them all, then a
      // barrier; only then may the window be freed and MPI finalised.
      if (stop) {
        if (s.phase == 0 && s.sends.empty()) {
          MPI_Ialltoall(s.sent_to.data(), 1, MPI_INT64_T, s.expected_from.data(), 1, MPI_INT64_T, MPI_COMM_WORLD,
                        &s.collective);
          s.phase = 1;
          busy = true;
        }
        if (s.phase == 1) {
          int flag = 0;
          MPI_Test(&s.collective, &flag, MPI_STATUS_IGNORE);
          if (flag) s.phase = 2, busy = true;
        }
        if (s.phase == 2 && s.recvs.empty() && s.recv_from == s.expected_from) {
          MPI_Ibarrier(MPI_COMM_WORLD, &s.collective);
          s.phase = 3;
          busy = true;
        }
        if (s.phase == 3) {
          int flag = 0;
          MPI_Test(&s.collective, &flag, MPI_STATUS_IGNORE);
          if (flag) {
            {
              std::lock_guard<std::mutex> lock(shutdown_mu_);
              shutdown_state_ = 1;
            }
            shutdown_cv_.notify_all();
            return;
          }
        }
      }
      large = LargeInFlightLocked();
      pending = !s.sends.empty() || !s.recvs.empty() || s.phase > 0;
    }

    // Back off when idle: yield for a while, then sleep (shorter when something is pending),
    // except while a large transfer is in flight (kSpinBytes). While a role polls in Receive
    // this thread only naps (it wakes for queued operations and when the role stops polling).
    if (pollers_.load(std::memory_order_relaxed) > 0 && !stop) {
      std::unique_lock<std::mutex> lock(out_mu_);
      out_cv_.wait_for(lock, kPollerNap, [&] {
        return !out_.empty() || !puts_.empty() || hard_stop_ || shutdown_requested_ ||
               pollers_.load(std::memory_order_relaxed) == 0;
      });
      idle = 0;
      spin_since = {};
      continue;
    }
    if (busy) {
      idle = 0;
      spin_since = {};
      continue;
    }
    ++idle;
    if (idle < 64) {
      std::this_thread::yield();
      continue;
    }
    if (large) {
      const auto now = SteadyClock::now();
      if (spin_since == SteadyClock::time_point{}) spin_since = now;
      if (now - spin_since < kSpinFor) {
        std::this_thread::yield();
        continue;
      }
    }
    auto nap = std::chrono::microseconds(std::min<int64_t>(pending ? 100 : 1000, int64_t{10} << std::min(idle - 64, 7)));
    std::unique_lock<std::mutex> lock(out_mu_);
    out_cv_.wait_for(lock, nap, [&] { return !out_.empty() || !puts_.empty() || hard_stop_; });
  }
}

}  // namespace parley
