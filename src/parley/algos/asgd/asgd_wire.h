// The messages of the peer algorithms (asgd, simu, lloyd; asgd.h), encoded with WireWriter.
// Decoders take bytes from another process (an MPI rank) and return false for anything
// malformed or of the wrong shape, never reading past the end. Plain functions, safe to call
// from any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "parley/algos/ps/ps_wire.h"
#include "parley/comm/node.h"
#include "parley/comm/transport.h"
#include "parley/core/wire.h"

namespace parley::asgd {

// asgd, peer -> peer (a Put into the receiver's slot): `count` blocks of the sender's
// parameters `w` (their true values), blocks first, first + 1, ... of `blocks`, round robin.
// REQUIRES: 0 <= first < blocks.size(); every block lies within w.
Bytes EncodeState(WeightsView w, const std::vector<ps::Block>& blocks, int first, int count);
// The largest state message of `blocks` blocks that hold `values` values in all (the size of a
// one-sided slot, Algorithm::SlotBytes).
inline size_t MaxStateBytes(size_t values, size_t blocks) {
  return sizeof(uint32_t) + blocks * (sizeof(uint32_t) + sizeof(uint64_t)) +
         values * sizeof(double);
}
struct BlockMsg {
  uint32_t block;
  std::vector<double> values;
};
// Appends the blocks of a state message to *out. True if every block is one of `blocks` and
// holds that block's size of values; on false *out may hold the blocks before the bad one.
bool DecodeState(std::span<const std::byte> bytes, const std::vector<ps::Block>& blocks,
                 std::vector<BlockMsg>* out);

// asgd and simu, peer -> peer 0 at the end: the peer's final parameters (true values) and its
// one-sided traffic.
Bytes EncodeFinal(std::span<const double> values, const SlotCounts& slots);
// True if `b` is a final message of `size` parameters.
bool DecodeFinal(const Bytes& b, size_t size, std::vector<double>* values, SlotCounts* slots);

// lloyd, peer -> peer 0: the cluster sums and counts of the peer's shard for pass `pass`.
Bytes EncodePartial(int64_t pass, std::span<const double> sums, std::span<const double> counts);
// True if `b` is a partial of `sums_size` sums and `counts_size` counts (of any pass: the
// caller checks *pass).
bool DecodePartial(const Bytes& b, size_t sums_size, size_t counts_size, int64_t* pass,
                   std::vector<double>* sums, std::vector<double>* counts);

// lloyd, peer 0 -> peers: the centres after pass `pass` (an empty message means stop).
Bytes EncodeCentres(int64_t pass, std::span<const double> centres);
// True if `b` holds `size` centre values.
bool DecodeCentres(const Bytes& b, size_t size, std::vector<double>* centres);

}  // namespace parley::asgd
