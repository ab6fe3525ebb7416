#include "parley/runtime/ranks.h"

#include <atomic>
#include <cstdlib>

namespace parley {
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
