#!/usr/bin/env bash
# Builds parley against MPICH (beside the default OpenMPI build) and runs the MPI tests of
# tests/mpi/mpi_test.py and tests/mpi/mpi_transport_stress.cc with MPICH's mpiexec (Hydra)
# over its default path. Not part of
# scripts/test.sh: CI machines carry OpenMPI only. Prints one line per case and a count.
#
#   scripts/check-mpich.sh            (installs libmpich-dev and mpich if missing)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh mpich
cmake -S . -B build/mpich -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DMPI_C_COMPILER=/usr/bin/mpicc.mpich -DMPI_CXX_COMPILER=/usr/bin/mpicxx.mpich \
  -DMPIEXEC_EXECUTABLE=/usr/bin/mpiexec.mpich >/dev/null
grep -q "MPI_CXX_LIB_NAMES:STRING=.*mpich" build/mpich/CMakeCache.txt || {
  echo "check-mpich.sh: build/mpich did not pick MPICH (see build/mpich/CMakeCache.txt)" >&2
  exit 1
}
cmake --build build/mpich -j "$(nproc)" --target parley mpi_transport_stress
cases=(sequential sync sync-servers sync-backup async pex pex-sync asgd asgd-balance simu lloyd
       sync-network mf test-file idx ranks-error bad-data pex-kill stopped-worker resume)
failed=()
for c in "${cases[@]}"; do
  start=$(date +%s%N)
  if /usr/bin/python3 tests/mpi/mpi_test.py --parley build/mpich/parley --mpiexec /usr/bin/mpiexec.mpich \
       --case "$c" >"build/mpich/mpi-$c.log" 2>&1; then
    ms=$(( ($(date +%s%N) - start) / 1000000 ))
    printf 'ok    %-14s %d.%03ds\n' "$c" $((ms / 1000)) $((ms % 1000))
  else
    printf 'FAIL  %-14s (build/mpich/mpi-%s.log)\n' "$c" "$c"
    failed+=("$c")
  fi
done
# The transport itself under concurrent role and runtime traffic (tests/mpi/mpi_transport_stress.cc).
if /usr/bin/mpiexec.mpich -n 3 build/mpich/mpi_transport_stress >build/mpich/mpi-transport-stress.log 2>&1; then
  echo "ok    transport-stress"
else
  echo "FAIL  transport-stress (build/mpich/mpi-transport-stress.log)"
  failed+=(transport-stress)
fi
cases+=(transport-stress)
echo "MPICH $(mpichversion | sed -n 's/MPICH Version:[[:space:]]*//p'): $((${#cases[@]} - ${#failed[@]})) of ${#cases[@]} MPI cases passed"
[ ${#failed[@]} -eq 0 ]
