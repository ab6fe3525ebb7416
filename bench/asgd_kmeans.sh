#!/usr/bin/env bash
# Issue 5 reproduction (Keuper & Pfreundt 2015, ASGD with Parzen-window merging and
# communication load balancing; ALGORITHMS.md A) on K-means over generated Gaussian mixtures,
# 8 peers as threads of one process:
#   (a) error against time: ASGD, SimuParallelSGD, batch K-means (Lloyd), sequential SGD;
#   (b) ASGD with fixed send intervals {1, 2, 4, 8, 16, 32} under three emulated networks
#       (infiniband = fast, 1gbe, cloud = variable bandwidth), and the balanced run
#       (--balance interval, no tuning) against the best fixed interval of each;
#   (c) parley's sequential K-means SGD against scikit-learn's MiniBatchKMeans, one process each.
# Data: mixture "k100" (1M training rows, d = 10, k = 100: an 8 KB state) for (a), (b), (c);
# mixture "k10" (1M rows, d = 10, k = 10: 820 bytes) for (c) too.
# (a) and (b) run on a slow-motion cluster: every peer's compute is emulated SLOW times slower
# than measured (--slowdown i=SLOW for every peer: 8 peers then need about one of the 2 cores
# and really run side by side) and the network is slowed by the same factor
# (--network-slowdown SLOW), so compute and communication keep the proportions of a cluster
# of 8 machines like this one's core, and its times are these divided by SLOW.
# Writes bench/out/asgd/ (data, logs, summaries, commands.tsv), then bench/asgd_report.py
# writes bench/RESULTS-asgd.md and bench/plots/asgd_*.png.
#   bench/asgd_kmeans.sh        (PARLEY=path/to/parley to skip the build; SEEDS="1 2 3 4 5"
#                                for parts (a) and (b), C_SEEDS="1 ... 10" for part (c), whose
#                                0.01% targets lie in the noise of a single run;
#                                PARTS="c" (or "a b", ...) to run only some parts: their old logs
#                                are replaced, the others' kept, and the report is not written)
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ -z ${PARLEY:-} ]]; then
  scripts/build.sh release >/dev/null
  PARLEY=build/release/parley
fi
SEEDS=${SEEDS:-"1 2 3 4 5"}
C_SEEDS=${C_SEEDS:-"1 2 3 4 5 6 7 8 9 10"}
SLOW=${SLOW:-8}
PARTS=" ${PARTS:-a b c} "
for p in $PARTS; do
  [[ $p == a || $p == b || $p == c ]] || { echo "asgd_kmeans.sh: PARTS holds '$p'; expected a, b and/or c" >&2; exit 2; }
