#!/usr/bin/env bash
# Installs every package parley needs from Debian's archive (Debian 12). Idempotent: packages
# already present are not touched, and apt is not called at all when nothing is missing.
#
#   scripts/install-deps.sh [build] [data] [bench] [torch] [mpich] [fuzz] [all]  (default: build)
#     build  compiler, CMake, Ninja, Eigen, CLI11, nlohmann-json, toml++, zlib, GoogleTest, Benchmark,
#            OpenMPI (--transport mpi and its tests), SimGrid (--transport sim), pybind11, numpy,
#            scipy, scikit-learn, pytest (the Python module and its tests)
#     data   Fashion-MNIST (dataset-fashion-mnist) and R to export MovieLens (see scripts/get-data.sh)
#     bench  the peers of bench/: scikit-learn, liblinear, numpy, matplotlib, gnuplot
#     torch  the peers of bench/kernels.sh: PyTorch with OpenBLAS, make (to build LIBMF)
#     mpich  MPICH beside OpenMPI, for scripts/check-mpich.sh (OpenMPI stays the default mpicc)
#     fuzz   clang 14 and its runtime libraries (libFuzzer, ASan, UBSan), for scripts/fuzz.sh
#     all    build, data, bench, torch and fuzz
set -euo pipefail

groups=("$@")
[ ${#groups[@]} -eq 0 ] && groups=(build)

build_pkgs=(g++ cmake ninja-build pkg-config libeigen3-dev nlohmann-json3-dev libcli11-dev
            libtomlplusplus-dev zlib1g-dev libgtest-dev libgmock-dev libbenchmark-dev
            python3-matplotlib   # parley plot / compare draw with matplotlib
            libopenmpi-dev openmpi-bin  # --transport mpi (src/parley/comm/mpi), mpirun for its tests
            libsimgrid-dev              # --transport sim (src/parley/comm/sim)
            # the Python module (python/, docs/python.md) and its tests
            pybind11-dev python3-dev python3-numpy python3-scipy python3-sklearn python3-pytest
            python3-pandas)  # check_estimator checks DataFrame input only when pandas is there
data_pkgs=(dataset-fashion-mnist r-base-core)
bench_pkgs=(liblinear-tools python3-sklearn python3-numpy python3-matplotlib gnuplot-nox time)
torch_pkgs=(python3-torch libopenblas0-pthread  # PyTorch with OpenBLAS (not the reference BLAS)
            make)                               # builds LIBMF
mpich_pkgs=(libmpich-dev mpich)
fuzz_pkgs=(clang-14 libclang-rt-14-dev)

want=()
for g in "${groups[@]}"; do
  case "$g" in
    build) want+=("${build_pkgs[@]}") ;;
    data) want+=("${data_pkgs[@]}") ;;
    bench) want+=("${bench_pkgs[@]}") ;;
    torch) want+=("${torch_pkgs[@]}") ;;
    mpich) want+=("${build_pkgs[@]}" "${mpich_pkgs[@]}") ;;
    fuzz) want+=("${build_pkgs[@]}" "${fuzz_pkgs[@]}") ;;
    all) want+=("${build_pkgs[@]}" "${data_pkgs[@]}" "${bench_pkgs[@]}" "${torch_pkgs[@]}"
                "${fuzz_pkgs[@]}") ;;
    *) echo "install-deps.sh: unknown group '$g' (use build, data, bench, torch, mpich, fuzz or all)" >&2
       exit 2 ;;
  esac
done

missing=()
for p in "${want[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null; then SUDO="sudo"; else
    echo "install-deps.sh: need root (or sudo) to install: ${missing[*]}" >&2; exit 1
  fi
fi
echo "install-deps.sh: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get -o DPkg::Lock::Timeout=600 update -qq
$SUDO apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
