#include "parley/data/column.h"

#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "parley/data/dataset.h"
#include "parley/data/split.h"

namespace parley {
namespace {

TEST(Column, OwnsLikeAVector) {
  Column<float> c = {1, 2};
  c.push_back(3);
  c.insert(c.end(), 2, 4.0f);
  EXPECT_FALSE(c.borrowed());
  EXPECT_EQ(c.ToVector(), (std::vector<float>{1, 2, 3, 4, 4}));
}

TEST(Column, BorrowsWithoutCopyAndCopiesOnWrite) {
  auto owner = std::make_shared<std::vector<float>>(std::vector<float>{1, 2, 3});
  const BorrowedCopyCount before = BorrowedCopies();
  Column<float> c = Column<float>::Borrow(owner->data(), owner->size(), owner);
  const Column<float> copy = c;  // copies the view
  EXPECT_TRUE(copy.borrowed());
  EXPECT_EQ(copy.data(), owner->data());
  EXPECT_EQ(static_cast<const Column<float>&>(c)[2], 3);
  EXPECT_EQ(BorrowedCopies().copies, before.copies);
  c.push_back(4);  // copy on write: the owner's memory is not touched
  EXPECT_FALSE(c.borrowed());
  EXPECT_EQ(owner->size(), 3u);
  EXPECT_EQ(c.ToVector(), (std::vector<float>{1, 2, 3, 4}));
  EXPECT_EQ(BorrowedCopies().copies, before.copies + 1);
  EXPECT_EQ(BorrowedCopies().bytes, before.bytes + 12);
  c.assign(2, 0.0f);  // overwritten: nothing to copy
  EXPECT_EQ(c.ToVector(), (std::vector<float>{0, 0}));
}

TEST(Column, KeepsTheOwnerAliveWhileBorrowed) {
  std::weak_ptr<std::vector<float>> watch;
  Column<float> c;
  {
    auto owner = std::make_shared<std::vector<float>>(4, 1.0f);
    watch = owner;
    c = Column<float>::Borrow(owner->data(), owner->size(), owner);
  }
  EXPECT_FALSE(watch.expired());
  c = Column<float>();
  EXPECT_TRUE(watch.expired());
}

// A borrowed Dataset shards into owned copies and leaves the borrowed arrays as they were.
TEST(Column, ShardingABorrowedDatasetCopiesRowsNotColumns) {
  auto x = std::make_shared<std::vector<float>>(std::vector<float>{1, 2, 3, 4, 5, 6});
  auto y = std::make_shared<std::vector<float>>(std::vector<float>{0, 1, 0});
  Dataset d;
  d.kind = Dataset::Kind::kDense;
  d.dense.cols = 2;
  d.dense.x = Column<float>::Borrow(x->data(), x->size(), x);
  d.label = Column<float>::Borrow(y->data(), y->size(), y);
  const BorrowedCopyCount before = BorrowedCopies();
  Rng rng(1);
  const std::vector<Dataset> shards = Shard(d, 2, rng);
  EXPECT_EQ(shards[0].rows() + shards[1].rows(), 3u);
  EXPECT_EQ(BorrowedCopies().copies, before.copies);
  EXPECT_TRUE(d.dense.x.borrowed());
}

}  // namespace
}  // namespace parley
