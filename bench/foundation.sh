#!/usr/bin/env bash
# The measured results of the foundation issue (bench/RESULTS-foundation.md, "Foundation (sequential
# SGD)"): every number there comes from this script. Raw outputs (parley summaries and metric
# logs, the peers' outputs, the data sets it generates) go to bench/out/foundation/, and a
# table of the results, each with the command that produced it, to
# bench/out/foundation/results.md (also printed at the end).
#
#   bench/foundation.sh [fmnist] [movielens] [kmeans] [binary] [speed]   (default: all five)
#
#   PARLEY=path  the parley binary to measure (default: scripts/build.sh release, then
#                build/release/parley)
#   REPEAT=n     runs of each side of the speed comparison, interleaved (default 5; medians)
#   QUIET_WAIT=s before the speed comparison, wait up to s seconds (default 600) for the 1-minute
#                load average to fall below 1.5 (on a shared machine other jobs skew timings)
#
# Needs the data of scripts/get-data.sh and the peers of scripts/install-deps.sh bench
# (liblinear-tools, python3-sklearn); both are fetched or installed when missing. Run it on
# an otherwise idle machine: the speed comparison measures wall-clock time (the load average
# at its start is recorded beside the numbers).
set -euo pipefail
{ # The whole script is one compound command, read before it runs: editing the file while it
  # runs (a long speed comparison) cannot derail it.
cd "$(dirname "${BASH_SOURCE[0]}")/.."

OUT=bench/out/foundation
DATA=$OUT/data
PY=/usr/bin/python3  # Debian's python, which sees python3-sklearn and python3-numpy
REPEAT=${REPEAT:-5}
FM=data/fashion-mnist
ML=data/movielens-small/ratings.csv

targets=("$@")
[[ ${#targets[@]} -eq 0 ]] && targets=(fmnist movielens kmeans binary speed)
for t in "${targets[@]}"; do
  case "$t" in
    fmnist | movielens | kmeans | binary | speed) ;;
    *) echo "foundation.sh: unknown target '$t' (fmnist, movielens, kmeans, binary, speed)" >&2; exit 2 ;;
  esac
done
wants() { [[ " ${targets[*]} " == *" $1 "* ]]; }

if [[ -z "${PARLEY:-}" ]]; then
  scripts/build.sh release
  PARLEY=build/release/parley
fi
[[ -x "$PARLEY" ]] || { echo "foundation.sh: no parley binary at $PARLEY" >&2; exit 1; }
if ! command -v liblinear-train >/dev/null || ! "$PY" -c 'import sklearn, numpy' 2>/dev/null; then
  scripts/install-deps.sh bench
fi
if wants fmnist || wants binary; then scripts/get-data.sh fashion-mnist; fi
if wants movielens; then scripts/get-data.sh movielens-small; fi

mkdir -p "$OUT" "$DATA"
RESULTS=$OUT/results.md

log() { echo "foundation: $*" >&2; }

# Runs a command, its output to $OUT/NAME.log and the command line to $OUT/NAME.cmd; fails
# the script (with the log) if the command fails.
run() {
  local name=$1
  shift
  echo "$*" >"$OUT/$name.cmd"
  log "$name: $*"
  if ! "$@" >"$OUT/$name.log" 2>&1; then
    cat "$OUT/$name.log" >&2
    echo "foundation.sh: $name failed" >&2
    exit 1
  fi
}
cmd() { cat "$OUT/$1.cmd"; }
# A value from a JSON file: json FILE 'python expression over s'.
json() { "$PY" -c "import json, sys; s = json.load(open(sys.argv[1])); print($2)" "$1"; }
# Median of the numbers given as arguments.
median() { "$PY" -c "import statistics, sys; print(statistics.median(map(float, sys.argv[1:])))" "$@"; }
# Python arithmetic on the arguments: calc 'expression over a'.
calc() { local e=$1; shift; "$PY" -c "import sys; a = [float(x) for x in sys.argv[1:]]; print($e)" "$@"; }
pass() { if [[ $(calc "$1" "${@:2}") == True ]]; then echo pass; else echo FAIL; fi; }
# liblinear-predict's "Accuracy = 90% (18000/20000)" as a fraction.
ll_accuracy() { sed -n 's/.*(\([0-9]*\)\/\([0-9]*\)).*/\1 \2/p' "$1" | awk '{ printf "%.6f\n", $1 / $2 }'; }
# Non-zeros of a LIBSVM file.
nnz() { awk '{ n += NF - 1 } END { print n }' "$1"; }
# row WHAT MEASURED TARGET RESULT COMMAND: a table row; COMMAND is set in code unless it starts
# with "(" (a note) or "`" (already set).
row() {
  local c=$5
  [[ $c == "("* || $c == '`'* ]] || c="\`$c\`"
  echo "| $1 | $2 | $3 | $4 | $c |" >>"$RESULTS"
}
# table TITLE [DATA-COMMAND]: a new table, with the command that made its data if given.
table() {
  printf '\n### %s\n\n' "$1" >>"$RESULTS"
  [[ -n "${2:-}" ]] && printf 'Data: `%s`\n\n' "$2" >>"$RESULTS"
  printf '| what | measured | target | result | command |\n|---|---|---|---|---|\n' >>"$RESULTS"
}

{
  echo "# Foundation results ($(date -u '+%Y-%m-%d %H:%M UTC'))"
  echo
  echo "Machine: $(nproc) cores ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)), $(free -g | awk '/^Mem:/ { print $2 }') GiB,"
  rev=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
  git diff --quiet HEAD -- src 2>/dev/null || rev="$rev + uncommitted changes under src/"
  echo "Debian $(cat /etc/debian_version), $(c++ --version | head -1), parley at $rev ($PARLEY);"
  echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)."
} >"$RESULTS"

IDX_TRAIN=(--data "$FM/train-images-idx3-ubyte.gz" --test "$FM/t10k-images-idx3-ubyte.gz")

# ---------------------------------------------------------------------------------------------
# 1. Fashion-MNIST, 10 classes: softmax regression >= 83%, MLP (256 hidden) >= 88% test accuracy.
#    The MLP settings are scripts/demo.sh's.
if wants fmnist; then
  table "Fashion-MNIST (10 classes, 60k train / 10k test)"
  run fmnist-softmax "$PARLEY" train "${IDX_TRAIN[@]}" --model softmax --batch 32 --lr 0.01 \
    --momentum 0.9 --l2 1e-4 --epochs 10 --schedule step --lr-every 7500 --lr-factor 0.3 --seed 1 \
    --quiet --metrics "$OUT/fmnist-softmax.jsonl" --summary "$OUT/fmnist-softmax.json"
  acc=$(json "$OUT/fmnist-softmax.json" "s['test']['accuracy']")
  row "softmax regression, test accuracy" "$(calc 'round(100*a[0],2)' "$acc")%" ">= 83%" \
    "$(pass 'a[0] >= 0.83' "$acc")" "$(cmd fmnist-softmax)"
  for seed in 1 2; do
    run "fmnist-mlp-seed$seed" "$PARLEY" train "${IDX_TRAIN[@]}" --model mlp --hidden 256 --batch 32 \
      --lr 0.02 --momentum 0.9 --l2 5e-5 --epochs 10 --schedule step --lr-every 5625 --lr-factor 0.3 \
      --seed "$seed" --quiet --metrics "$OUT/fmnist-mlp-seed$seed.jsonl" \
      --summary "$OUT/fmnist-mlp-seed$seed.json"
    s=$OUT/fmnist-mlp-seed$seed.json
    acc=$(json "$s" "s['test']['accuracy']")
    row "MLP 784-256-10, seed $seed, test accuracy" \
      "$(calc 'round(100*a[0],2)' "$acc")%" ">= 88%" "$(pass 'a[0] >= 0.88' "$acc")" \
      "$(cmd "fmnist-mlp-seed$seed")"
  done
fi

# ---------------------------------------------------------------------------------------------
# 2. MovieLens latest-small, matrix factorisation on seeded random 90/10 splits: RMSE <= 0.89.
if wants movielens; then
  table "MovieLens latest-small (100,004 ratings), seeded random 90/10 split"
  for seed in 1 2 3; do
    run "movielens-mf-seed$seed" "$PARLEY" train --data "$ML" --test-fraction 0.1 --seed "$seed" \
      --model mf --rank 64 --l2 0.05 --batch 1 --lr 0.005 --epochs 40 --eval-every 5 --quiet \
      --metrics "$OUT/movielens-mf-seed$seed.jsonl" --summary "$OUT/movielens-mf-seed$seed.json"
    rmse=$(json "$OUT/movielens-mf-seed$seed.json" "s['test']['rmse']")
    row "MF rank 64, split/run seed $seed, test RMSE" "$(calc 'round(a[0],4)' "$rmse")" "<= 0.89" \
      "$(pass 'a[0] <= 0.89' "$rmse")" "$(cmd "movielens-mf-seed$seed")"
  done
fi

# ---------------------------------------------------------------------------------------------
# 3. K-means on a generated Gaussian mixture with known centres: centre_distance_rel < 0.05.
if wants kmeans; then
  run kmeans-gen "$PARLEY" gen kmeans --rows 200000 --dim 10 --clusters 10 --seed 1 \
    --out "$DATA/mix.csv"
  table "K-means, generated mixture: 200,000 x 10, k = 10 (spread 1, centres in a box of side 20)" \
    "$(cmd kmeans-gen)"
  for seed in 1 2 3 4 5; do
    run "kmeans-seed$seed" "$PARLEY" train --data "csv:$DATA/mix.csv" --test-fraction 0.1 \
      --seed "$seed" --model kmeans --clusters 10 --batch 64 --lr 0.5 --schedule step \
      --lr-every 1000 --lr-factor 0.5 --epochs 5 --quiet --summary "$OUT/kmeans-seed$seed.json"
    rel=$(json "$OUT/kmeans-seed$seed.json" "s['test']['centre_distance_rel']")
    row "mini-batch K-means, run seed $seed, test centre_distance_rel" \
      "$(calc 'round(a[0],4)' "$rel")" "< 0.05" "$(pass 'a[0] < 0.05' "$rel")" "$(cmd "kmeans-seed$seed")"
  done
fi

# The text-like sparse set of targets 4b and 5, split once so that both tools see the same files.
TEXT_TRAIN=$DATA/text.train.svm
TEXT_TEST=$DATA/text.test.svm
if wants binary || wants speed; then
  run text-gen "$PARLEY" gen sparse-binary --rows 200000 --features 50000 --nnz 50 --seed 1 \
    --out "$DATA/text.svm"
  run text-split "$PARLEY" split --data "$DATA/text.svm" --test-fraction 0.1 --seed 1 \
    --train-out "$TEXT_TRAIN" --test-out "$TEXT_TEST"
fi

# ---------------------------------------------------------------------------------------------
# 4. Binary tasks against liblinear -s 0 (L2 logistic regression, solved to optimality) on the
#    same files: within 0.5 accuracy points. parley minimises mean loss + l2/2 ||w||^2,
#    liblinear 1/2 ||w||^2 + C * sum of losses: the same problem when C = 1 / (l2 * n_train).
if wants binary; then
  run fmnist-libsvm "$PY" bench/fmnist_to_libsvm.py "$FM" "$DATA/fm.train.svm" "$DATA/fm.test.svm"
  table "Binary tasks: parley logreg vs liblinear -s 0 on the same files" \
    "$(cmd fmnist-libsvm); $(cmd text-gen); $(cmd text-split)"
  n=$(wc -l <"$DATA/fm.train.svm")
  c=$(calc "1 / (1e-4 * a[0])" "$n")
  run fm-liblinear-train liblinear-train -s 0 -c "$c" -B 1 -e 0.0001 "$DATA/fm.train.svm" "$OUT/fm.liblinear"
  run fm-liblinear-predict liblinear-predict "$DATA/fm.test.svm" "$OUT/fm.liblinear" "$OUT/fm.liblinear.pred"
  run fm-parley "$PARLEY" train --data "$DATA/fm.train.svm" --test "$DATA/fm.test.svm" --model logreg \
    --bias 1 --l2 1e-4 --batch 32 --lr 0.2 --epochs 20 --schedule step --lr-every 9375 --lr-factor 0.5 \
    --seed 1 --quiet --summary "$OUT/fm-parley.json"
  ll=$(ll_accuracy "$OUT/fm-liblinear-predict.log")
  pa=$(json "$OUT/fm-parley.json" "s['test']['accuracy']")
  row "Fashion-MNIST upper-body {0,2,4,6} vs rest (60k/10k, 784 features): liblinear" \
    "$(calc 'round(100*a[0],2)' "$ll")%" "reference" "" \
    "$(cmd fm-liblinear-train) && $(cmd fm-liblinear-predict)"
  row "same, parley logreg (gap to liblinear: $(calc 'round(100*(a[0]-a[1]),2)' "$pa" "$ll") points)" \
    "$(calc 'round(100*a[0],2)' "$pa")%" "within 0.5 points" "$(pass 'abs(a[0] - a[1]) <= 0.005' "$pa" "$ll")" \
    "$(cmd fm-parley)"

  n=$(wc -l <"$TEXT_TRAIN")
  c=$(calc "1 / (1e-5 * a[0])" "$n")
  run text-liblinear-train liblinear-train -s 0 -c "$c" -e 0.0001 "$TEXT_TRAIN" "$OUT/text.liblinear"
  run text-liblinear-predict liblinear-predict "$TEXT_TEST" "$OUT/text.liblinear" "$OUT/text.liblinear.pred"
  run text-parley "$PARLEY" train --data "$TEXT_TRAIN" --test "$TEXT_TEST" --model logreg --l2 1e-5 \
    --batch 1 --lr 0.5 --epochs 10 --schedule step --lr-every 360000 --lr-factor 0.5 --seed 1 --quiet \
    --summary "$OUT/text-parley.json"
  ll=$(ll_accuracy "$OUT/text-liblinear-predict.log")
  pa=$(json "$OUT/text-parley.json" "s['test']['accuracy']")
  row "text-like sparse (180k/20k, 50,000 features, ~50 non-zeros a row): liblinear" \
    "$(calc 'round(100*a[0],2)' "$ll")%" "reference" "" \
    "$(cmd text-liblinear-train) && $(cmd text-liblinear-predict)"
  row "same, parley logreg (gap to liblinear: $(calc 'round(100*(a[0]-a[1]),2)' "$pa" "$ll") points)" \
    "$(calc 'round(100*a[0],2)' "$pa")%" "within 0.5 points" "$(pass 'abs(a[0] - a[1]) <= 0.005' "$pa" "$ll")" \
    "$(cmd text-parley)"
fi

# ---------------------------------------------------------------------------------------------
# 5. Speed: parley's sequential logistic-regression SGD vs scikit-learn's SGDClassifier on the
#    text-like set. The same problem and algorithm on both sides: log-loss + l2/2 ||w||^2 with
#    no intercept, constant step 0.5, one row per step, a fresh shuffle each epoch, 5 epochs.
#    Time: parley's train_seconds (data loading and evaluations excluded) and sklearn's fit()
#    (data loading excluded), divided by the epochs. Both include fixed costs besides the
#    epochs (parley: the train-metric sample, threads, initialisation; sklearn: input checks),
#    so each side also runs 1 epoch, and (t5 - t1) / 4 is the marginal cost of an epoch.
#    REPEAT rounds of the four runs, interleaved; medians.
if wants speed; then
  table "Speed: sequential logistic-regression SGD, text-like set (180k x 50,000, $(nnz "$TEXT_TRAIN") non-zeros), batch 1, 5 epochs" \
    "$(cmd text-gen); $(cmd text-split)"
  waited=0
  while [[ $(calc 'a[0] >= 1.5' "$(cut -d' ' -f1 /proc/loadavg)") == True && $waited -lt ${QUIET_WAIT:-600} ]]; do
    ((waited == 0)) && log "speed: waiting up to ${QUIET_WAIT:-600} s for the load average ($(cut -d' ' -f1 /proc/loadavg)) to fall below 1.5"
    sleep 10
    waited=$((waited + 10))
  done
  load_before=$(cut -d' ' -f1-3 /proc/loadavg)
  train_nnz=$(nnz "$TEXT_TRAIN")
  p5=() p1=() s5=() s1=()
  for i in $(seq "$REPEAT"); do
    for e in 5 1; do
      run "speed-parley-e$e-$i" "$PARLEY" train --data "$TEXT_TRAIN" --test "$TEXT_TEST" --model logreg \
        --l2 1e-5 --batch 1 --lr 0.5 --epochs "$e" --seed 1 --quiet --summary "$OUT/speed-parley-e$e-$i.json"
      run "speed-sklearn-e$e-$i" "$PY" bench/sklearn_sgd.py "$TEXT_TRAIN" "$TEXT_TEST" --features 50000 \
        --lr 0.5 --l2 1e-5 --epochs "$e"
    done
    p5+=("$(json "$OUT/speed-parley-e5-$i.json" "s['train_seconds']")")
    p1+=("$(json "$OUT/speed-parley-e1-$i.json" "s['train_seconds']")")
    s5+=("$(json "$OUT/speed-sklearn-e5-$i.log" "s['seconds']")")
    s1+=("$(json "$OUT/speed-sklearn-e1-$i.log" "s['seconds']")")
  done
  load="load average before: $load_before; after: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "$load" >"$OUT/speed-load.txt"
  runs() { calc "' '.join('%.3f' % x for x in a)" "$@"; }
  pt=$(calc 'a[0] / 5' "$(median "${p5[@]}")")
  st=$(calc 'a[0] / 5' "$(median "${s5[@]}")")
  pm=$(calc '(a[0] - a[1]) / 4' "$(median "${p5[@]}")" "$(median "${p1[@]}")")
  sm=$(calc '(a[0] - a[1]) / 4' "$(median "${s5[@]}")" "$(median "${s1[@]}")")
  pa=$(json "$OUT/speed-parley-e5-1.json" "s['test']['accuracy']")
  sa=$(json "$OUT/speed-sklearn-e5-1.log" "s['test_accuracy']")
  row "parley: seconds per epoch = median train_seconds of 5 epochs / 5 (runs: $(runs "${p5[@]}") s)" \
    "$(calc 'round(a[0],4)' "$pt")" "" "" "$(cmd speed-parley-e5-1)"
  row "scikit-learn SGDClassifier: seconds per epoch = median fit time of 5 epochs / 5 (runs: $(runs "${s5[@]}") s)" \
    "$(calc 'round(a[0],4)' "$st")" "" "" "$(cmd speed-sklearn-e5-1)"
  row "speed-up per epoch (scikit-learn / parley); $load" "$(calc 'round(a[1]/a[0],2)' "$pt" "$st")x" \
    ">= 2x" "$(pass 'a[1] / a[0] >= 2' "$pt" "$st")" "(the two rows above)"
  row "test accuracy after 5 epochs, parley / scikit-learn" \
    "$(calc 'f"{100*a[0]:.2f}% / {100*a[1]:.2f}%"' "$pa" "$sa")" "parley >= scikit-learn" \
    "$(pass 'a[0] >= a[1]' "$pa" "$sa")" "(the same runs)"
  row "non-zeros per second, parley / scikit-learn" \
    "$(calc 'f"{a[0]/a[1]/1e6:.0f}M / {a[0]/a[2]/1e6:.0f}M"' "$train_nnz" "$pt" "$st")" "" "" "(the same runs)"
  row "marginal seconds per epoch, (t5 - t1) / 4, parley / scikit-learn (1-epoch runs: parley $(runs "${p1[@]}") s, scikit-learn $(runs "${s1[@]}") s)" \
    "$(calc 'f"{a[0]:.4f} / {a[1]:.4f} = {a[1]/a[0]:.2f}x"' "$pm" "$sm")" "" "" \
    "\`$(cmd speed-parley-e1-1)\` and \`$(cmd speed-sklearn-e1-1)\`"
fi

echo >>"$RESULTS"
cat "$RESULTS"
exit 0
}
