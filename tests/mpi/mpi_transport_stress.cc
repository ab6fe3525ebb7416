// MpiTransport under concurrent use, as the runtime uses it: on every rank a role thread sends
// numbered messages of mixed sizes (8 B to 300 KiB, eager and rendezvous) to every other rank
// while it receives theirs, puts states into their one-sided slots and reads its own, and a
// second thread (the runtime's part) exchanges numbered control messages at the same time.
// Checks, on every rank: every role and control message arrives exactly once, per sender in the
// order sent, with its bytes intact; SendDone turns true for every send and put; a slot read
// yields only states some peer put (whole and consistent) and never the same write twice;
// Shutdown completes. Exit 0 when all hold, else 1 with what failed.
//
//   mpiexec -n 3 --oversubscribe build/release/mpi_transport_stress [--messages N]
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "parley/comm/mpi/mpi_session.h"
#include "parley/comm/mpi/mpi_transport.h"

namespace {

using parley::Bytes;
using parley::Message;
using parley::SteadyClock;

// Message i from rank `from`: size and bytes are functions of (from, i), so the receiver can
// check them. Bytes 0..7 carry i.
size_t SizeOf(int from, int i) {
  static const size_t sizes[] = {8, 100, 4096, 70000, 300000, 16};
  return sizes[static_cast<size_t>(i + from) % 6];
}
Bytes Make(int from, int i) {
  Bytes b(SizeOf(from, i));
  for (size_t j = 0; j < b.size(); ++j) b[j] = static_cast<std::byte>((j * 31 + static_cast<size_t>(i) * 7 + from) & 0xff);
  std::memcpy(b.data(), &i, sizeof(i));
  return b;
}

int failures = 0;
void Fail(int rank, const std::string& what) {
  std::fprintf(stderr, "rank %d: FAIL: %s\n", rank, what.c_str());
  ++failures;
}

}  // namespace

