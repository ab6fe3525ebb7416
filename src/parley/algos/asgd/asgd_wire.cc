#include "parley/algos/asgd/asgd_wire.h"

namespace parley::asgd {

Bytes EncodeState(WeightsView w, const std::vector<ps::Block>& blocks, int first, int count) {
  const int nb = static_cast<int>(blocks.size());
  size_t bytes = sizeof(uint32_t);
  for (int k = 0; k < count; ++k)
    bytes += sizeof(uint32_t) + sizeof(uint64_t) + blocks[(first + k) % nb].size() * sizeof(double);
  Bytes out;
  out.reserve(bytes);
  WireWriter wr(out);
  wr.Put<uint32_t>(static_cast<uint32_t>(count));
  std::vector<double> values;
  for (int k = 0; k < count; ++k) {
    const int b = (first + k) % nb;
    const ps::Block& block = blocks[static_cast<size_t>(b)];
    values.resize(block.size());
    for (size_t i = 0; i < values.size(); ++i) values[i] = w[block.begin + i];
    wr.Put<uint32_t>(static_cast<uint32_t>(b));
    wr.PutArray<double>(values);
  }
  return out;
}

bool DecodeState(std::span<const std::byte> bytes, const std::vector<ps::Block>& blocks,
                 std::vector<BlockMsg>* out) {
  WireReader r(bytes);
  const uint32_t count = r.Get<uint32_t>();
  for (uint32_t k = 0; k < count && r.ok(); ++k) {
    BlockMsg m;
    m.block = r.Get<uint32_t>();
    r.GetArrayInto(m.values);
    if (!r.ok() || m.block >= blocks.size() || m.values.size() != blocks[m.block].size())
      return false;
    out->push_back(std::move(m));
  }
  return r.ok() && r.AtEnd();
}

namespace {

Bytes EncodeValues(int64_t index, std::span<const double> values) {
  Bytes b;
  WireWriter w(b);
  w.Put<int64_t>(index);
  w.PutArray<double>(values);
  return b;
}

}  // namespace

Bytes EncodeFinal(std::span<const double> values, const SlotCounts& slots) {
  Bytes b = EncodeValues(-1, values);
  WireWriter w(b);
  w.Put<int64_t>(slots.puts);
  w.Put<int64_t>(slots.reads);
  return b;
}

bool DecodeFinal(const Bytes& b, size_t size, std::vector<double>* values, SlotCounts* slots) {
  WireReader r(b);
  r.Get<int64_t>();
  r.GetArrayInto(*values);
  slots->puts = r.Get<int64_t>();
  slots->reads = r.Get<int64_t>();
  return r.ok() && r.AtEnd() && values->size() == size;
}

Bytes EncodePartial(int64_t pass, std::span<const double> sums, std::span<const double> counts) {
  Bytes b;
  WireWriter w(b);
  w.Put<int64_t>(pass);
  w.PutArray<double>(sums);
  w.PutArray<double>(counts);
  return b;
}

bool DecodePartial(const Bytes& b, size_t sums_size, size_t counts_size, int64_t* pass,
                   std::vector<double>* sums, std::vector<double>* counts) {
  WireReader r(b);
  *pass = r.Get<int64_t>();
  r.GetArrayInto(*sums);
  r.GetArrayInto(*counts);
  return r.ok() && r.AtEnd() && sums->size() == sums_size && counts->size() == counts_size;
}

Bytes EncodeCentres(int64_t pass, std::span<const double> centres) {
  return EncodeValues(pass, centres);
}

bool DecodeCentres(const Bytes& b, size_t size, std::vector<double>* centres) {
  WireReader r(b);
  r.Get<int64_t>();
  r.GetArrayInto(*centres);
  return r.ok() && r.AtEnd() && centres->size() == size;
}

}  // namespace parley::asgd
