#include "parley/runtime/load_data.h"

#include <algorithm>

#include "parley/data/read.h"
#include "parley/data/row_reader.h"
#include "parley/data/split.h"

namespace parley {

namespace {

// LoadData of RunOptions::train_data and test_data: the Datasets are copied as they are (a
// borrowed Column copies its view, not its elements), split when there is no test_data.
Status UseInMemoryData(const RunOptions& o, const Rng& rng, Dataset* train, Dataset* test) {
  const Dataset& all = *o.train_data;
  if (o.test_data) {
    *train = all;
    *test = *o.test_data;
    if (test->rows() > 0 && train->kind != test->kind)
      return InvalidArgument("the test data is not of the same kind as the training data");
  } else if (o.test_fraction > 0) {
    if (o.test_fraction >= 1) return InvalidArgument("--test-fraction must be in [0, 1)");
    Rng split = rng.Fork("split");
    TrainTestSplit(all, o.test_fraction, split, train, test);
  } else {
    *train = all;
  }
  if (test->rows() == 0) {
    *test = train->Empty();
    return OkStatus();
  }
  const uint32_t nf = std::max(train->sparse.num_features, test->sparse.num_features);
  train->sparse.num_features = test->sparse.num_features = nf;
  if (train->kind == Dataset::Kind::kDense && train->dense.cols != test->dense.cols)
    return InvalidArgument("the test data has " + std::to_string(test->dense.cols) +
                           " columns, the training data has " + std::to_string(train->dense.cols));
  const uint32_t users = std::max(train->ratings.num_users, test->ratings.num_users);
  const uint32_t items = std::max(train->ratings.num_items, test->ratings.num_items);
  train->ratings.num_users = test->ratings.num_users = users;
  train->ratings.num_items = test->ratings.num_items = items;
  return OkStatus();
}

}  // namespace

Status LoadData(const RunOptions& o, const Rng& rng, Dataset* train, Dataset* test) {
  if (o.train_data) return UseInMemoryData(o, rng, train, test);
  IdMap users, items;
  PARLEY_ASSIGN_OR_RETURN(Dataset all, ReadDataset(o.train_path, users, items, 0, o.max_features));
  if (!o.test_path.empty()) {
    PARLEY_ASSIGN_OR_RETURN(*test, ReadDataset(o.test_path, users, items, 0, o.max_features));
    *train = std::move(all);
    if (train->kind != test->kind)
      return InvalidArgument("--test " + o.test_path + " is not of the same kind of data as --data " +
                             o.train_path);
  } else if (o.test_fraction > 0) {
    if (o.test_fraction >= 1) return InvalidArgument("--test-fraction must be in [0, 1)");
    Rng split = rng.Fork("split");
    TrainTestSplit(all, o.test_fraction, split, train, test);
  } else {
    *train = std::move(all);
  }
  // Same dimensions on both sides.
  uint32_t nf = std::max(train->sparse.num_features, test->sparse.num_features);
  train->sparse.num_features = test->sparse.num_features = nf;
  if (train->kind == Dataset::Kind::kDense && test->rows() > 0 && train->dense.cols != test->dense.cols)
    return InvalidArgument("--test " + o.test_path + " has " + std::to_string(test->dense.cols) +
                           " columns, --data " + o.train_path + " has " +
                           std::to_string(train->dense.cols));
  train->ratings.num_users = test->ratings.num_users = static_cast<uint32_t>(users.size());
  train->ratings.num_items = test->ratings.num_items = static_cast<uint32_t>(items.size());
  if (test->rows() == 0) test->kind = train->kind;
  return OkStatus();
}

std::optional<std::vector<uint32_t>> TrainEvalRows(const RunOptions& o, size_t train_rows) {
  if (o.train_eval_rows == 0 || train_rows <= o.train_eval_rows) return std::nullopt;
  Rng r = Rng(o.seed).Fork("train-eval");
  std::vector<uint32_t> idx(train_rows);
  for (uint32_t i = 0; i < idx.size(); ++i) idx[i] = i;
  r.Shuffle(idx);
  idx.resize(o.train_eval_rows);
  return idx;
}

namespace {

// Calls f(row) for every row of the data set `spec` (RowReader), then sets *header.
template <typename F>
Status ForEachRow(const std::string& spec, uint32_t max_features, IdMap& users, IdMap& items,
                  Dataset* header, F&& f) {
  PARLEY_ASSIGN_OR_RETURN(std::unique_ptr<RowReader> reader,
                          RowReader::Open(spec, users, items, max_features));
  const Dataset* row = nullptr;
  while (true) {
    PARLEY_RETURN_IF_ERROR(reader->Next(&row));
    if (row == nullptr) break;
    f(*row);
  }
  *header = reader->Header();
  return OkStatus();
}

// Room for `rows` rows with `nnz` non-zeros (sparse), so that the kept parts grow at most once
// (a vector that doubles holds up to three times its rows while it copies).
void Reserve(Dataset& d, size_t rows, uint64_t nnz) {
  d.label.reserve(d.kind == Dataset::Kind::kRatings ? 0 : rows);
  switch (d.kind) {
    case Dataset::Kind::kSparse:
      d.sparse.row_ptr.reserve(rows + 1);
      d.sparse.col.reserve(nnz);
      d.sparse.val.reserve(nnz);
      break;
    case Dataset::Kind::kDense:
      d.dense.x.reserve(rows * d.dense.cols);
      break;
    case Dataset::Kind::kRatings:
      d.ratings.user.reserve(rows);
      d.ratings.item.reserve(rows);
      d.ratings.rating.reserve(rows);
      break;
  }
}

// Sorted `rows` contains `i`, for increasing i: advances *at past it.
bool Take(const std::vector<uint32_t>& rows, size_t* at, size_t i) {
  if (*at < rows.size() && rows[*at] == i) {
    ++*at;
    return true;
  }
  return false;
}

}  // namespace

StatusOr<RankData> LoadRankData(const RunOptions& o, const Rng& rng, const Rng& shard_rng, const RankNeeds& needs,
                                const std::function<ModelNeeds(const DataShape& all_rows, const Dataset& no_rows)>& model_needs) {
  RankData out;
  IdMap users, items;

  // Pass 1 over --data: every row parsed (and checked), none kept. What is kept: the row count,
  // the shape of all rows, the ids in the maps, and the per-row sizes that let pass 2 reserve
  // its parts exactly (LIBSVM non-zeros per row; ratings per user, over all rows).
  size_t n = 0;
  DataShape all;
  std::vector<uint32_t> row_nnz;
  std::vector<uint32_t> user_rows;
  Dataset header;
  PARLEY_RETURN_IF_ERROR(ForEachRow(o.train_path, o.max_features, users, items, &header, [&](const Dataset& row) {
    ++n;
    all.Add(row);
    if (row.kind == Dataset::Kind::kSparse) row_nnz.push_back(static_cast<uint32_t>(row.sparse.nnz()));
    if (row.kind == Dataset::Kind::kRatings) {
      const uint32_t u = row.ratings.user[0];
      if (user_rows.size() <= u) user_rows.resize(u + 1, 0);
      ++user_rows[u];
    }
  }));

  // The test data, as LoadData: --test (after --data, so that its ids map after --data's), or a
  // seeded split of --data's rows, or none.
  Dataset test_header;
  std::vector<uint32_t> test_idx;  // --test-fraction: the rows of --data that are test rows
  const bool split = o.test_path.empty() && o.test_fraction > 0;
  if (!o.test_path.empty()) {
    if (needs.evaluates) {
      PARLEY_ASSIGN_OR_RETURN(out.test, ReadDataset(o.test_path, users, items, 0, o.max_features));
      out.test_rows = out.test.rows();
      test_header = out.test.Empty();
    } else {
      PARLEY_RETURN_IF_ERROR(
          ForEachRow(o.test_path, o.max_features, users, items, &test_header, [&](const Dataset&) { ++out.test_rows; }));
    }
    if (header.kind != test_header.kind)
      return InvalidArgument("--test " + o.test_path + " is not of the same kind of data as --data " +
                             o.train_path);
  } else if (split) {
    if (o.test_fraction >= 1) return InvalidArgument("--test-fraction must be in [0, 1)");
    Rng split_rng = rng.Fork("split");
    test_idx = TestRows(n, o.test_fraction, split_rng);
    out.test_rows = test_idx.size();
    test_header = header;
  }
  const uint32_t nf = std::max(header.sparse.num_features, test_header.sparse.num_features);
  if (header.kind == Dataset::Kind::kDense && out.test_rows > 0 && header.dense.cols != test_header.dense.cols)
    return InvalidArgument("--test " + o.test_path + " has " + std::to_string(test_header.dense.cols) +
                           " columns, --data " + o.train_path + " has " + std::to_string(header.dense.cols));
  for (Dataset* d : {&header, &out.test}) {
    d->sparse.num_features = nf;
    d->ratings.num_users = static_cast<uint32_t>(users.size());
    d->ratings.num_items = static_cast<uint32_t>(items.size());
  }
  if (out.test_rows == 0) out.test.kind = header.kind;
  out.header = header;
  const size_t n_train = n - (split ? test_idx.size() : 0);

  // Which training rows this rank keeps.
  all.kind = header.kind;  // all.Add counted the rows; the rest is the header's
  all.source = header.source;
  all.features = header.features();
  all.num_users = header.ratings.num_users;
  all.num_items = header.ratings.num_items;
  const ModelNeeds model = model_needs(all, header);
  const size_t k = static_cast<size_t>(needs.shards);
  out.by_user = k > 1 && header.kind == Dataset::Kind::kRatings && model.by_user;
  const std::optional<std::vector<uint32_t>> sample = needs.evaluates ? TrainEvalRows(o, n_train) : std::nullopt;
  out.whole_train = (k == 1 && needs.shard == 0) || (needs.evaluates && !sample);
  const bool own_shard = k > 1 && needs.shard >= 0;
  std::vector<uint32_t> my_rows;   // Shard: my shard's training rows (indices among them)
  std::vector<uint32_t> shard_of;  // ShardByUser: each user's shard
  if (k > 1) {
    Rng s = shard_rng;
    if (out.by_user) {
      shard_of = UserShards(users.size(), needs.shards, s);  // ShardByUser: every index < the map size
      out.shard_rows.assign(k, 0);                           // counted below
    } else {
      out.shard_rows = ShardSizes(n_train, needs.shards);
      if (own_shard) my_rows = ShardRows(n_train, needs.shards, needs.shard, s);
    }
  } else {
    out.shard_rows = {n_train};
  }
  std::vector<uint32_t> init_want, init_sorted;  // ModelNeeds::init_rows, and sorted
  if (model.init_rows && !out.whole_train) {
    std::optional<std::vector<uint32_t>> want = model.init_rows(n_train);
    if (want)
      init_want = std::move(*want);
    else
      out.whole_train = true;
    init_sorted = init_want;
    std::sort(init_sorted.begin(), init_sorted.end());
    if (std::adjacent_find(init_sorted.begin(), init_sorted.end()) != init_sorted.end() ||
        (!init_sorted.empty() && init_sorted.back() >= n_train))
      return Internal("the model's Init rows are not distinct training rows");
  }
  std::vector<uint32_t> sample_sorted;
  if (sample) {
    sample_sorted = *sample;
    std::sort(sample_sorted.begin(), sample_sorted.end());
  }

  // The kept parts, sized exactly (an upper bound for a by-user shard: its users' rows in all
  // of --data, test rows included).
  Dataset sample_rows = header.Empty();
  Dataset init_rows = header.Empty();
  out.train = header.Empty();
  out.shard = header.Empty();
  if (split && needs.evaluates) out.test = header.Empty();
  {
    size_t shard_n = own_shard ? my_rows.size() : 0;
    uint64_t train_nnz = 0, shard_nnz = 0, sample_nnz = 0, test_nnz = 0, init_nnz = 0;
    if (out.by_user && own_shard) {
      shard_n = 0;
      for (size_t u = 0; u < user_rows.size(); ++u)
        if (shard_of[u] == static_cast<uint32_t>(needs.shard)) shard_n += user_rows[u];
    }
    if (!row_nnz.empty()) {
      size_t t = 0, s = 0, e = 0, q = 0, j = 0;
      for (size_t i = 0; i < n; ++i) {
        if (split && Take(test_idx, &t, i)) {
          test_nnz += row_nnz[i];
          continue;
        }
        train_nnz += row_nnz[i];
        if (Take(my_rows, &s, j)) shard_nnz += row_nnz[i];
        if (Take(sample_sorted, &e, j)) sample_nnz += row_nnz[i];
        if (Take(init_sorted, &q, j)) init_nnz += row_nnz[i];
        ++j;
      }
    }
    if (out.whole_train) Reserve(out.train, n_train, train_nnz);
    Reserve(out.shard, shard_n, shard_nnz);
    Reserve(sample_rows, sample_sorted.size(), sample_nnz);
    Reserve(init_rows, init_sorted.size(), init_nnz);
    if (split && needs.evaluates) Reserve(out.test, test_idx.size(), test_nnz);
  }
  row_nnz = {};
  user_rows = {};

  // Pass 2: the rows again, each kept where it belongs.
  out.train_shape = DataShape::Of(header);  // kind, source, width, users and items; rows below
  size_t i = 0, j = 0, t = 0, s = 0, e = 0, q = 0;
  Dataset unused;
  PARLEY_RETURN_IF_ERROR(ForEachRow(o.train_path, o.max_features, users, items, &unused, [&](const Dataset& row) {
    const size_t file_row = i++;
    if (file_row >= n) return;  // the file grew: reported below
    if (split && Take(test_idx, &t, file_row)) {
      if (needs.evaluates) out.test.Append(row);
      return;
    }
    const size_t train_row = j++;
    out.train_shape.Add(row);
    if (out.whole_train) out.train.Append(row);
    if (out.by_user) {
      const uint32_t part = shard_of[row.ratings.user[0]];
      ++out.shard_rows[part];
      if (own_shard && part == static_cast<uint32_t>(needs.shard)) out.shard.Append(row);
    } else if (own_shard && Take(my_rows, &s, train_row)) {
      out.shard.Append(row);
    }
    if (Take(sample_sorted, &e, train_row)) sample_rows.Append(row);
    if (Take(init_sorted, &q, train_row)) init_rows.Append(row);
  }));
  if (i != n || users.size() != header.ratings.num_users || items.size() != header.ratings.num_items)
    return InvalidArgument("--data " + o.train_path + " changed while it was read (" + std::to_string(n) +
                           " rows, then " + std::to_string(i) + ")");

  // The train-evaluation sample and Init's rows in the order they were asked for.
  auto in_order = [](const Dataset& rows, const std::vector<uint32_t>& sorted, const std::vector<uint32_t>& want) {
    std::vector<uint32_t> order(want.size());
    for (size_t r = 0; r < order.size(); ++r)
      order[r] = static_cast<uint32_t>(std::lower_bound(sorted.begin(), sorted.end(), want[r]) - sorted.begin());
    return rows.Subset(order);
  };
  if (sample) out.train_eval = in_order(sample_rows, sample_sorted, *sample);
  if (!init_want.empty()) out.init_rows = in_order(init_rows, init_sorted, init_want);
  out.peak_rows = out.train.rows() + out.shard.rows() + out.test.rows() + sample_rows.rows() + out.train_eval.rows() +
                  init_rows.rows() + out.init_rows.rows();
  return out;
}

}  // namespace parley
