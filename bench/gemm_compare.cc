// The MLP's five matrix products (784-256-10, a batch of 64 examples as columns), timed with
// Eigen (as parley's MlpModel computes them) and with the system BLAS's dgemm/sgemm (OpenBLAS
// from libopenblas0-pthread, one thread), in double and in single precision. Decides whether
// parley should hand its products to BLAS (Eigen's EIGEN_USE_BLAS); bench/kernels.sh builds and
// runs it. Prints one line per product and a total: microseconds per call, median of 7 rounds.
//   gemm_compare [--batch 64] [--rounds 7]
//
// Eigen allocates a packing workspace per product (for Z1 about 0.4 MiB, above the 128 KiB it
// keeps on the stack). With glibc's initial thresholds that memory is returned to the system
// after every product and faulted back in by the next (brk up and down per call: Z1 in double
// measured 2.0 ms instead of 0.43 ms). In a parley run glibc has already raised its thresholds,
// as it does after the first large block it frees (the data set's read buffers; strace shows no
// such system calls per step), so main() fixes them at the values that rule reaches.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <malloc.h>
#include <string>
#include <vector>

#include "parley/core/eigen.h"

extern "C" {
// Fortran BLAS (column-major), from libblas.so.3.
void dgemm_(const char* ta, const char* tb, const int* m, const int* n, const int* k,
            const double* alpha, const double* a, const int* lda, const double* b, const int* ldb,
            const double* beta, double* c, const int* ldc);
void sgemm_(const char* ta, const char* tb, const int* m, const int* n, const int* k,
            const float* alpha, const float* a, const int* lda, const float* b, const int* ldb,
            const float* beta, float* c, const int* ldc);
}

namespace {

template <typename T>
void Gemm(bool ta, bool tb, int m, int n, int k, const T* a, int lda, const T* b, int ldb, T beta,
          T* c, int ldc) {
  const char sa = ta ? 'T' : 'N', sb = tb ? 'T' : 'N';
  const T one = 1;
  if constexpr (std::is_same_v<T, double>)
    dgemm_(&sa, &sb, &m, &n, &k, &one, a, &lda, b, &ldb, &beta, c, &ldc);
  else
    sgemm_(&sa, &sb, &m, &n, &k, &one, a, &lda, b, &ldb, &beta, c, &ldc);
}

template <typename F>
double MicrosPerCall(F&& f, int rounds) {
  std::vector<double> t;
  for (int r = 0; r < rounds; ++r) {
    int calls = 0;
    const auto start = std::chrono::steady_clock::now();
    double elapsed = 0;
    do {
      f();
      ++calls;
      elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    } while (elapsed < 0.05);
    t.push_back(elapsed / calls * 1e6);
  }
  std::sort(t.begin(), t.end());
  return t[t.size() / 2];
}

template <typename T>
void Compare(const char* type, int batch, int rounds) {
  using M = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic>;
  const int in = 784, hid = 256, out = 10;
  M W1 = M::Random(hid, in), W2 = M::Random(out, hid), X = M::Random(in, batch);
  M A1 = M::Random(hid, batch), D2 = M::Random(out, batch), D1 = M::Random(hid, batch);
  M Z1(hid, batch), Z2(out, batch), gW1 = M::Zero(hid, in), gW2 = M::Zero(out, hid), dA1(hid, batch);
  struct Product {
    const char* what;
    std::function<void()> eigen, blas;
  };
  std::vector<Product> products = {
      {"Z1 = W1 X (256x784 * 784xB)", [&] { Z1.noalias() = W1 * X; },
       [&] { Gemm<T>(false, false, hid, batch, in, W1.data(), hid, X.data(), in, 0, Z1.data(), hid); }},
      {"Z2 = W2 A1 (10x256 * 256xB)", [&] { Z2.noalias() = W2 * A1; },
       [&] { Gemm<T>(false, false, out, batch, hid, W2.data(), out, A1.data(), hid, 0, Z2.data(), out); }},
      {"gW2 += D2 A1^T (10xB * Bx256)", [&] { gW2.noalias() += D2 * A1.transpose(); },
       [&] { Gemm<T>(false, true, out, hid, batch, D2.data(), out, A1.data(), hid, 1, gW2.data(), out); }},
      {"dA1 = W2^T D2 (256x10 * 10xB)", [&] { dA1.noalias() = W2.transpose() * D2; },
       [&] { Gemm<T>(true, false, hid, batch, out, W2.data(), out, D2.data(), out, 0, dA1.data(), hid); }},
      {"gW1 += D1 X^T (256xB * Bx784)", [&] { gW1.noalias() += D1 * X.transpose(); },
       [&] { Gemm<T>(false, true, hid, in, batch, D1.data(), hid, X.data(), in, 1, gW1.data(), hid); }},
  };
  double te = 0, tb = 0;
  for (auto& p : products) {
    const double e = MicrosPerCall(p.eigen, rounds), b = MicrosPerCall(p.blas, rounds);
    te += e;
    tb += b;
    std::printf("%-6s %-32s eigen %8.1f us  blas %8.1f us  eigen/blas %.2f\n", type, p.what, e, b, e / b);
  }
  std::printf("%-6s %-32s eigen %8.1f us  blas %8.1f us  eigen/blas %.2f\n", type, "all five", te, tb,
              te / tb);
}

}  // namespace

int main(int argc, char** argv) {
  int batch = 64, rounds = 7;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--batch")) batch = std::atoi(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--rounds")) rounds = std::atoi(argv[i + 1]);
    else {
      std::fprintf(stderr, "gemm_compare: unknown flag %s (--batch N, --rounds N)\n", argv[i]);
      return 2;
    }
  }
  mallopt(M_MMAP_THRESHOLD, 32 << 20);  // glibc's DEFAULT_MMAP_THRESHOLD_MAX on 64 bits
  mallopt(M_TRIM_THRESHOLD, 64 << 20);  // twice it, as glibc's dynamic rule sets
  std::printf("batch %d, one thread, median of %d rounds; Eigen %d.%d.%d\n", batch, rounds,
              EIGEN_WORLD_VERSION, EIGEN_MAJOR_VERSION, EIGEN_MINOR_VERSION);
  Compare<double>("double", batch, rounds);
  Compare<float>("float", batch, rounds);
  return 0;
}