int main(int argc, char** argv) {
  int messages = 400;
  for (int i = 1; i + 1 < argc; i += 2)
    if (std::strcmp(argv[i], "--messages") == 0) messages = std::atoi(argv[i + 1]);
  auto session = parley::MpiSession::Start();
  if (!session.ok()) {
    std::fprintf(stderr, "error: %s\n", session.status().message().c_str());
    return 1;
  }
  const int me = (*session)->rank(), n = (*session)->size();
  if (n < 2) {
    std::fprintf(stderr, "error: run with at least 2 ranks\n");
    return 2;
  }
  constexpr size_t kState = 4096;
  parley::RealClock clock;
  auto created = parley::MpiTransport::Create(kState, clock);
  if (!created.ok()) {
    std::fprintf(stderr, "error: %s\n", created.status().message().c_str());
    return 1;
  }
  parley::MpiTransport& t = **created;
  const auto deadline = SteadyClock::now() + std::chrono::seconds(120);

  // The runtime's part: numbered control messages to every other rank, and theirs.
  constexpr int kControl = 200;
  std::atomic<int> control_failures{0};
  std::thread control([&] {
    std::vector<int> next(static_cast<size_t>(n), 0);
    int got = 0, sent = 0;
    while (got < kControl * (n - 1) && SteadyClock::now() < deadline) {
      if (sent < kControl) {
        for (int to = 0; to < n; ++to) {
          if (to == me) continue;
          Bytes b(sizeof(int));
          std::memcpy(b.data(), &sent, sizeof(int));
          t.SendControl(to, 3, std::move(b));
        }
        ++sent;
      }
      std::optional<Message> m = t.ReceiveControl(SteadyClock::now() + std::chrono::milliseconds(1));
      if (!m) continue;
      int i = -1;
      if (m->tag != 3 || m->payload.size() != sizeof(int)) {
        control_failures++;
        continue;
      }
      std::memcpy(&i, m->payload.data(), sizeof(int));
      if (i != next[static_cast<size_t>(m->from)]++) control_failures++;
      ++got;
    }
    if (got != kControl * (n - 1)) control_failures += 1000000;
  });

  // The role: messages to every other rank (round robin), receiving in between; a put into a
  // random peer's slot and a read of its own slots every few messages.
  std::vector<parley::SendDone> dones;
  std::vector<int> next(static_cast<size_t>(n), 0);
  int received = 0, puts = 0, reads_fresh = 0;
  const int expect = messages * (n - 1);
  std::vector<uint64_t> last_put_seen(static_cast<size_t>(n), 0);
  int sent = 0;
  auto take = [&](const Message& m) {
    int i = -1;
    if (m.payload.size() >= sizeof(int)) std::memcpy(&i, m.payload.data(), sizeof(int));
    if (m.tag != 5) return Fail(me, "role message with tag " + std::to_string(m.tag));
    if (i != next[static_cast<size_t>(m.from)])
      return Fail(me, "from " + std::to_string(m.from) + ": message " + std::to_string(i) + " where " +
                          std::to_string(next[static_cast<size_t>(m.from)]) + " was due");
    if (m.payload != Make(m.from, i)) Fail(me, "from " + std::to_string(m.from) + ": message " + std::to_string(i) + " corrupted");
    next[static_cast<size_t>(m.from)]++;
    ++received;
  };
  while ((sent < messages * (n - 1) || received < expect) && SteadyClock::now() < deadline) {
    if (sent < messages * (n - 1)) {
      const int to = (me + 1 + sent % (n - 1)) % n;
      const int i = sent / (n - 1);
      auto done = std::make_shared<std::atomic<bool>>(false);
      dones.push_back(done);
      t.Send(me, to, 5, Make(me, i), done);
      ++sent;
      if (sent % 7 == 0) {
        // State: {writer, put number} repeated over kState / 16 bytes.
        const int to_put = (me + 1 + (sent / 7) % (n - 1)) % n;
        Bytes s(kState / 2 + static_cast<size_t>(puts % 3) * 16);
        for (size_t j = 0; j + 16 <= s.size(); j += 16) {
          const uint64_t v[2] = {static_cast<uint64_t>(me), static_cast<uint64_t>(puts + 1)};
          std::memcpy(s.data() + j, v, 16);
        }
        auto pd = std::make_shared<std::atomic<bool>>(false);
        dones.push_back(pd);
        t.Put(me, to_put, std::move(s), pd);
        ++puts;
        reads_fresh += t.ReadFreshSlots(me, [&](int from, std::span<const std::byte> st) {
          uint64_t v[2] = {0, 0};
          if (st.size() < 16 || st.size() % 16 != 0) return Fail(me, "slot state of " + std::to_string(st.size()) + " bytes");
          std::memcpy(v, st.data(), 16);
          for (size_t j = 0; j + 16 <= st.size(); j += 16)
            if (std::memcmp(st.data() + j, v, 16) != 0) return Fail(me, "torn slot state from " + std::to_string(from));
          if (v[0] != static_cast<uint64_t>(from)) Fail(me, "slot of " + std::to_string(from) + " holds a state of " + std::to_string(v[0]));
          if (v[1] <= last_put_seen[static_cast<size_t>(from)]) Fail(me, "slot of " + std::to_string(from) + " read the same or an older write");
          last_put_seen[static_cast<size_t>(from)] = v[1];
        });
      }
    }
    // Drain what is there (short waits), so both sides keep sending.
    const double wait = sent < messages * (n - 1) ? 0 : 0.05;
    while (std::optional<Message> m = t.Receive(me, clock.Now() + wait))
      take(*m);
  }
  control.join();
  if (received != expect) Fail(me, "received " + std::to_string(received) + " of " + std::to_string(expect) + " role messages");
  if (control_failures.load() != 0) Fail(me, "control channel: " + std::to_string(control_failures.load()) + " failures");
  // Every send and put completes (the peers keep receiving until everyone is done).
  const auto until = SteadyClock::now() + std::chrono::seconds(30);
  for (;;) {
    size_t open = 0;
    for (const auto& d : dones) open += d->load() ? 0 : 1;
    if (open == 0) break;
    if (SteadyClock::now() > until) {
      Fail(me, std::to_string(open) + " sends or puts never completed");
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  parley::Status down = t.Shutdown(std::chrono::seconds(60));
  if (!down.ok()) Fail(me, "Shutdown: " + down.message());
  std::printf("rank %d: %d role messages, %d control messages, %d puts, %d fresh slot reads, %d failures\n", me,
              received, kControl * (n - 1), puts, reads_fresh, failures);
  return failures == 0 ? 0 : 1;
}
