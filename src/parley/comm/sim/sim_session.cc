#include "parley/comm/sim/sim_session.h"

#include <simgrid/s4u/Actor.hpp>
#include <simgrid/s4u/Engine.hpp>

#include <atomic>
#include <filesystem>

#include "parley/comm/sim/sim_platform.h"

namespace parley {
namespace sg4 = simgrid::s4u;

namespace {

std::atomic<bool> session_alive{false};
std::atomic<int> sessions_created{0};

// SimGrid reads its options from the command line; parley gives it these.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr bool kThreadContexts = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
constexpr bool kThreadContexts = true;
#else
constexpr bool kThreadContexts = false;
#endif
#else
constexpr bool kThreadContexts = false;
#endif

}  // namespace

StatusOr<std::unique_ptr<SimSession>> SimSession::Create(const NetworkOptions& network,
                                                         const std::string& platform_file,
                                                         int ranks) {
  if (!platform_file.empty() && !std::filesystem::is_regular_file(platform_file))
    return NotFound("--platform " + platform_file + ": no such file");
  if (!platform_file.empty() && sessions_created.load() > 0)
    return InvalidArgument("--platform " + platform_file + ": SimGrid loads a platform file only in "
                           "the first simulation of a process (it crashes on a second); run it in a "
                           "process of its own");
  if (session_alive.exchange(true))
    return Internal("a simulation is already running in this process (one at a time)");
  sessions_created.fetch_add(1);
  std::unique_ptr<SimSession> s(new SimSession());
  static char name[] = "parley";
  static char quiet[] = "--log=root.thresh:warning";        // SimGrid's INFO lines off
  static char stack[] = "--cfg=contexts/stack-size:4096";   // KiB per actor (default 8192)
  static char threads[] = "--cfg=contexts/factory:thread";
  static char* argv[] = {name, quiet, stack, threads, nullptr};
  int argc = kThreadContexts ? 4 : 3;
  s->engine_ = std::make_unique<sg4::Engine>(&argc, argv);
  StatusOr<std::vector<sg4::Host*>> hosts = BuildSimPlatform(*s->engine_, network, platform_file, ranks);
  if (!hosts.ok()) return hosts.status();
  s->hosts_ = std::move(*hosts);
  s->clock_ = std::make_unique<SimClock>();
  if (platform_file.empty()) {
    s->description_ = {{"platform", "cluster"}, {"network", network.profile},
                       {"latency", network.latency}, {"bandwidth", network.bandwidth}};
  } else {
    s->description_ = {{"platform", platform_file}, {"hosts", s->engine_->get_host_count()}};
  }
  return s;
}

SimSession::~SimSession() {
  engine_.reset();
  session_alive.store(false);
}

void SimSession::Run(const std::vector<std::function<void()>>& bodies) {
  for (size_t r = 0; r < bodies.size(); ++r)
    sg4::Actor::create("rank" + std::to_string(r), hosts_.at(r), bodies[r]);
  engine_->run();
}

}  // namespace parley
