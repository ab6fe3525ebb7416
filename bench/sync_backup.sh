#!/usr/bin/env bash
# Issue 3 reproduction (Chen et al. 2016, "Revisiting Distributed Synchronous SGD") on
# Fashion-MNIST with a softmax MLP, 16 workers as threads, heavy-tailed emulated step times:
#   (a) the k-th gradient arrival CDF (the straggler tail),
#   (b) time to 85% test accuracy for b = 0, 1, 2, 4 backups with N + b = 16,
#   (c) sync with backups against async at equal time.
# Writes bench/out/sync_backup/{backup,vs_async}/ (logs, summaries, compare tables, plots) and
# prints the numbers that go to bench/RESULTS-sync.md; plots are copied to bench/plots/.
#   bench/sync_backup.sh            (PARLEY=path/to/parley to skip the build)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/get-data.sh fashion-mnist
if [[ -z ${PARLEY:-} ]]; then
  scripts/build.sh release >/dev/null
  PARLEY=build/release/parley
fi
out=bench/out/sync_backup
rm -rf "$out"
mkdir -p "$out" bench/plots
"$PARLEY" compare --config bench/experiments/sync_backup.toml --out "$out/backup"
"$PARLEY" compare --config bench/experiments/sync_vs_async.toml --out "$out/vs_async"
/usr/bin/python3 bench/sync_backup_report.py "$out"
