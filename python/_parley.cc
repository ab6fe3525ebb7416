// _parley: the C++ half of the Python module `parley` (python/parley/, docs/python.md).
//
// It hands numpy arrays to the engine as Datasets whose Columns borrow the arrays' memory
// (data/column.h), runs `Train` on a thread of its own with the GIL released while the
// calling thread watches for signals (Ctrl-C stops the run through RunOptions::cancel and
// raises KeyboardInterrupt), and parses the command line's `train` flags with the command
// line's own parser (ParseTrainFlags), so that option names cannot drift.
// Errors: InvalidArgument and NotFound become ValueError, every other Status RuntimeError.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "parley/cli/commands.h"
#include "parley/data/column.h"
#include "parley/data/dataset.h"
#include "parley/runtime/model_file.h"
#include "parley/runtime/runner.h"

namespace py = pybind11;

namespace parley {
namespace {

[[noreturn]] void Raise(const Status& s) {
  if (s.code() == StatusCode::kInvalidArgument || s.code() == StatusCode::kNotFound)
    throw py::value_error(s.message());
  throw std::runtime_error(s.message());
}

// Keeps a Python object alive for as long as a Column borrows its memory; the last owner may
// drop it on any thread, so the deleter takes the GIL.
std::shared_ptr<const void> KeepAlive(py::object o) {
  return std::shared_ptr<const void>(new py::object(std::move(o)), [](const void* p) {
    py::gil_scoped_acquire gil;
    delete static_cast<const py::object*>(p);
  });
}

// `a` with `ndim` dimensions, C-contiguous, or a ValueError naming `what`.
void CheckLayout(const py::array& a, const char* what, int ndim) {
  if (a.ndim() != ndim)
    throw py::value_error(std::string(what) + ": expected a " + std::to_string(ndim) +
                          "-d array, got " + std::to_string(a.ndim()) + "-d");
  if (!(a.flags() & py::array::c_style))
    throw py::value_error(std::string(what) + ": expected a C-contiguous array");
}

// As CheckLayout, and of dtype T (or, with `either_sign`, T's unsigned or signed twin).
template <typename T>
void CheckArray(const py::array& a, const char* what, int ndim, bool either_sign = false) {
  const char kind = a.dtype().kind();
  const bool kind_ok = kind == py::dtype::of<T>().kind() ||
                       (either_sign && (kind == 'i' || kind == 'u') &&
                        (py::dtype::of<T>().kind() == 'i' || py::dtype::of<T>().kind() == 'u'));
  if (!kind_ok || a.itemsize() != static_cast<py::ssize_t>(sizeof(T)))
    throw py::value_error(std::string(what) + ": expected dtype " +
                          std::string(py::str(py::dtype::of<T>())) + ", got " +
                          std::string(py::str(a.dtype())));
  CheckLayout(a, what, ndim);
}

template <typename T>
Column<T> Borrow(const py::array& a) {
  return Column<T>::Borrow(static_cast<const T*>(a.data()), static_cast<size_t>(a.size()),
                           KeepAlive(a));
}

void CheckFinite(const float* v, size_t n, const char* what) {
  for (size_t i = 0; i < n; ++i)
    if (!std::isfinite(v[i]))
      throw py::value_error(std::string(what) + " contains NaN or infinity (at element " +
                            std::to_string(i) + ")");
}

// A Dataset handed to Python: immutable, shared with the runs that read it.
struct PyDataset {
  std::shared_ptr<const Dataset> d;

