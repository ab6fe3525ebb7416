// The simulated machines of a --transport sim run (SimGrid platforms).
//
// Built in (no --platform): a cluster of one switch. Every rank has a host of its own and a
// full-duplex private link to a non-blocking backbone (a SimGrid FATPIPE link: each flow gets
// its full bandwidth); a message from rank a to rank b crosses a's link up and b's link down,
// so two messages into one rank share its link, as two senders into one NIC do. The private
// links take the --network profile's latency and bandwidth (comm/link_schedule.h); "none" is an
// ideal network (1 ns, 1 TB/s: SimGrid needs finite numbers). The "cloud" profile's varying
// bandwidth and jitter are not simulated: its links take its mean bandwidth (bandwidth x
// (1 + low) / 2) and its latency plus the mean jitter.
//
// --platform FILE.xml: any SimGrid platform; rank r runs on the r-th of its hosts sorted by
// name, round robin when there are fewer hosts than ranks (ranks on one host exchange without
// the network).
//
// Either way SimGrid's CM02 network model: a transfer takes its route's latency plus its size
// over the bottleneck bandwidth, flows sharing links max-min fairly; not SimGrid's default
// LV08, whose TCP corrections multiply every latency by 13.
#pragma once

#include <string>
#include <vector>

#include "parley/comm/link_schedule.h"
#include "parley/core/status.h"

namespace simgrid::s4u {
class Engine;
class Host;
}  // namespace simgrid::s4u

namespace parley {

// The hosts of ranks 0..ranks-1 on `engine`'s platform, which this builds from `network`, or
// loads from `platform_file` when it is not empty. Errors: an unreadable or invalid platform
// file (naming it), a platform without hosts.
StatusOr<std::vector<simgrid::s4u::Host*>> BuildSimPlatform(simgrid::s4u::Engine& engine,
                                                            const NetworkOptions& network,
                                                            const std::string& platform_file,
                                                            int ranks);

}  // namespace parley
