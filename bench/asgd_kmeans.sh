#!/usr/bin/env bash
# Issue 5 reproduction (Keuper & Pfreundt 2015, ASGD with Parzen-window merging and
# communication load balancing; ALGORITHMS.md A) on K-means over a generated Gaussian mixture
# (1M training rows, d = 10, k = 10), 8 peers as threads of one process:
#   (a) error against time: ASGD, SimuParallelSGD, batch K-means (Lloyd), sequential SGD;
#   (b) ASGD with fixed send intervals {1, 2, 4, 8, 16, 32} under three emulated networks
#       (infiniband = fast, 1gbe, cloud = variable bandwidth), and the balanced run
#       (--balance interval, no tuning) against the best fixed interval of each;
#   (c) parley's sequential K-means SGD against scikit-learn's MiniBatchKMeans, one process each.
# (a) and (b) run twice: "shared" (the peers share this machine's cores as they are) and
# "cluster" (every peer's compute emulated 8x slower than one core here, so that 8 peers need
# one core and run side by side; see bench/RESULTS-asgd.md).
# Writes bench/out/asgd/ (data, logs, summaries, commands.tsv), then bench/asgd_report.py
# writes bench/RESULTS-asgd.md and bench/plots/asgd_*.png.
#   bench/asgd_kmeans.sh        (PARLEY=path/to/parley to skip the build; SEEDS="1 2 3")
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ -z ${PARLEY:-} ]]; then
  scripts/build.sh release >/dev/null
  PARLEY=build/release/parley
fi
SEEDS=${SEEDS:-"1 2 3"}
SLOW=${SLOW:-8}           # "cluster" mode: each peer's compute takes SLOW x its measured time
out=bench/out/asgd
mkdir -p "$out" bench/plots
rm -f "$out"/*.jsonl "$out"/*.json "$out"/*.log "$out"/commands.tsv

{
  echo "date: $(date -u +%FT%TZ)"
  echo "uptime: $(uptime)"
  echo "nproc: $(nproc)"
  echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
  echo "parley: $PARLEY ($(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet 2>/dev/null || echo ', uncommitted changes'))"
} > "$out/machine.txt"
cat "$out/machine.txt"

# Data: 1,020,000 rows of a 10-component mixture in d = 10 (spread 1, centres in a box of
# side 20), split once into 1,000,000 training and 20,000 test rows; the true centres beside
# both files give centre_distance_rel.
if [[ ! -f $out/train.csv || ! -f $out/test.csv.centres ]]; then
  "$PARLEY" gen kmeans --rows 1020000 --dim 10 --clusters 10 --spread 1 --separation 20 --seed 1 \
    --out "$out/mix.csv"
  "$PARLEY" split --data "csv:$out/mix.csv" --test-fraction 0.0196078 --seed 1 \
    --train-out "$out/train.csv" --test-out "$out/test.csv"
  cp "$out/mix.csv.centres" "$out/train.csv.centres"
  cp "$out/mix.csv.centres" "$out/test.csv.centres"
  rm -f "$out/mix.csv"
fi

common=(--data "csv:$out/train.csv" --test "csv:$out/test.csv" --model kmeans --clusters 10
        --batch 256 --lr 0.5 --schedule invsqrt --lr-t0 100 --eval-every 0.05 --train-eval-rows 1000
        --deadline 120 --quiet)

# run NAME MODE SEED FLAGS...: one parley train; its command goes to commands.tsv.
run() {
  local name=$1 mode=$2 seed=$3
  shift 3
  local emu=()
  if [[ $mode == cluster ]]; then
    local workers=1 rules=() i
    local args=" $* "
    [[ $args =~ " --workers "([0-9]+)" " ]] && workers=${BASH_REMATCH[1]}
    for ((i = 0; i < workers; i++)); do rules+=("$i=$SLOW"); done
    emu=(--slowdown "$(IFS=,; echo "${rules[*]}")")
  fi
  local file="$out/$mode.$name.seed$seed"
  local cmd=("$PARLEY" train "${common[@]}" "$@" "${emu[@]}" --seed "$seed"
             --metrics "$file.jsonl" --summary "$file.json")
  printf '%s\t%s\t%s\t%s\n' "$mode" "$name" "$seed" "${cmd[*]}" >> "$out/commands.tsv"
  if ! "${cmd[@]}" > "$file.log" 2>&1; then
    echo "FAILED: $mode $name seed $seed (see $file.log)" >&2
  fi
}

for mode in shared cluster; do
  for seed in $SEEDS; do
    echo "$(date +%T) $mode seed $seed (load: $(cut -d' ' -f1-3 /proc/loadavg))"
    # (a) the four algorithms. simu's answer only exists at its end (the peers' average), so it
    # runs with several budgets; so does asgd (its curve is peer 0's state, its end the average).
    # The initialisation alone (k-means++ over all training rows, identical work in every run
    # and inside every run's time): one step, sequential and 8 peers.
    run init-seq "$mode" "$seed" --algo sequential --epochs 0.000256
    run init-peers "$mode" "$seed" --algo asgd --workers 8 --epochs 0.000256 --network infiniband
    run seq "$mode" "$seed" --algo sequential --epochs 2
    run lloyd "$mode" "$seed" --algo lloyd --workers 8 --epochs 8
    for e in 0.125 0.25 0.5 1 2; do
      run "simu-e$e" "$mode" "$seed" --algo simu --workers 8 --epochs "$e"
    done
    for e in 0.125 0.25 0.5 1; do
      run "asgd-e$e" "$mode" "$seed" --algo asgd --workers 8 --epochs "$e" --network infiniband --send-every 1
    done
    # (b) fixed intervals and the balanced run on three networks (2 epochs each).
    for net in infiniband 1gbe cloud; do
      for k in 1 2 4 8 16 32; do
        run "asgd-$net-i$k" "$mode" "$seed" --algo asgd --workers 8 --epochs 2 --network "$net" --send-every "$k"
      done
      run "asgd-$net-balanced" "$mode" "$seed" --algo asgd --workers 8 --epochs 2 --network "$net" \
        --send-every 1 --balance interval
    done
  done
done

# (c) one process each: parley sequential (one training thread) and MiniBatchKMeans.
for seed in $SEEDS; do
  run seq-long sklearn "$seed" --algo sequential --epochs 3 --eval-every 0.01
done
sk=(/usr/bin/python3 bench/sklearn_kmeans.py --train "$out/train.csv" --test "$out/test.csv" --clusters 10
    --batch 1024 --epochs 1 --seed 1 --out "$out/sklearn.json")
printf '%s\t%s\t%s\t%s\n' sklearn minibatchkmeans 1 "${sk[*]}" >> "$out/commands.tsv"
"${sk[@]}"
sk1=(/usr/bin/python3 bench/sklearn_kmeans.py --train "$out/train.csv" --test "$out/test.csv" --clusters 10
     --batch 1024 --epochs 1 --seed 1 --threads 1 --out "$out/sklearn-1thread.json")
printf '%s\t%s\t%s\t%s\n' sklearn minibatchkmeans-1thread 1 "${sk1[*]}" >> "$out/commands.tsv"
"${sk1[@]}"

echo "end uptime: $(uptime)" >> "$out/machine.txt"
/usr/bin/python3 bench/asgd_report.py "$out"
