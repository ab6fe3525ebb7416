#!/usr/bin/env bash
# What each MPI rank holds of the data (issue 6), written to bench/RESULTS-mpi-load.md: peak RSS
# and CPU seconds of every rank of `mpirun -np 5 parley train --transport mpi --algo sync
# --workers 4` (1 server + 4 workers) on a generated 200,000-row LIBSVM file (170 MB), the rows
# each rank says it held (the metrics log's start line, "data"), from one job per build, and
# the job's wall time (median of 5 interleaved rounds; 0.02 epochs, so loading dominates).
#   bench/mpi_load.sh
# BUILD=dir: the parley to measure (default: build/release, built now). BASE=dir: also measure
# the parley built there, e.g. from a commit before ranks loaded only their shards:
#   git archive <commit> | tar -x -C build/base-src && cmake -S build/base-src -B build/base \
#       -G Ninja -DCMAKE_BUILD_TYPE=Release && cmake --build build/base --target parley
set -euo pipefail
cd "$(dirname "$0")/.."
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
if [[ -z ${BUILD:-} ]]; then
  scripts/build.sh release >/dev/null
  BUILD=build/release
fi
out=bench/out/mpi-load; mkdir -p "$out"
res=bench/RESULTS-mpi-load.md
data=$out/big.svm
[ -f $data ] || $BUILD/parley gen sparse-binary --rows 200000 --features 50000 --nnz 50 --out $data >/dev/null
flags=(--data $data --test-fraction 0.1 --model logreg --algo sync --workers 4 --epochs 0.02 --quiet --no-progress)

# One measured job: per-rank "rank R maxrss_kb user_s sys_s" lines in $2, the metrics log in $3.
measure() {
  local parley=$1 ranks=$2 log=$3
  mpirun -np 5 --oversubscribe sh -c 'exec /usr/bin/time -f "rank $OMPI_COMM_WORLD_RANK %M %U %S" "$@"' sh \
      "$parley" train --transport mpi "${flags[@]}" --metrics "$log" 2>&1 | grep '^rank ' | sort -k2n > "$ranks"
}

{
  echo "## Data held by each MPI rank (issue 6)"
  echo
  echo "Produced by \`bench/mpi_load.sh\` on $(date -u +%Y-%m-%d) ($(nproc) cores: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'))."
  echo
  echo "\`mpirun -np 5 parley train --transport mpi ${flags[*]/$data/big.svm} --metrics m.jsonl\`"
  echo "on \`parley gen sparse-binary --rows 200000 --features 50000 --nnz 50\` ($(du -m $data | cut -f1) MiB; 180,000 training"
  echo "rows, 20,000 test rows). Rows held: what the rank kept after loading (shard / test / train-eval"
  echo "sample / whole training set), from the start line of the metrics log; peak RSS and CPU seconds"
  echo "(user + system) of the rank's process from \`/usr/bin/time\`, in one job per build; wall: the"
  echo "whole job, median of 5 rounds, the builds interleaved (below)."
  echo
  echo "| build | rank | rows held (shard / test / train-eval / train) | peak RSS (MB) | CPU (s) |"
  echo "|---|---:|---|---:|---:|"
} > "$res.tmp"
builds=(${BASE:+$BASE} $BUILD)
label() { if [ "$1" = "${BASE:-}" ]; then echo "before ($1)"; else echo "after ($1)"; fi; }
for build in "${builds[@]}"; do
  measure "$build/parley" $out/ranks.txt $out/m.jsonl
  /usr/bin/python3 - "$(label $build)" $out/ranks.txt $out/m.jsonl >> "$res.tmp" <<'PY'
import json, sys
name, ranks, log = sys.argv[1:4]
start = next(json.loads(l) for l in open(log) if '"start"' in l)
held = {r["rank"]: r for r in start.get("data", {}).get("by_rank", [])}
for line in open(ranks):
    _, r, rss, user, sys_s = line.split()
    h = held.get(int(r))
    rows = ("%d / %d / %d / %d" % (h["shard_rows"], h["test_rows"], h["train_eval_rows"], h["train_rows"])
            if h else "the whole file (every shard built)")
    print("| %s | %s | %s | %.0f | %.2f |" % (name, r, rows, int(rss) / 1024, float(user) + float(sys_s)))
PY
done
# Wall times, the builds interleaved (5 rounds) so that other load hits them alike.
declare -A walls
secs() { printf '%d.%02d' $(($1 / 1000)) $((($1 % 1000) / 10)); }
for i in 1 2 3 4 5; do
  for build in "${builds[@]}"; do
    t0=$(date +%s%N)
    mpirun -np 5 --oversubscribe "$build/parley" train --transport mpi "${flags[@]}"
    walls[$build]+="$(( ($(date +%s%N) - t0) / 1000000 )) "
  done
done
{
  echo
  printf "Wall time of the job, median of 5 (min-max):"
  sep=" "
  for build in "${builds[@]}"; do
    read -r -a w <<< "${walls[$build]}"
    sorted=($(printf '%s\n' "${w[@]}" | sort -n))
    printf "%s%s %s s (%s-%s)" "$sep" "$(label $build)" "$(secs ${sorted[2]})" "$(secs ${sorted[0]})" "$(secs ${sorted[4]})"
    sep="; "
  done
  echo "."
} >> "$res.tmp"
mv "$res.tmp" "$res"
echo "wrote $res"
