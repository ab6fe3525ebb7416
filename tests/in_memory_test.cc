// Runs on Datasets handed over in memory (RunOptions::train_data, as the Python module does):
// borrowed arrays are read without a copy, initial parameters and cancel work.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "parley/data/column.h"
#include "parley/runtime/runner.h"

namespace parley {
namespace {

// Two separable classes of dense rows, borrowed from vectors kept alive by the Dataset.
std::shared_ptr<Dataset> Borrowed(size_t rows) {
  auto x = std::make_shared<std::vector<float>>();
  auto y = std::make_shared<std::vector<float>>();
  for (size_t i = 0; i < rows; ++i) {
    const float c = static_cast<float>(i % 2);
    x->push_back(c + 0.1f * static_cast<float>(i % 7));
    x->push_back(1 - c);
    y->push_back(c);
  }
  auto d = std::make_shared<Dataset>();
  d->kind = Dataset::Kind::kDense;
  d->source = "memory";
  d->dense.cols = 2;
  d->dense.x = Column<float>::Borrow(x->data(), x->size(), x);
  d->label = Column<float>::Borrow(y->data(), y->size(), y);
  return d;
}

RunOptions Options(std::shared_ptr<Dataset> train) {
  RunOptions o;
  o.train_data = std::move(train);
  o.model.kind = "softmax";
  o.train.epochs = 20;
  o.quiet = true;
  return o;
}

TEST(RunnerInMemory, TrainsOnBorrowedRowsWithoutCopyingThem) {
  for (const char* algo : {"sequential", "pex"}) {
    SCOPED_TRACE(algo);
    RunOptions o = Options(Borrowed(400));
    o.test_data = Borrowed(100);
    o.algo.name = algo;
    o.algo.workers = std::string(algo) == "sequential" ? 1 : 2;
    const BorrowedCopyCount before = BorrowedCopies();
    StatusOr<nlohmann::json> s = Train(o);
    ASSERT_TRUE(s.ok()) << s.status().message();
    EXPECT_GT((*s)["updates"].get<int64_t>(), 0);
    // pex on 400 rows is asynchronous and sometimes ends near chance; sequential is not.
    if (std::string(algo) == "sequential") {
      EXPECT_GT((*s)["test"]["accuracy"].get<double>(), 0.9);
    }
    EXPECT_EQ(BorrowedCopies().copies, before.copies);
    EXPECT_TRUE(o.train_data->dense.x.borrowed());
  }
}

TEST(RunnerInMemory, InitialParametersAreChecked) {
  RunOptions o = Options(Borrowed(100));
  o.initial_params = std::make_shared<const std::vector<double>>(5, 0.0);
  StatusOr<nlohmann::json> s = Train(o);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.status().message().find("initial parameters are 5 numbers"), std::string::npos);
}

TEST(RunnerInMemory, CancelStopsARunAtItsNextStopCheck) {
  RunOptions o = Options(Borrowed(1000));
  o.train.epochs = 1e6;
  o.train.batch_size = 1;
  std::atomic<bool> cancel{false};
  o.cancel = &cancel;
  std::thread stopper([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    cancel.store(true);
  });
  const auto start = std::chrono::steady_clock::now();
  StatusOr<nlohmann::json> s = Train(o);
  stopper.join();
  const double took =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_LT((*s)["epochs"].get<double>(), 1e6);
  EXPECT_LT(took, 30);
}

TEST(RunnerInMemory, MpiIsRefused) {
  RunOptions o = Options(Borrowed(10));
  o.transport = "mpi";
  StatusOr<nlohmann::json> s = Train(o);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("inproc only"), std::string::npos);
}

}  // namespace
}  // namespace parley
