// The decoding of every message between roles (ps_wire.h, pex_wire.h, asgd_wire.h): under MPI
// these bytes come from another process. The first byte picks the message, the second the
// receiver's shapes (block sizes, parameter counts); the rest is the payload. A message that
// decodes is then used as its receiver uses it (written into a block, added to a gradient,
// merged), so that a shape the decoder let through and the receiver does not expect is an
// out-of-bounds access ASan reports; and where the encoder takes the decoded fields as they
// are, encoding them again must give the payload back.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "fuzz_util.h"
#include "parley/algos/asgd/asgd_wire.h"
#include "parley/algos/pex/pex_wire.h"
#include "parley/algos/ps/ps_wire.h"

namespace {

using parley::Bytes;

void PsParams(const Bytes& b, size_t block_size) {
  parley::ps::ParamsMsg p;
  if (!parley::ps::DecodeParams(b, block_size, &p)) return;
  // The worker assembles the block (ps_common.cc, RunWorker).
  std::vector<double> full(block_size);
  if (p.sparse) {
    for (size_t k = 0; k < p.index.size(); ++k) full[p.index[k]] = p.scale * p.values[k];
  } else {
    for (size_t i = 0; i < block_size; ++i) full[i] = p.scale * p.values[i];
  }
}

void PsGradient(const Bytes& b, size_t block_size, bool sparse_model) {
  parley::ps::GradientMsg m;
  if (!parley::ps::DecodeGradient(b, block_size, &m)) return;
  // The server (servers.cc) adds the gradient to its block-sized buffer and answers the
  // request with its block's values at the wanted coordinates.
  parley::GradientBuffer g(block_size, sparse_model);
  parley::ps::AddGradient(m, 0.5, g);
  const std::vector<double> block(block_size);
  parley::ps::EncodeParams(1, m.request, 1.0, block, m.pull_sparse ? &m.want : nullptr);
}

void PsSmall(const Bytes& b) {
  int64_t version = 0;
  if (parley::ps::DecodeStop(b, &version))
    PARLEY_FUZZ_CHECK(parley::ps::EncodeStop(version) == b, "stop round trip");
  parley::ps::EvalSliceMsg e;
  if (parley::ps::DecodeEvalSlice(b, &e))
    PARLEY_FUZZ_CHECK(parley::ps::EncodeEvalSlice(e.index, e.scale, e.values) == b,
                      "evaluation slice round trip");
}

void PexContribution(const Bytes& b, size_t shared, size_t local) {
  parley::pex::Contribution c;
  if (!parley::pex::DecodeContribution(b, shared, local, &c)) return;
  std::vector<double> full(shared + local);  // the master's copy (pex.cc, Master::Take)
  for (size_t k = 0; k < c.local_index.size(); ++k)
    full[shared + c.local_index[k]] = c.local_values[k];
  PARLEY_FUZZ_CHECK(parley::pex::EncodeContribution(c.rows, c.steps, c.loss_sum, c.shared,
                                                    c.local_index, c.local_values) == b,
                    "contribution round trip");
}

void PexAverage(const Bytes& b, size_t shared) {
  double budget = 0;
  int64_t clock = 0;
  std::vector<double> average;
  if (!parley::pex::DecodeAverage(b, shared, &budget, &clock, &average)) return;
  std::vector<double> w(shared);  // the worker's parameters (pex.cc, RunWorker)
  std::copy(average.begin(), average.end(), w.begin());
  PARLEY_FUZZ_CHECK(parley::pex::EncodeAverage(budget, clock, average) == b, "average round trip");
}

void AsgdState(const Bytes& b, size_t shared, int num_blocks) {
  const std::vector<parley::ps::Block> blocks = parley::ps::SplitBlocks(shared, num_blocks);
  std::vector<parley::asgd::BlockMsg> in;
  if (!parley::asgd::DecodeState(b, blocks, &in)) return;
  std::vector<double> w(shared);  // the peer merges each accepted block (peers.cc)
  for (const parley::asgd::BlockMsg& m : in)
    for (size_t k = 0; k < blocks[m.block].size(); ++k) w[blocks[m.block].begin + k] += m.values[k];
  // A message a peer sends: distinct blocks, round robin from the first. It encodes back
  // (but for NaNs: the encoder reads true values, and 1.0 * a signalling NaN is quieted).
  const size_t nb = blocks.size();
  bool sent_form = !in.empty() && in.size() <= nb;
  for (size_t k = 0; sent_form && k < in.size(); ++k)
    sent_form = in[k].block == (in[0].block + k) % nb &&
                std::none_of(in[k].values.begin(), in[k].values.end(),
                             [](double x) { return std::isnan(x); });
  if (!sent_form) return;
  for (const parley::asgd::BlockMsg& m : in) {
    const auto at = w.begin() + static_cast<long>(blocks[m.block].begin);
    std::copy(m.values.begin(), m.values.end(), at);
  }
  const parley::WeightsView view{w.data(), 1.0, w.size()};
  PARLEY_FUZZ_CHECK(parley::asgd::EncodeState(view, blocks, static_cast<int>(in[0].block),
                                              static_cast<int>(in.size())) == b,
                    "state round trip");
}

void AsgdOthers(const Bytes& b, size_t n) {
  std::vector<double> values, counts;
  parley::SlotCounts slots;
  parley::asgd::DecodeFinal(b, n, &values, &slots);  // (its first field is not read back)
  int64_t pass = 0;
  if (parley::asgd::DecodePartial(b, n, n / 2, &pass, &values, &counts))
    PARLEY_FUZZ_CHECK(parley::asgd::EncodePartial(pass, values, counts) == b, "partial round trip");
  parley::asgd::DecodeCentres(b, n, &values);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const uint8_t shape = data[1];
  const auto* payload = reinterpret_cast<const std::byte*>(data);
  const Bytes b(payload + 2, payload + size);
  switch (data[0] % 7) {
    case 0: PsParams(b, shape % 64); break;
    case 1: PsGradient(b, shape % 64, shape >= 128); break;
    case 2: PsSmall(b); break;
    case 3: PexContribution(b, shape % 16, shape / 16); break;
    case 4: PexAverage(b, shape % 64); break;
    case 5: AsgdState(b, shape % 32, 1 + shape / 32); break;
    case 6: AsgdOthers(b, shape % 64); break;
  }
  return 0;
}
