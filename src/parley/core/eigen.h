// Eigen, included through this header only.
//
// GCC 12 warns "'__Y' may be used uninitialized" (-Wmaybe-uninitialized) inside its own
// avx512fintrin.h wherever Eigen's AVX-512 reductions (predux on 8 doubles) are inlined: the
// intrinsic's _mm256_undefined_pd() is meant to be undefined (GCC bug 105593, fixed in GCC 13).
// The warning is silenced for the intrinsics headers and Eigen alone, which must therefore be
// included here first; our own code keeps the warning.
#pragma once

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>
#include <Eigen/Dense>
#pragma GCC diagnostic pop
