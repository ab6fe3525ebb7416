#!/usr/bin/env bash
# Time to target with 2 and 8 workers against sequential SGD, every algorithm at its defaults,
# on the text-like logistic regression, MovieLens MF and the Fashion-MNIST MLP; and sync/async
# by batch size. Installs what it needs, builds parley, fetches the data, then runs
# bench/scaling.py (its docstring says what each part measures).
#   bench/scaling.sh [logreg] [mf] [mlp] [sweep] [--seeds N]   (default: all, 3 seeds)
#   PARLEY=path  the parley binary to measure (default: build/release/parley, built here)
# Run it on an otherwise idle machine: it measures wall-clock time. Results:
# bench/out/scaling/results.md (raw logs beside it); bench/RESULTS-scaling.md quotes them.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
scripts/install-deps.sh build data bench
scripts/get-data.sh fashion-mnist movielens-small
if [[ -z "${PARLEY:-}" ]]; then
  scripts/build.sh release parley
  PARLEY=build/release/parley
fi
exec /usr/bin/python3 bench/scaling.py --parley "$PARLEY" "$@"