  // The address of one of the engine's arrays ("x", "val", "col", "row_ptr", "label", "user",
  // "item", "rating") and whether it borrows the caller's memory.
  std::pair<uintptr_t, bool> Where(const std::string& field) const {
    auto at = [](const auto& c) {
      return std::make_pair(reinterpret_cast<uintptr_t>(c.data()), c.borrowed());
    };
    if (field == "x") return at(d->dense.x);
    if (field == "val") return at(d->sparse.val);
    if (field == "col") return at(d->sparse.col);
    if (field == "row_ptr") return at(d->sparse.row_ptr);
    if (field == "label") return at(d->label);
    if (field == "user") return at(d->ratings.user);
    if (field == "item") return at(d->ratings.item);
    if (field == "rating") return at(d->ratings.rating);
    throw py::value_error("no array named '" + field + "'");
  }
};

Column<float> Labels(const py::array& y, size_t rows) {
  CheckArray<float>(y, "y", 1);
  if (static_cast<size_t>(y.size()) != rows)
    throw py::value_error("y has " + std::to_string(y.size()) + " entries, X has " +
                          std::to_string(rows) + " rows");
  CheckFinite(static_cast<const float*>(y.data()), rows, "y");
  return Borrow<float>(y);
}

// Dense rows: x (rows x cols float32, C order) and y (rows float32), both borrowed.
PyDataset Dense(const py::array& x, const py::array& y, const std::string& source) {
  CheckArray<float>(x, "X", 2);
  auto d = std::make_shared<Dataset>();
  d->kind = Dataset::Kind::kDense;
  d->source = source;
  d->dense.cols = static_cast<size_t>(x.shape(1));
  if (d->dense.cols == 0) throw py::value_error("X has no columns");
  CheckFinite(static_cast<const float*>(x.data()), static_cast<size_t>(x.size()), "X");
  d->dense.x = Borrow<float>(x);
  d->label = Labels(y, static_cast<size_t>(x.shape(0)));
  return {std::move(d)};
}

// CSR rows: data float32 and indices int32/uint32 borrowed (indices checked >= 0, < features
// and strictly increasing per row); indptr int64/uint64 borrowed, int32/uint32 converted to
// uint64 (rows + 1 numbers).
PyDataset Csr(const py::array& data, const py::array& indices, const py::array& indptr,
              size_t num_features, const py::array& y, const std::string& source) {
  CheckArray<float>(data, "X.data", 1);
  if (num_features == 0 || num_features > 0xffffffffu)
    throw py::value_error("X must have between 1 and 2^32 - 1 columns");
  auto d = std::make_shared<Dataset>();
  d->kind = Dataset::Kind::kSparse;
  d->source = source;
  d->sparse.num_features = static_cast<uint32_t>(num_features);
  const size_t nnz = static_cast<size_t>(data.size());
  if (indptr.ndim() != 1 || indptr.size() < 1) throw py::value_error("X.indptr is empty");
  const size_t rows = static_cast<size_t>(indptr.size()) - 1;
  const char pkind = indptr.dtype().kind();
  if ((pkind == 'i' || pkind == 'u') && indptr.itemsize() == 8) {
    CheckArray<int64_t>(indptr, "X.indptr", 1, true);
    if (pkind == 'i') {
      const int64_t* p = static_cast<const int64_t*>(indptr.data());
      for (size_t i = 0; i <= rows; ++i)
        if (p[i] < 0) throw py::value_error("X.indptr has a negative entry");
    }
    d->sparse.row_ptr = Borrow<uint64_t>(indptr);
  } else if ((pkind == 'i' || pkind == 'u') && indptr.itemsize() == 4) {
    CheckArray<int32_t>(indptr, "X.indptr", 1, true);
    std::vector<uint64_t> v(rows + 1);
    if (pkind == 'i') {
      const int32_t* p = static_cast<const int32_t*>(indptr.data());
      for (size_t i = 0; i <= rows; ++i) {
        if (p[i] < 0) throw py::value_error("X.indptr has a negative entry");
        v[i] = static_cast<uint64_t>(p[i]);
      }
    } else {
      const uint32_t* p = static_cast<const uint32_t*>(indptr.data());
      for (size_t i = 0; i <= rows; ++i) v[i] = p[i];
    }
    d->sparse.row_ptr = std::move(v);  // rows + 1 numbers converted to the engine's uint64
  } else {
    throw py::value_error("X.indptr: expected int32 or int64, got " +
                          std::string(py::str(indptr.dtype())));
  }
  const uint64_t* rp = std::as_const(d->sparse.row_ptr).data();  // const: no copy on write
  if (rp[0] != 0 || rp[rows] != nnz)
    throw py::value_error("X.indptr must start at 0 and end at nnz (" + std::to_string(nnz) + ")");
  CheckArray<int32_t>(indices, "X.indices", 1, true);
  if (static_cast<size_t>(indices.size()) != nnz)
    throw py::value_error("X.indices and X.data differ in length");
  const uint32_t* col = static_cast<const uint32_t*>(indices.data());
  for (size_t r = 0; r < rows; ++r) {
    if (rp[r + 1] < rp[r] || rp[r + 1] > nnz)
      throw py::value_error("X.indptr decreases at row " + std::to_string(r));
    for (uint64_t k = rp[r]; k < rp[r + 1]; ++k) {
      // A negative int32 read as uint32 is >= 2^31 >= num_features.
      if (col[k] >= num_features)
        throw py::value_error("X.indices: index out of range in row " + std::to_string(r));
      if (k > rp[r] && col[k] <= col[k - 1])
        throw py::value_error("X.indices are not sorted and unique in row " + std::to_string(r) +
                              " (call X.sort_indices() and X.sum_duplicates())");
    }
  }
  CheckFinite(static_cast<const float*>(data.data()), nnz, "X");
  d->sparse.col = Borrow<uint32_t>(indices);
  d->sparse.val = Borrow<float>(data);
  d->label = Labels(y, rows);
  return {std::move(d)};
}

// Ratings triples: users and items uint32 (0..num_users-1, 0..num_items-1), ratings float32.
PyDataset RatingsData(const py::array& user, const py::array& item, const py::array& rating,
                      uint32_t num_users, uint32_t num_items, const std::string& source) {
  CheckArray<uint32_t>(user, "users", 1);
  CheckArray<uint32_t>(item, "items", 1);
  CheckArray<float>(rating, "ratings", 1);
  const size_t n = static_cast<size_t>(rating.size());
  if (static_cast<size_t>(user.size()) != n || static_cast<size_t>(item.size()) != n)
    throw py::value_error("users, items and ratings differ in length");
  const uint32_t* u = static_cast<const uint32_t*>(user.data());
  const uint32_t* it = static_cast<const uint32_t*>(item.data());
  for (size_t i = 0; i < n; ++i)
    if (u[i] >= num_users || it[i] >= num_items)
      throw py::value_error("user or item index out of range at rating " + std::to_string(i));
  CheckFinite(static_cast<const float*>(rating.data()), n, "ratings");
  auto d = std::make_shared<Dataset>();
  d->kind = Dataset::Kind::kRatings;
  d->source = source;
  d->ratings.user = Borrow<uint32_t>(user);
  d->ratings.item = Borrow<uint32_t>(item);
  d->ratings.rating = Borrow<float>(rating);
  d->ratings.num_users = num_users;
  d->ratings.num_items = num_items;
  return {std::move(d)};
}

// Runs Train(o) on a thread of its own; the calling thread (holding the GIL on entry) waits
// with the GIL released and checks for signals every 50 ms. A signal whose handler raises
// (Ctrl-C: KeyboardInterrupt) sets o.cancel; the run stops at its next stop check, and the
// exception is raised here once the run's thread has ended.
nlohmann::json RunWatched(RunOptions o) {
  std::atomic<bool> cancel{false};
  o.cancel = &cancel;
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
  StatusOr<nlohmann::json> result = Internal("the run did not start");
  std::thread run([&] {
    StatusOr<nlohmann::json> r = Internal("the run did not end");
    try {
      r = Train(o);
    } catch (const std::exception& e) {
      r = Internal(std::string("the run threw: ") + e.what());
    }
    std::lock_guard<std::mutex> lock(mu);
    result = std::move(r);
    done = true;
    cv.notify_all();
  });
  std::optional<py::error_already_set> interrupted;
  while (true) {
    {
      py::gil_scoped_release release;
      std::unique_lock<std::mutex> lock(mu);
      if (cv.wait_for(lock, std::chrono::milliseconds(50), [&] { return done; })) break;
    }
    if (!interrupted && PyErr_CheckSignals() != 0) {
      interrupted.emplace();  // fetches the pending exception
      cancel.store(true, std::memory_order_release);
    }
  }
  {
    py::gil_scoped_release release;
    run.join();
  }
  if (interrupted) throw *interrupted;
  if (!result.ok()) Raise(result.status());
  return *result;
}

// A scratch directory for a run's metrics log and model file, removed on destruction.
struct ScratchDir {
  std::filesystem::path path;
  ScratchDir() {
    std::string t = (std::filesystem::temp_directory_path() / "parley-py-XXXXXX").string();
    if (mkdtemp(t.data()) == nullptr) throw std::runtime_error("cannot create a directory in " + t);
    path = t;
  }
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
};

py::array_t<double> ToNumpy(const std::vector<double>& v) {
  py::array_t<double> a(static_cast<py::ssize_t>(v.size()));
  std::copy(v.begin(), v.end(), a.mutable_data());
  return a;
}

std::vector<std::string> ReadLines(const std::filesystem::path& p) {
  std::vector<std::string> lines;
  std::ifstream in(p);
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) lines.push_back(line);
  return lines;
}

// Trains on in-memory data with the command line's flags (no --data); returns the summary,
// the metrics log (one JSON string per line), the model's config and its parameters.
py::dict Fit(const std::vector<std::string>& flags, const PyDataset& train,
             const std::optional<PyDataset>& test, const std::optional<py::array_t<double>>& init) {
  StatusOr<RunOptions> parsed = ParseTrainFlags(flags);
  if (!parsed.ok()) Raise(parsed.status());
  RunOptions o = std::move(*parsed);
  if (!o.train_path.empty() || !o.test_path.empty())
    throw py::value_error("--data and --test are given as arrays here, not as flags");
  if (!o.model_out.empty() || !o.metrics_path.empty() || !o.resume_path.empty())
    throw py::value_error("model_out, metrics and resume are not flags of fit");
  o.train_data = train.d;
  if (test) o.test_data = test->d;
  if (init) {
    const py::array_t<double, py::array::c_style | py::array::forcecast> a(*init);
    o.initial_params = std::make_shared<const std::vector<double>>(a.data(), a.data() + a.size());
  }
  ScratchDir dir;
  o.metrics_path = (dir.path / "metrics.jsonl").string();
  o.model_out = (dir.path / "model.parley").string();
  const nlohmann::json summary = RunWatched(std::move(o));
  StatusOr<LoadedModel> model = LoadModel((dir.path / "model.parley").string());
  if (!model.ok()) Raise(model.status());
  py::dict out;
  out["summary"] = summary.dump();
  out["history"] = ReadLines(dir.path / "metrics.jsonl");
  out["config"] = model->model->Config().dump();
  out["params"] = ToNumpy(model->params);
  return out;
}

// `parley train` with these flags; returns the summary as JSON text.
std::string TrainFlags(const std::vector<std::string>& flags) {
  StatusOr<RunOptions> parsed = ParseTrainFlags(flags);
  if (!parsed.ok()) Raise(parsed.status());
  return RunWatched(std::move(*parsed)).dump();
}

py::tuple Load(const std::string& path) {
  StatusOr<LoadedModel> m = LoadModel(path);
  if (!m.ok()) Raise(m.status());
  return py::make_tuple(m->model->Config().dump(), ToNumpy(m->params),
                        m->checkpoint.is_null() ? std::string() : m->checkpoint.dump());
}

}  // namespace
}  // namespace parley

