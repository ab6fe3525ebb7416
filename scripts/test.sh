#!/usr/bin/env bash
# Sets everything up and runs the whole test suite: installs the build dependencies, then
# builds and runs every test three times: a release build, AddressSanitizer +
# UndefinedBehaviorSanitizer, and ThreadSanitizer (the concurrent code: comm, runtime, algos);
# then fuzzes every reader of outside bytes for a short while (scripts/fuzz.sh, clang).
#   scripts/test.sh [release|asan|tsan|fuzz]...     (default: all four)
set -euo pipefail
cd "$(dirname "$0")/.."
# The tests read the real data sets (Fashion-MNIST, MovieLens latest-small) and liblinear's
# fixture, and draw with matplotlib; PyTorch (group torch, bench/kernels.sh's peer) they do not need.
flavours=("$@")
[ ${#flavours[@]} -eq 0 ] && flavours=(release asan tsan fuzz)
groups=(build data bench)
[[ " ${flavours[*]} " == *" fuzz "* ]] && groups+=(fuzz)
scripts/install-deps.sh "${groups[@]}"
scripts/get-data.sh
for f in "${flavours[@]}"; do
  if [ "$f" = fuzz ]; then
    # 9 targets, as many at a time as there are cores: on CI's 2 cores 5 rounds of 30 s.
    echo "=== fuzz build and run ==="
    scripts/fuzz.sh 30
    continue
  fi
  echo "=== $f build ==="
  scripts/build.sh "$f"
  filter=()
  # TSan: the tests that run roles on threads; the single-threaded numerics gain nothing there.
  # Hogwild's tests (Hogwild.*) are not selected: its workers race on the shared parameters by
  # design (src/parley/algos/hogwild/hogwild.h).
  # The MPI tests (label mpi, tests/mpi/mpi_test.py) run in release and asan only: OpenMPI's
  # shared-memory transport and progress engine are not TSan-instrumented and report races of
  # their own.
  [ "$f" = tsan ] && filter=(-R 'Inproc|Node|Runner|Sequential|Cli|Algorithm|Ps|Sync|Async|Netem|Emulation|Kron|Compare|Pex|Asgd|Simu|Lloyd|Balancer|Parzen|SharedInit|KMeansModelTest.Threads' -LE mpi)
  export ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 TSAN_OPTIONS=halt_on_error=1
  (cd "build/$f" && ctest --output-on-failure -j "$(nproc)" "${filter[@]}")
done
