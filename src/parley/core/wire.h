// Little-endian-on-this-machine byte encoding of messages between roles (after ps-lite's
// SArray payloads: plain trivially-copyable values and arrays appended in order). Both ends
// run the same binary, so no schema evolution is needed; a Reader checks every length so that
// a truncated or foreign payload is an error, never a read past the end.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

namespace parley {

class WireWriter {
 public:
  explicit WireWriter(std::vector<std::byte>& out) : out_(out) {}

  template <typename T>
  void Put(const T& value) {
    static_assert(std::is_trivially_copyable_v<T>);
    const size_t at = out_.size();
    out_.resize(at + sizeof(T));
    std::memcpy(out_.data() + at, &value, sizeof(T));
  }
  // Length-prefixed array.
  template <typename T>
  void PutArray(std::span<const T> values) {
    static_assert(std::is_trivially_copyable_v<T>);
    Put<uint64_t>(values.size());
    if (values.empty()) return;
    const size_t at = out_.size();
    out_.resize(at + values.size_bytes());
    std::memcpy(out_.data() + at, values.data(), values.size_bytes());
  }
  void PutString(const std::string& s) {
    PutArray<char>(std::span<const char>(s.data(), s.size()));
  }

 private:
  std::vector<std::byte>& out_;
};

class WireReader {
 public:
  explicit WireReader(std::span<const std::byte> in) : in_(in) {}

  // False once any read ran past the end; later reads return zeros.
  bool ok() const { return ok_; }
  bool AtEnd() const { return pos_ == in_.size(); }

  template <typename T>
  T Get() {
    static_assert(std::is_trivially_copyable_v<T>);
    T value{};
    if (!Need(sizeof(T))) return value;
    std::memcpy(&value, in_.data() + pos_, sizeof(T));
    pos_ += sizeof(T);
    return value;
  }
  template <typename T>
  std::vector<T> GetArray() {
    std::vector<T> values;
    GetArrayInto(values);
    return values;
  }
  // Reads an array into `values` (reusing its capacity).
  template <typename T>
  void GetArrayInto(std::vector<T>& values) {
    const uint64_t n = Get<uint64_t>();
    if (!ok_ || n > (in_.size() - pos_) / sizeof(T)) {
      ok_ = false;
      values.clear();
      return;
    }
    values.resize(n);
    if (n == 0) return;  // memcpy's pointers must not be null, even for zero bytes
    std::memcpy(values.data(), in_.data() + pos_, n * sizeof(T));
    pos_ += n * sizeof(T);
  }
  std::string GetString() {
    std::vector<char> c = GetArray<char>();
    return std::string(c.begin(), c.end());
  }

 private:
  bool Need(size_t n) {
    if (!ok_ || in_.size() - pos_ < n) {
      ok_ = false;
      return false;
    }
    return true;
  }

  std::span<const std::byte> in_;
  size_t pos_ = 0;
  bool ok_ = true;
};

}  // namespace parley
