#!/usr/bin/env bash
# Assembles bench/RESULTS.md, every measured result of the project, from the section files the
# benchmark scripts write (one per issue; each says which script produced it and how):
#   RESULTS-foundation.md  bench/foundation.sh        sequential SGD against the targets and peers
#   RESULTS-sync.md        bench/sync_backup.sh       sync with backup workers, async
#   RESULTS-pex.md         bench/pex.sh               parameter exchange
#   RESULTS-asgd.md        bench/asgd_kmeans.sh       peer-to-peer ASGD, K-means at scale
#   RESULTS-kron.md        bench/kron.sh              Kronecker-structured SGD
#   RESULTS-mpi.md         bench/mpi.sh               the MPI transport
#   RESULTS-mpi-load.md    bench/mpi_load.sh          the data each MPI rank holds
#   RESULTS-kernels.md     bench/kernels.sh           kernels against PyTorch, LIBMF, scikit-learn
#   RESULTS-scaling.md     bench/scaling.sh           time to target with 2 and 8 workers
# Edit or regenerate the section files, then run this; do not edit RESULTS.md by hand.
set -euo pipefail
cd "$(dirname "$0")"
sections=(RESULTS-foundation.md RESULTS-sync.md RESULTS-pex.md RESULTS-asgd.md RESULTS-kron.md RESULTS-mpi.md RESULTS-mpi-load.md
          RESULTS-kernels.md RESULTS-scaling.md)
{
  echo "# parley: measured results"
  echo
  echo "Every number here was measured on this project's 2-core Debian 12 machine by the script named"
  echo "in its section, with the command beside it. Assembled by \`bench/assemble_results.sh\` from"
  echo "the section files \`bench/RESULTS-*.md\`."
  echo
  echo "Since commit bf37c44 each epoch's mini-batch order is drawn from its own seeded stream (so that"
  echo "\`--resume\` continues the batch order); the sections measured before it (all but the MPI"
  echo "section) give statistically equivalent, not identical, numbers when rerun. Spot check after the"
  echo "change, same commands as the Foundation table: Fashion-MNIST softmax 84.38% (was 84.40%), MLP"
  echo "seed 1 88.75% (was 88.78%), seed 2 88.80% (was 88.74%). Since commit 41444f0 an epoch's order is"
  echo "a lazily drawn forward shuffle (a different permutation of the same kind), so again every section"
  echo "but the ASGD section (rerun after it) reproduces statistically, not to the digit."
  echo
  echo "Until commit 9abd8bd \`--seed\` did not reach the mini-batch order: every run shuffled its"
  echo "batches with the same streams, whatever its seed (the split, the shards and the initial"
  echo "parameters did follow the seed). Medians over seeds measured before it therefore vary only by"
  echo "split and initialisation, and their spread understates the run-to-run variation; only the"
  echo "ASGD section's part (c) rerun of 2026-12-03 and the MPI transport section were measured after"
  echo "the fix."
  echo
  for s in "${sections[@]}"; do
    [[ -f $s ]] || { echo "assemble_results.sh: missing $s" >&2; exit 1; }
    title=$(grep -m1 '^## ' "$s" | sed 's/^## //')
    anchor=$(echo "$title" | tr 'A-Z' 'a-z' | sed 's/[^a-z0-9 -]//g; s/ /-/g')
    echo "- [$title](#$anchor) (\`$s\`)"
  done
  for s in "${sections[@]}"; do
    echo
    cat "$s"
  done
} >RESULTS.md
echo "wrote bench/RESULTS.md"
