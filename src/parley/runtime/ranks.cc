#include "parley/runtime/ranks.h"

#include <atomic>
#include <cstdlib>

namespace parley {
namespace {

std::string Count(int n, const std::string& what) {
  return std::to_string(n) + " " + what + (n == 1 ? "" : "s");
}

}  // namespace

RankLayout RanksNeeded(const AlgorithmOptions& o) {
  if (o.name == "sync" || o.name == "async")
    return {o.servers + o.workers, Count(o.servers, "server") + " + " + Count(o.workers, "worker")};
  if (o.name == "pex" || o.name == "pex-sync") return {1 + o.workers, "1 master + " + Count(o.workers, "worker")};
  if (o.name == "asgd" || o.name == "simu" || o.name == "lloyd") return {o.workers, Count(o.workers, "peer")};
  if (o.name == "hogwild") return {o.workers, Count(o.workers, "worker")};  // refused under MPI
  return {1, "1 worker"};  // sequential
}

int ShardOfRank(const AlgorithmOptions& o, int rank) {
  if (o.name == "sync" || o.name == "async") return rank >= o.servers ? rank - o.servers : -1;
  if (o.name == "pex" || o.name == "pex-sync") return rank >= 1 ? rank - 1 : -1;
  return rank;  // asgd, simu, lloyd: peer i on rank i; sequential: its worker on rank 0
}

namespace {
std::atomic<bool> error_reported{false};
}  // namespace

void SetErrorReported() { error_reported.store(true); }
bool ErrorReported() { return error_reported.load(); }

int LaunchedRank() {
  for (const char* var : {"OMPI_COMM_WORLD_RANK", "PMI_RANK", "PMIX_RANK"}) {
    if (const char* v = std::getenv(var); v != nullptr && *v != '\0') return std::atoi(v);
  }
  return -1;
}

}  // namespace parley
