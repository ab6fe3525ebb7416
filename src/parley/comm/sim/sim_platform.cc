#include "parley/comm/sim/sim_platform.h"

#include <simgrid/Exception.hpp>
#include <simgrid/s4u/Engine.hpp>
#include <simgrid/s4u/Host.hpp>
#include <simgrid/s4u/Link.hpp>
#include <simgrid/s4u/NetZone.hpp>
#include <xbt/config.hpp>

#include <algorithm>
#include <exception>
#include <filesystem>

namespace parley {
namespace sg4 = simgrid::s4u;

namespace {

constexpr double kHostSpeed = 1e9;  // flop/s; compute is charged as time, never as flops

}  // namespace

StatusOr<std::vector<sg4::Host*>> BuildSimPlatform(sg4::Engine& engine, const NetworkOptions& network,
                                                   const std::string& platform_file, int ranks) {
  std::vector<sg4::Host*> hosts;
  // CM02: a transfer takes the route's latency plus its size over the bottleneck bandwidth
  // (max-min sharing), without the TCP corrections of SimGrid's default model (which
  // multiplies latencies by 13 to mimic slow start).
  // (Set once per process: SimGrid keeps its models from one simulation to the next.)
  if (simgrid::config::get_value<std::string>("network/model") != "CM02")
    sg4::Engine::set_config("network/model:CM02");
  if (!platform_file.empty()) {
    if (!std::filesystem::is_regular_file(platform_file))
      return NotFound("--platform " + platform_file + ": no such file");
    try {
      engine.load_platform(platform_file);
    } catch (const std::exception& e) {
      return InvalidArgument("--platform " + platform_file + ": not a SimGrid platform: " + e.what());
    }
    std::vector<sg4::Host*> all = engine.get_all_hosts();
    if (all.empty()) return InvalidArgument("--platform " + platform_file + ": the platform has no hosts");
    std::sort(all.begin(), all.end(),
              [](const sg4::Host* a, const sg4::Host* b) { return a->get_name() < b->get_name(); });
    for (int r = 0; r < ranks; ++r) hosts.push_back(all[static_cast<size_t>(r) % all.size()]);
    return hosts;
  }
  double latency = network.latency, bandwidth = network.bandwidth;
  if (network.variation_period > 0) bandwidth *= (1 + network.variation_low) / 2;
  latency += network.jitter;
  if (bandwidth <= 0) bandwidth = 1e12;
  if (latency <= 0) latency = 1e-9;
  sg4::NetZone* zone = sg4::create_star_zone("cluster");
  sg4::Link* backbone = zone->create_link("backbone", bandwidth)
                            ->set_sharing_policy(sg4::Link::SharingPolicy::FATPIPE)
                            ->seal();
  for (int r = 0; r < ranks; ++r) {
    const std::string name = "rank" + std::to_string(r);
    sg4::Host* host = zone->create_host(name, kHostSpeed)->seal();
    sg4::Link* link = zone->create_split_duplex_link(name + "-link", bandwidth)->set_latency(latency)->seal();
    zone->add_route(host->get_netpoint(), nullptr, nullptr, nullptr,
                    {sg4::LinkInRoute(link, sg4::LinkInRoute::Direction::UP), sg4::LinkInRoute(backbone)},
                    true);
    hosts.push_back(host);
  }
  zone->seal();
  return hosts;
}

}  // namespace parley
