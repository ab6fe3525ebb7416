#!/usr/bin/env bash
# Configures and builds parley into build/<flavour>.
#   scripts/build.sh [release|asan|tsan|debug] [target...]   (default: release, every target)
# The binaries use this machine's instruction set (-march=native); for binaries that run on
# other x86-64 machines: PARLEY_ARCH=x86-64-v2 scripts/build.sh (any -march value works).
set -euo pipefail
cd "$(dirname "$0")/.."
flavour="${1:-release}"
[ $# -gt 0 ] && shift
case "$flavour" in
  release) args=(-DCMAKE_BUILD_TYPE=Release) ;;
  debug) args=(-DCMAKE_BUILD_TYPE=Debug) ;;
  asan) args=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DPARLEY_SANITIZE=address) ;;
  tsan) args=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DPARLEY_SANITIZE=thread) ;;
  *) echo "build.sh: unknown flavour '$flavour' (release, debug, asan, tsan)" >&2; exit 2 ;;
esac
cmake -S . -B "build/$flavour" -G Ninja "${args[@]}" -DPARLEY_ARCH="${PARLEY_ARCH:-native}" >/dev/null
targets=()
[ $# -gt 0 ] && targets=(--target "$@")
cmake --build "build/$flavour" -j "$(nproc)" "${targets[@]}"