done
part() { [[ $PARTS == *" $1 "* ]]; }
all_parts() { part a && part b && part c; }
out=bench/out/asgd
mkdir -p "$out" bench/plots
if all_parts; then
  rm -f "$out"/*.jsonl "$out"/*.json "$out"/*.log "$out"/commands.tsv
  machine="$out/machine.txt"
else
  # (a) and (b) run in mode "cluster", (c) in mode "fast" and with sklearn.
  tag=$(echo $PARTS | tr -d ' ')
  machine="$out/machine.parts-$tag.txt"
  if part a || part b; then
    echo "asgd_kmeans.sh: (a) and (b) share their logs; run them together with (c) or alone as PARTS=\"a b\"" >&2
    part a && part b || exit 2
    rm -f "$out"/*.cluster.*
    [[ -f $out/commands.tsv ]] && { grep -v $'\tcluster\t' "$out/commands.tsv" > "$out/commands.tsv.tmp" || true; mv "$out/commands.tsv.tmp" "$out/commands.tsv"; }
  fi
  if part c; then
    rm -f "$out"/*.fast.* "$out"/*.sklearn-*
    [[ -f $out/commands.tsv ]] && { grep -v -e $'\tfast\t' -e $'\tsklearn\t' "$out/commands.tsv" > "$out/commands.tsv.tmp" || true; mv "$out/commands.tsv.tmp" "$out/commands.tsv"; }
  fi
fi

{
  echo "date: $(date -u +%FT%TZ)"
  echo "uptime: $(uptime)"
  echo "nproc: $(nproc)"
  echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
  echo "parley: $PARLEY ($(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet 2>/dev/null || echo ', uncommitted changes'))"
  echo "slow-motion factor: $SLOW"
  echo "parts: $PARTS"
} > "$machine"
cat "$machine"

# gen NAME K SEPARATION: 1,010,000 rows of a k-component mixture in d = 10 (spread 1, centres
# in a box of side SEPARATION), split once into 1,000,000 training and 10,000 test rows; the
# true centres beside both files give centre_distance_rel.
gen() {
  local name=$1 k=$2 sep=$3
  [[ -f $out/$name.train.csv && -f $out/$name.test.csv.centres ]] && return
  "$PARLEY" gen kmeans --rows 1010000 --dim 10 --clusters "$k" --spread 1 --separation "$sep" --seed 1 \
    --out "$out/$name.mix.csv"
  "$PARLEY" split --data "csv:$out/$name.mix.csv" --test-fraction 0.00990099 --seed 1 \
    --train-out "$out/$name.train.csv" --test-out "$out/$name.test.csv"
  cp "$out/$name.mix.csv.centres" "$out/$name.train.csv.centres"
  cp "$out/$name.mix.csv.centres" "$out/$name.test.csv.centres"
  rm -f "$out/$name.mix.csv" "$out/$name.mix.csv.centres"
}
gen k100 100 60
gen k10 10 20

# run DATA K NAME MODE SEED FLAGS...: one parley train; its command goes to commands.tsv.
# MODE cluster: the slow-motion cluster (every worker of the run slowed SLOW times, and the
# network); MODE fast: as measured (the sklearn comparison).
run() {
  local data=$1 k=$2 name=$3 mode=$4 seed=$5
  shift 5
  local emu=()
  if [[ $mode == cluster ]]; then
    local workers=1 rules=() i
    local args=" $* "
    [[ $args =~ " --workers "([0-9]+)" " ]] && workers=${BASH_REMATCH[1]}
    for ((i = 0; i < workers; i++)); do rules+=("$i=$SLOW"); done
    emu=(--slowdown "$(IFS=,; echo "${rules[*]}")" --network-slowdown "$SLOW")
  fi
  local file="$out/$data.$mode.$name.seed$seed"
  local cmd=("$PARLEY" train --data "csv:$out/$data.train.csv" --test "csv:$out/$data.test.csv" --model kmeans
             --clusters "$k" --batch 256 --schedule invsqrt --lr-t0 100 --train-eval-rows 1000 --deadline 120 --quiet
             "$@" "${emu[@]}" --seed "$seed" --metrics "$file.jsonl" --summary "$file.json")
  printf '%s\t%s\t%s\t%s\t%s\n' "$data" "$mode" "$name" "$seed" "${cmd[*]}" >> "$out/commands.tsv"
  if ! "${cmd[@]}" > "$file.log" 2>&1; then
    echo "FAILED: $data $mode $name seed $seed (see $file.log)" >&2
  fi
}

lr=(--lr 2)
for seed in $SEEDS; do
  part a || break  # (a) and (b) run together (see PARTS above)
  echo "$(date +%T) seed $seed (load: $(cut -d' ' -f1-3 /proc/loadavg))"
  # (a) the four algorithms. simu's answer only exists at its end (the peers' average), so it
  # runs with several budgets; asgd's curve is peer 0's state (and its end the average).
  run k100 100 seq cluster "$seed" "${lr[@]}" --algo sequential --epochs 1 --eval-every 0.01
  run k100 100 lloyd cluster "$seed" --algo lloyd --workers 8 --epochs 3 --eval-every 1
  for e in 0.25 0.5 1 2 3; do
    run k100 100 "simu-e$e" cluster "$seed" "${lr[@]}" --algo simu --workers 8 --epochs "$e" --eval-every 0.1
  done
  # (b) fixed intervals and the balanced run on three networks (3 epochs each); the
  # infiniband interval-1 run is (a)'s ASGD.
  for net in infiniband 1gbe cloud; do
    for i in 1 2 4 8 16 32; do
      run k100 100 "asgd-$net-i$i" cluster "$seed" "${lr[@]}" --algo asgd --workers 8 --epochs 3 --eval-every 0.1 \
        --network "$net" --send-every "$i"
    done
    run k100 100 "asgd-$net-balanced" cluster "$seed" "${lr[@]}" --algo asgd --workers 8 --epochs 3 --eval-every 0.1 \
      --network "$net" --send-every 1 --balance interval
  done
done

# (c) one process each, at full speed: parley sequential (one training thread) with
# MiniBatchKMeans' step rule (--kmeans-step count: each centre the running mean of its points;
# lr 1 and a constant schedule, chosen by a sweep of lr in {0.5, 1}: 0.5 stalls above the
# 0.01% targets), with one thread and with --kmeans-threads 2 (the batch's nearest-centre search
# on both cores), both with MiniBatchKMeans' batch of 1,024 rows (with the count rule the test
# objective after a given number of rows hardly depends on the batch: batches of 256 and 1,024
# gave the same medians over 5 seeds to two digits from 50k to 400k rows on k10; the larger
# batch spreads the per-batch costs and the thread team's fork and join); and MiniBatchKMeans
# with its default threads (one per core) and with one, once per seed as well
# (bench/sklearn_kmeans.py --seeds), so that both sides are medians over the same seeds.
for seed in $C_SEEDS; do
  part c || break
  for t in 1 2; do
    name=seq-sk; [[ $t == 1 ]] || name=seq-sk-t$t
    run k10 10 "$name" fast "$seed" --kmeans-step count --lr 1 --schedule constant --batch 1024 --algo sequential \
      --kmeans-threads "$t" --epochs 0.5 --eval-every 0.002
    run k100 100 "$name" fast "$seed" --kmeans-step count --lr 1 --schedule constant --batch 1024 --algo sequential \
      --kmeans-threads "$t" --epochs 1 --eval-every 0.002
  done
done
for data in k10 k100; do
  part c || break
  k=${data#k}
  for threads in 0 1; do
    sk=(/usr/bin/python3 bench/sklearn_kmeans.py --train "$out/$data.train.csv" --test "$out/$data.test.csv"
        --clusters "$k" --batch 1024 --epochs 1 --seeds "${C_SEEDS// /,}" --threads "$threads" --out "$out/$data.sklearn-t$threads.json")
    printf '%s\t%s\t%s\t%s\t%s\n' "$data" sklearn "minibatchkmeans-t$threads" 1 "${sk[*]}" >> "$out/commands.tsv"
    "${sk[@]}" > "$out/$data.sklearn-t$threads.log"
  done
done

echo "end uptime: $(uptime)" >> "$machine"
if all_parts; then
  /usr/bin/python3 bench/asgd_report.py "$out"
else
  echo "PARTS=$PARTS: logs in $out; bench/asgd_report.py $out writes the report once every part's logs are there"
  part c && /usr/bin/python3 bench/asgd_sklearn_table.py "$out"
fi
