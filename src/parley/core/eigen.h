// Eigen, included through this header only.
//
// GCC 12 warns "'__Y' may be used uninitialized" (-Wmaybe-uninitialized at -O3) and "'__Y' is
// used uninitialized" (-Wuninitialized at -O2, the sanitizer builds) inside its own
// avx512fintrin.h wherever Eigen's AVX-512 packet code (predux, ptranspose on 8 doubles) is
// inlined: the intrinsics' _mm*_undefined_pd() operands are meant to be undefined (GCC bug
// 105593, fixed in GCC 13). Both warnings are silenced for the intrinsics headers and Eigen
// alone, which must therefore be included here first; our own code keeps them.
#pragma once

#pragma GCC diagnostic push
#if !defined(__clang__)  // clang (the fuzz build) has no such warning and warns about the name
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#pragma GCC diagnostic ignored "-Wuninitialized"
#include <immintrin.h>
#include <Eigen/Dense>
#pragma GCC diagnostic pop
