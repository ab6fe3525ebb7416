#!/usr/bin/env bash
# Fetches real data sets into data/ (relative to the repository root). Idempotent: a set that
# is already present is left alone.
#
#   scripts/get-data.sh                 # fashion-mnist and movielens-small (Debian archive)
#   scripts/get-data.sh fashion-mnist   # only the named sets
#   scripts/get-data.sh a9a rcv1        # public sets from their official pages (needs internet)
#   scripts/get-data.sh --list          # what it knows, with addresses
#
# fashion-mnist and movielens-small come from Debian packages (see docs in DATA.md); the
# others are downloaded with curl or wget from the LIBSVM and GroupLens pages.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$(pwd)
DATA="$ROOT/data"

LIBSVM_URL=https://www.csie.ntu.edu.tw/~cjlin/libsvmtools/datasets/binary
ML_URL=https://files.grouplens.org/datasets/movielens

# name -> space-separated list of URLs.
declare -A REMOTE=(
  [a9a]="$LIBSVM_URL/a9a $LIBSVM_URL/a9a.t"
  [rcv1]="$LIBSVM_URL/rcv1_train.binary.bz2"
  [real-sim]="$LIBSVM_URL/real-sim.bz2"
  [news20]="$LIBSVM_URL/news20.binary.bz2"
  [covtype]="$LIBSVM_URL/covtype.libsvm.binary.bz2"
  [epsilon]="$LIBSVM_URL/epsilon_normalized.bz2"
  [url]="$LIBSVM_URL/url_combined.bz2"
  [webspam]="$LIBSVM_URL/webspam_wc_normalized_unigram.svm.bz2"
  [movielens-1m]="$ML_URL/ml-1m.zip"
  [movielens-10m]="$ML_URL/ml-10m.zip"
  [movielens-20m]="$ML_URL/ml-20m.zip"
)
REMOTE_ORDER=(a9a rcv1 real-sim news20 covtype epsilon url webspam
              movielens-1m movielens-10m movielens-20m)

TMP_DIR=
trap '[[ -n $TMP_DIR ]] && rm -rf "$TMP_DIR"' EXIT

log() { echo "get-data: $*" >&2; }
die() { log "$*"; exit 1; }

usage() {
  cat <<EOF
usage: scripts/get-data.sh [--list] [SET...]
Sets from the Debian archive (default: both):
  fashion-mnist    -> data/fashion-mnist/{train,t10k}-{images-idx3,labels-idx1}-ubyte.gz
  movielens-small  -> data/movielens-small/ratings.csv (100,004 ratings)
Sets downloaded from their official pages (need internet access):
EOF
  local name
  for name in "${REMOTE_ORDER[@]}"; do
    printf '  %-16s %s\n' "$name" "${REMOTE[$name]}"
  done
}

# Installs Debian packages that are missing; runs apt-get update only when needed.
apt_install() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' ||
      missing+=("$pkg")
  done
  [[ ${#missing[@]} -eq 0 ]] && return 0
  local sudo=()
  [[ $(id -u) -ne 0 ]] && sudo=(sudo)
  log "installing ${missing[*]}"
  "${sudo[@]}" apt-get update
  "${sudo[@]}" apt-get install -y -o DPkg::Lock::Timeout=600 --no-install-recommends "${missing[@]}"
}

get_fashion_mnist() {
  local dir="$DATA/fashion-mnist" src=/usr/share/datasets/fashion-mnist
  apt_install dataset-fashion-mnist
  mkdir -p "$dir"
  local f
  for f in "$src"/*.gz; do
    [[ -e $f ]] || die "no .gz files in $src after installing dataset-fashion-mnist"
    ln -sfn "$f" "$dir/$(basename "$f")"
  done
  log "fashion-mnist ready in data/fashion-mnist"
}

get_movielens_small() {
  local dir="$DATA/movielens-small" out="$DATA/movielens-small/ratings.csv"
  if [[ -s $out ]]; then
    log "movielens-small already present ($out)"
    return 0
  fi
  apt_install r-base-core
  TMP_DIR=$(mktemp -d)
  local tmp=$TMP_DIR
  chmod 755 "$tmp"  # lets apt's _apt user see the directory
  (cd "$tmp" && apt-get download -q r-cran-dslabs 2>&1 | grep -v '^W: Download is performed unsandboxed') ||
    die "apt-get download r-cran-dslabs failed (run 'apt-get update' and retry)"
  dpkg-deb -x "$tmp"/r-cran-dslabs_*.deb "$tmp/root"
  local rdata="$tmp/root/usr/lib/R/site-library/dslabs/data/Rdata"
  [[ -e $rdata.rdb ]] || die "r-cran-dslabs does not contain $rdata.rdb"
  mkdir -p "$dir"
  Rscript -e 'a <- commandArgs(TRUE); e <- new.env(); invisible(lazyLoad(a[1], envir = e));
              m <- get("movielens", e);
              write.csv(m[, c("userId", "movieId", "rating", "timestamp")], a[2], row.names = FALSE)' \
    "$rdata" "$out.tmp"
  mv "$out.tmp" "$out"
  rm -rf "$tmp"
  log "movielens-small ready: $out ($(($(wc -l <"$out") - 1)) ratings)"
}

# Downloads $1 to $2 with curl or wget; returns non-zero on failure.
download() {
  local url=$1 dest=$2
  if command -v curl >/dev/null; then
    curl -fsSL --retry 2 --connect-timeout 20 -o "$dest.part" "$url"
  elif command -v wget >/dev/null; then
    wget -O "$dest.part" "$url"
  else
    log "neither curl nor wget is installed"
    return 1
  fi && mv "$dest.part" "$dest"
}

get_remote() {
  local name=$1 dir="$DATA/$1" url file
  mkdir -p "$dir"
  for url in ${REMOTE[$name]}; do
    file="$dir/$(basename "$url")"
    local done_marker
    done_marker="$dir/.$(basename "$url").done"
    if [[ -e $done_marker ]]; then
      log "$name: $(basename "$url") already fetched"
      continue
    fi
    log "$name: downloading $url"
    if ! download "$url" "$file"; then
      rm -f "$file.part"
      rmdir "$dir" 2>/dev/null || true
      die "could not download $url; this machine may have no internet access beyond the" \
          "Debian archive. Download it elsewhere and place it in data/$name/."
    fi
    case $file in
      *.bz2) log "$name: decompressing"; bunzip2 -f "$file" ;;
      *.zip) log "$name: unpacking"; unzip -q -o "$file" -d "$dir"; rm -f "$file" ;;
    esac
    touch "$done_marker"
  done
  log "$name ready in data/$name"
}

main() {
  local sets=()
  for arg in "$@"; do
    case $arg in
      --list) usage; exit 0 ;;
      -h|--help) usage; exit 0 ;;
      -*) usage >&2; die "unknown option $arg" ;;
      *) sets+=("$arg") ;;
    esac
  done
  [[ ${#sets[@]} -eq 0 ]] && sets=(fashion-mnist movielens-small)
  for name in "${sets[@]}"; do
    case $name in
      fashion-mnist) get_fashion_mnist ;;
      movielens-small) get_movielens_small ;;
      *)
        [[ -n ${REMOTE[$name]+x} ]] || { usage >&2; die "unknown data set '$name'"; }
        get_remote "$name"
        ;;
    esac
  done
}

main "$@"