PYBIND11_MODULE(_parley, m) {
  using namespace parley;
  m.doc() = "parley's engine (see the package parley and docs/python.md)";
  py::class_<PyDataset>(m, "Dataset")
      .def_property_readonly("rows", [](const PyDataset& d) { return d.d->rows(); })
      .def("where", &PyDataset::Where, py::arg("field"),
           "(address, borrowed) of one of the engine's arrays of this data set");
  m.def("dense", &Dense, py::arg("x"), py::arg("y"), py::arg("source") = "X");
  m.def("csr", &Csr, py::arg("data"), py::arg("indices"), py::arg("indptr"),
        py::arg("num_features"), py::arg("y"), py::arg("source") = "X");
  m.def("ratings", &RatingsData, py::arg("users"), py::arg("items"), py::arg("ratings"),
        py::arg("num_users"), py::arg("num_items"), py::arg("source") = "ratings");
  m.def("fit", &Fit, py::arg("flags"), py::arg("train"), py::arg("test") = std::nullopt,
        py::arg("initial_params") = std::nullopt);
  m.def("train", &TrainFlags, py::arg("flags"));
  m.def("load", &Load, py::arg("path"));
  m.def("borrowed_copies", [] {
    const BorrowedCopyCount c = BorrowedCopies();
    return py::make_tuple(c.copies, c.bytes);
  }, "(copies, bytes): borrowed arrays the engine has copied on write in this process");
}
