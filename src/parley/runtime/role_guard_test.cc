#include "parley/runtime/role_guard.h"

#include <gtest/gtest.h>

#include <new>
#include <stdexcept>

#include "parley/comm/inproc/inproc_transport.h"

namespace parley {
namespace {

class RecordingContext final : public RunContext {
 public:
  double Now() const override { return 0; }
  bool ShouldStop() const override { return false; }
  void Fail(int rank, Status status) override {
    ++failures;
    failed_rank = rank;
    failure = status;
  }
  void Report(int, const Progress&, WeightsView, bool) override {}

  int failures = 0;
  int failed_rank = -1;
  Status failure;
};

struct Case {
  std::function<void()> body;
  bool ends;           // RunGuarded's answer
  const char* failure;  // "" when the run must not fail
};

TEST(RunGuarded, WhatARoleThrowsIsTheRunsErrorNamingIt) {
  const Case cases[] = {
      {[] {}, true, ""},
      {[] { throw NodeKilled{1}; }, false, ""},
      {[] { throw std::runtime_error("index 7 out of range"); }, true,
       "worker 3 (rank 1) failed with an exception: index 7 out of range"},
      {[] { throw std::bad_alloc(); }, true, "worker 3 (rank 1) ran out of memory (std::bad_alloc)"},
      {[] { throw 42; }, true, "worker 3 (rank 1) failed with an exception of unknown type"},
  };
  for (const Case& c : cases) {
    RealClock clock;
    InprocTransport transport(2, clock);
    RecordingContext ctx;
    Node node(1, "worker", transport, ctx, Rng(1));
    const Role role{"worker", [&](Node&) { c.body(); }, 3};
    EXPECT_EQ(RunGuarded(role, node), c.ends) << c.failure;
    if (*c.failure == '\0') {
      EXPECT_EQ(ctx.failures, 0);
      continue;
    }
    ASSERT_EQ(ctx.failures, 1) << c.failure;
    EXPECT_EQ(ctx.failed_rank, 1);
    EXPECT_EQ(ctx.failure.code(), StatusCode::kInternal);
    EXPECT_EQ(ctx.failure.message().rfind(c.failure, 0), 0u) << ctx.failure.message();
  }
  EXPECT_EQ(RoleName(Role{"server", nullptr, -1}, 0), "server (rank 0)");
}

}  // namespace
}  // namespace parley
