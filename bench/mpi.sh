#!/usr/bin/env bash
# MPI transport benchmarks (issue 6), written to bench/RESULTS-mpi.md:
#  1. raw MPI_Send/MPI_Recv ping-pong against parley's MpiTransport Send/Receive, same run
#     (bench/mpi_pingpong.cc), over shared memory and over --mca btl tcp,self;
#  2. training throughput (rows per second of training time) of sync and asgd with the same
#     flags in one process (--transport inproc) and under mpirun (--transport mpi), at 1 and 2
#     workers/peers.
# Run it on an otherwise idle machine: both the raw path and parley's progress thread poll, so
# other load distorts every number.
#   bench/mpi.sh [--quick]
set -euo pipefail
cd "$(dirname "$0")/.."
quick=0; [ "${1:-}" = "--quick" ] && quick=1
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
# BUILD=dir: use the parley and mpi_pingpong already built there (default: build them in
# build/release now).
if [[ -z ${BUILD:-} ]]; then
  scripts/build.sh release >/dev/null
  BUILD=build/release
  cmake --build "$BUILD" --target mpi_pingpong >/dev/null
fi
P=$BUILD/parley
out=bench/out/mpi; mkdir -p "$out"
res=bench/RESULTS-mpi.md
secs=0.5; [ $quick = 1 ] && secs=0.1
rounds=5; [ $quick = 1 ] && rounds=1

{
  echo "## MPI transport benchmarks (issue 6)"
  echo
  echo "Produced by \`bench/mpi.sh\` on $(date -u +%Y-%m-%d) ($(nproc) cores: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'))."
  echo
  echo "### Ping-pong: raw MPI against parley's message path, same run"
  echo
  echo "One-way time is half the round trip; bandwidth is bytes over the one-way time. At each size"
  echo "the two paths run in alternating rounds ($rounds parley rounds between $((rounds + 1)) raw ones) and each"
  echo "keeps its best round; \"median paired ratio\" is the median over parley rounds of the better"
  echo "neighbouring raw round's time over the parley round's. \"Raw probe-receive\" is raw MPI receiving"
  echo "as parley does (MPI_Improbe, then MPI_Imrecv of the announced size; best of $rounds rounds)."
  echo
  for btl in shm tcp; do
    mca=(); [ $btl = tcp ] && mca=(--mca btl tcp,self)
    echo "#### $btl: \`mpirun -np 2 ${mca[*]} $BUILD/mpi_pingpong --seconds $secs --rounds $rounds\`"
    echo
    mpirun -np 2 "${mca[@]}" $BUILD/mpi_pingpong --seconds $secs --rounds $rounds
    echo
  done
} > "$res.tmp"

# Throughput: sparse logistic regression on generated data.
data=$out/train.svm
[ -f $data ] || $P gen sparse-binary --rows 100000 --features 20000 --out $data >/dev/null
common=(--data $data --test-fraction 0.1 --model logreg --lr 0.5 --batch 16 --epochs 2 --eval-every 1 --quiet)
{
  echo "### Training throughput, in one process and under mpirun"
  echo
  echo "\`parley train ${common[*]} --algo ALGO --workers W\` (rows = 90 000 per epoch); rows/s ="
  echo "epochs x rows / training seconds from the summary."
  echo
  echo "| algo | workers | ranks | inproc rows/s | mpi rows/s | mpi / inproc | inproc test acc | mpi test acc |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|"
} >> "$res.tmp"
for algo in sync asgd; do
  for w in 1 2; do
    ranks=$w; [ $algo = sync ] && ranks=$((w + 1))
    $P train "${common[@]}" --algo $algo --workers $w --summary $out/$algo-$w-inproc.json
    mpirun -np $ranks --oversubscribe $P train --transport mpi "${common[@]}" --algo $algo --workers $w \
        --summary $out/$algo-$w-mpi.json
    /usr/bin/python3 - "$out/$algo-$w-inproc.json" "$out/$algo-$w-mpi.json" $algo $w $ranks >> "$res.tmp" <<'PY'
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:3])
rate = lambda s: s["epochs"] * 90000 / s["train_seconds"]
print("| %s | %s | %s | %.0f | %.0f | %.2f | %.4f | %.4f |" % (sys.argv[3], sys.argv[4], sys.argv[5], rate(a), rate(b),
      rate(b) / rate(a), a["test"]["accuracy"], b["test"]["accuracy"]))
PY
  done
done
mv "$res.tmp" "$res"
echo "wrote $res"
