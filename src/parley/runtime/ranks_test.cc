#include <gtest/gtest.h>

#include "parley/algos/algorithm.h"

namespace parley {
namespace {

// Algorithm::ShardOfRank, which an MPI rank uses to load its shard before the roles exist,
// names the shard of the role the algorithm builds for that rank, and Ranks() counts them.
TEST(Ranks, ShardOfRankIsTheRolesWorker) {
  std::vector<AlgorithmOptions> layouts;
  layouts.push_back({.name = "sequential"});
  layouts.push_back({.name = "sync", .workers = 3, .backup = 1, .servers = 2});
  layouts.push_back({.name = "async", .workers = 2});
  layouts.push_back({.name = "pex", .workers = 3});
  layouts.push_back({.name = "pex-sync", .workers = 2});
  layouts.push_back({.name = "hogwild", .workers = 2});
  for (const char* peers : {"asgd", "simu", "lloyd"}) layouts.push_back({.name = peers, .workers = 3});
  for (const AlgorithmOptions& o : layouts) {
    StatusOr<std::unique_ptr<Algorithm>> algo = MakeAlgorithm(o);
    ASSERT_TRUE(algo.ok()) << o.name << ": " << algo.status().ToString();
    AlgorithmSetup setup;
    const std::vector<Role> roles = (*algo)->Roles(setup);
    ASSERT_EQ(static_cast<int>(roles.size()), (*algo)->Ranks().ranks) << o.name;
    for (size_t r = 0; r < roles.size(); ++r) {
      EXPECT_EQ((*algo)->ShardOfRank(static_cast<int>(r)), roles[r].worker) << o.name << " rank " << r;
      if (roles[r].worker >= 0) {
        EXPECT_LT(roles[r].worker, (*algo)->NumShards()) << o.name;
      }
    }
  }
}

TEST(Ranks, LayoutsAreSaidInRoles) {
  auto says = [](AlgorithmOptions o) { return (*MakeAlgorithm(o))->Ranks().description; };
  EXPECT_EQ(says({.name = "sync", .workers = 3, .servers = 2}), "2 servers + 3 workers");
  EXPECT_EQ(says({.name = "pex", .workers = 1}), "1 master + 1 worker");
  EXPECT_EQ(says({.name = "asgd", .workers = 4}), "4 peers");
  EXPECT_EQ(says({.name = "sequential"}), "1 worker");
}

}  // namespace
}  // namespace parley
