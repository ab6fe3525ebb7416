#!/usr/bin/env bash
# Kernel speed against the peers (PyTorch, LIBMF, scikit-learn), side by side in one run:
# installs the peers, builds parley for this machine (scripts/build.sh: -march=native), fetches
# the data, then runs bench/kernels.py (its docstring says what each part measures).
#   bench/kernels.sh [gemm] [mlp] [mf] [logreg] [--repeat N] [--repeat-workers N]   (default: all parts)
#   PARLEY=path  the parley binary to measure (default: build/release/parley, built here)
# Run it on an otherwise idle machine: it measures wall-clock time. Results:
# bench/out/kernels/results.md (and the raw logs beside it); bench/RESULTS-kernels.md quotes them.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
scripts/install-deps.sh build data bench torch
scripts/get-data.sh fashion-mnist movielens-small
if [[ -z "${PARLEY:-}" ]]; then
  scripts/build.sh release parley
  PARLEY=build/release/parley
fi
exec /usr/bin/python3 bench/kernels.py --parley "$PARLEY" "$@"
