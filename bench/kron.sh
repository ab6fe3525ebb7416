#!/usr/bin/env bash
# Kronecker-structured SGD against dense SGD (issue 7, ALGORITHMS.md D): per-step time against
# d, m, n and batch size; initialisation and memory; the break-even n for each d; the fraction
# of neurons fired per point over training. Results in bench/results/kron/*.jsonl, plots in
# bench/plots/kron_*.png, the break-even table in bench/results/kron/breakeven.md.
#
#   bench/kron.sh            # everything (a few minutes on 2 cores)
#   QUICK=1 bench/kron.sh    # fewer points, for a smoke test
#
# Both trainers run on one thread in the sweeps (the dense one has no threads); the Kronecker
# trainer's threads are measured apart. Builds bench/kron_bench in build/kron-bench (Release,
# -DPARLEY_BENCH=ON, which needs Google Benchmark's package for the other bench programs).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build/kron-bench}
OUT=${OUT:-bench/results/kron}
PLOTS=${PLOTS:-bench/plots}
JOBS=${JOBS:-2}

cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release -DPARLEY_BENCH=ON >/dev/null
cmake --build "$BUILD" -j"$JOBS" --target kron_bench
B="$BUILD/kron_bench"
mkdir -p "$OUT" "$PLOTS"

# step FILE ARGS...: one measurement, appended to $OUT/FILE.jsonl
step() {
  local file=$1
  shift
  "$B" step "$@" | tee -a "$OUT/$file.jsonl"
}

if [[ -n "${QUICK:-}" ]]; then
  DS="8 32 128"; MS="64 256 1024"; NS="256 1024 4096"; BS="1 16 64"
else
  DS="8 16 32 64 128 256"; MS="64 128 256 512 1024 2048"; NS="256 512 1024 2048 4096 8192"
  BS="1 4 16 64 256"
fi
rm -f "$OUT"/{d,m,n,batch,breakeven,threads,fired}.jsonl
{ uname -srm; lscpu | grep -E '^Model name|^CPU\(s\)' ; } > "$OUT/machine.txt"

# 1. Against d = d1 * d2 (d1 = d2 = 8 .. 256): n = 1024, m = 256, batch 16.
for d in $DS; do
  for t in kron dense; do step d --trainer $t --d1 "$d" --d2 "$d" --n 1024 --m 256 --batch 16; done
done
# 2. Against m: n = 1024, d = 32 x 32, batch 16.
for m in $MS; do
  for t in kron dense; do step m --trainer $t --d1 32 --d2 32 --n 1024 --m "$m" --batch 16; done
done
# 3. Against n: d = 32 x 32, m = 256, batch 16.
for n in $NS; do
  for t in kron dense; do step n --trainer $t --d1 32 --d2 32 --n "$n" --m 256 --batch 16; done
done
# 4. Against the batch size: n = 1024, d = 32 x 32, m = 256.
for b in $BS; do
  for t in kron dense; do step batch --trainer $t --d1 32 --d2 32 --n 1024 --m 256 --batch "$b"; done
done
# 5. Break-even measured directly where it is within reach: d = 8 x 8 and 16 x 16 (the
#    Kronecker step does not depend on d, so one n sweep serves both).
if [[ -z "${QUICK:-}" ]]; then
  for n in 128 192 256 384 512 768 1024 1536 2048; do
    step breakeven --trainer kron --d1 8 --d2 8 --n "$n" --m 256 --batch 16
  done
  for d in 8 16; do step breakeven --trainer dense --d1 $d --d2 $d --n 1024 --m 256 --batch 16; done
fi
# 6. Threads of the Kronecker trainer: initialisation and steps, d = 64 x 64, m = 256.
for n in 1024 4096 8192; do
  for th in 1 2; do step threads --trainer kron --d1 64 --d2 64 --n "$n" --m 256 --batch 16 --threads $th; done
done
# 7. Fraction of neurons fired per point over training.
EPOCHS=20
[[ -n "${QUICK:-}" ]] && EPOCHS=4
"$B" fired --n 2048 --d1 16 --d2 16 --m 1024 --batch 16 --lr 1 --epochs $EPOCHS --every 0.5 \
  --threads 2 | tee "$OUT/fired.jsonl"

/usr/bin/python3 bench/kron_plot.py "$OUT" "$PLOTS"
