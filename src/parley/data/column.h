// Column<T>: the storage of one Dataset array (values, indices, row pointers, labels). It either
// owns its elements (a std::vector, and then behaves like one) or borrows them: a read-only
// view of memory that someone else owns (a numpy array handed in by the Python module), kept
// alive by a shared handle for as long as any Column borrows it. Copying a borrowing Column
// copies the view and the handle, not the elements.
//
// Reads (size, const data, const iteration, const operator[]) never copy. The first mutating
// call on a borrowing Column (push_back, insert, resize, a non-const data()/operator[]/begin()
// ...) first copies the borrowed elements into owned storage (copy on write) and counts it in
// BorrowedCopies(), so that a test can tell that a run read borrowed data without copying it.
// Thread-safety: as std::vector (concurrent const access is safe); the keep-alive handle's
// deleter runs on whichever thread drops the last Column that borrows it.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <span>
#include <type_traits>
#include <vector>

namespace parley {

// How many borrowed Columns this process has copied on write (see above), and their bytes.
struct BorrowedCopyCount {
  int64_t copies = 0;
  int64_t bytes = 0;
};
BorrowedCopyCount BorrowedCopies();
void CountBorrowedCopy(size_t bytes);

template <typename T>
class Column {
 public:
  using value_type = T;
  using size_type = size_t;
  using iterator = T*;
  using const_iterator = const T*;
  using reference = T&;
  using const_reference = const T&;

  Column() = default;
  Column(std::initializer_list<T> init) : own_(init) {}
  explicit Column(size_t n, const T& v = T()) : own_(n, v) {}
  template <typename It>
    requires(!std::is_integral_v<It>)
  Column(It first, It last) : own_(first, last) {}
  Column(std::vector<T> v) : own_(std::move(v)) {}  // NOLINT: a vector is an owning Column

  // A Column that reads n elements at p, valid while `keep_alive` (or a copy of it) lives.
  static Column Borrow(const T* p, size_t n, std::shared_ptr<const void> keep_alive) {
    Column c;
    c.borrowed_ = p;
    c.n_ = n;
    c.keep_ = std::move(keep_alive);
    return c;
  }
  bool borrowed() const { return keep_ != nullptr; }

  size_t size() const { return borrowed() ? n_ : own_.size(); }
  bool empty() const { return size() == 0; }
  const T* data() const { return borrowed() ? borrowed_ : own_.data(); }
  const T* begin() const { return data(); }
  const T* end() const { return data() + size(); }
  const T& operator[](size_t i) const { return data()[i]; }
  const T& front() const { return data()[0]; }
  const T& back() const { return data()[size() - 1]; }
  operator std::span<const T>() const { return {data(), size()}; }  // NOLINT: a read view
  // An owned copy of the elements (for APIs that take a std::vector).
  std::vector<T> ToVector() const { return std::vector<T>(begin(), end()); }

  // Mutation: owned storage (copy on write when borrowed, see above).
  T* data() { return Own().data(); }
  T* begin() { return Own().data(); }
  T* end() { return Own().data() + own_.size(); }
  T& operator[](size_t i) { return Own()[i]; }
  T& front() { return Own().front(); }
  T& back() { return Own().back(); }
  void push_back(const T& v) { Own().push_back(v); }
  template <typename... A>
  T& emplace_back(A&&... a) { return Own().emplace_back(std::forward<A>(a)...); }
  void pop_back() { Own().pop_back(); }
  template <typename It>
    requires(!std::is_integral_v<It>)
  T* insert(const T* pos, It first, It last) {
    const size_t at = static_cast<size_t>(pos - static_cast<const Column&>(*this).data());
    Own().insert(own_.begin() + static_cast<std::ptrdiff_t>(at), first, last);
    return own_.data() + at;
  }
  T* insert(const T* pos, size_t n, const T& v) {
    const size_t at = static_cast<size_t>(pos - static_cast<const Column&>(*this).data());
    Own().insert(own_.begin() + static_cast<std::ptrdiff_t>(at), n, v);
    return own_.data() + at;
  }
  T* erase(const T* first, const T* last) {
    const T* base = static_cast<const Column&>(*this).data();
    const auto a = first - base, b = last - base;
    Own().erase(own_.begin() + a, own_.begin() + b);
    return own_.data() + a;
  }
  void resize(size_t n) { Own().resize(n); }
  void resize(size_t n, const T& v) { Own().resize(n, v); }
  void assign(size_t n, const T& v) { Drop().assign(n, v); }
  template <typename It>
    requires(!std::is_integral_v<It>)
  void assign(It first, It last) {
    std::vector<T> v(first, last);  // first..last may point into this Column
    Drop() = std::move(v);
  }
  void clear() { Drop().clear(); }
  void reserve(size_t n) { Own().reserve(n); }
  void shrink_to_fit() { Own().shrink_to_fit(); }
  size_t capacity() const { return borrowed() ? n_ : own_.capacity(); }
  void swap(Column& o) noexcept {
    own_.swap(o.own_);
    std::swap(borrowed_, o.borrowed_);
    std::swap(n_, o.n_);
    keep_.swap(o.keep_);
  }

  friend bool operator==(const Column& a, const Column& b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end());
  }

 private:
  // The owned vector, the borrowed elements copied into it first.
  std::vector<T>& Own() {
    if (borrowed()) {
      CountBorrowedCopy(n_ * sizeof(T));
      own_.assign(borrowed_, borrowed_ + n_);
      Release();
    }
    return own_;
  }
  // The owned vector, about to be overwritten: a borrowed view is dropped without a copy.
  std::vector<T>& Drop() {
    if (borrowed()) Release();
    return own_;
  }
  void Release() {
    borrowed_ = nullptr;
    n_ = 0;
    keep_.reset();
  }

  std::vector<T> own_;
  const T* borrowed_ = nullptr;
  size_t n_ = 0;
  std::shared_ptr<const void> keep_;  // null: owning
};

}  // namespace parley
