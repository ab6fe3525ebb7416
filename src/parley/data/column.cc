#include "parley/data/column.h"

namespace parley {
namespace {

std::atomic<int64_t> g_copies{0};
std::atomic<int64_t> g_bytes{0};

}  // namespace

BorrowedCopyCount BorrowedCopies() {
  return {g_copies.load(std::memory_order_relaxed), g_bytes.load(std::memory_order_relaxed)};
}

void CountBorrowedCopy(size_t bytes) {
  g_copies.fetch_add(1, std::memory_order_relaxed);
  g_bytes.fetch_add(static_cast<int64_t>(bytes), std::memory_order_relaxed);
}

}  // namespace parley
