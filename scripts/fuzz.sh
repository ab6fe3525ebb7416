#!/usr/bin/env bash
# Builds the libFuzzer targets of fuzz/ into build/fuzz (clang-14, ASan + UBSan; the rest of the
# project keeps GCC) and runs each for SECONDS, as many at a time as there are cores.
#   scripts/fuzz.sh SECONDS [target...]       (default: every fuzz/*_fuzz.cc)
# Each target starts from its committed seeds, fuzz/corpus/<target>/, and writes what it finds
# new to build/fuzz/corpus-work/<target>/ (kept between runs, never committed). A crash, leak,
# timeout (> 10 s for one input) or use of more than 2 GB fails the run: the input is left in
# build/fuzz/crashes/<target>/ (emptied when the target next runs) and the commands to
# reproduce and minimise it are printed.
# Exit status: 0 if every target ran clean, 1 if any found something, 2 for a usage error.
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${1:-}"
if ! [[ "$secs" =~ ^[0-9]+$ ]] || [ "$secs" -lt 1 ]; then
  echo "usage: scripts/fuzz.sh SECONDS [target...]" >&2
  exit 2
fi
shift
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  for f in fuzz/*_fuzz.cc; do targets+=("$(basename "$f" .cc)"); done
fi
for t in "${targets[@]}"; do
  if [ ! -f "fuzz/$t.cc" ]; then echo "fuzz.sh: no target $t (fuzz/$t.cc)" >&2; exit 2; fi
done

build=build/fuzz
CC=clang-14 CXX=clang++-14 \
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DPARLEY_FUZZ=ON >/dev/null
cmake --build "$build" -j "$(nproc)" --target "${targets[@]}"

# The longest input each target is given: large enough for every seed and for the shapes that
# matter, small enough that an input costs little. read_fuzz's gzip inputs expand about 1000x,
# so 16 KB of them is at most 16 MB of text.
max_len() {
  case "$1" in
    read_fuzz) echo 16384 ;;
    *) echo 4096 ;;
  esac
}
# The targets that read through files run a few dozen inputs a second; libFuzzer's slow
# growth of the input length (-len_control) would keep them to a few dozen bytes for minutes.
extra_opts() {
  case "$1" in
    idx_fuzz | read_fuzz) echo -len_control=0 ;;
  esac
}

export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export ASAN_OPTIONS=detect_leaks=1
mkdir -p "$build/logs"
run() {
  local t="$1"
  local work="$build/corpus-work/$t" crashes="$build/crashes/$t"
  rm -rf "$crashes"
  mkdir -p "$work" "$crashes"
  local opts=(-max_total_time="$secs" -rss_limit_mb=2048 -timeout=10 -max_len="$(max_len "$t")"
              -artifact_prefix="$crashes/" -print_final_stats=1)
  [ -f "fuzz/$t.dict" ] && opts+=(-dict="fuzz/$t.dict")
  local extra
  extra="$(extra_opts "$t")"
  [ -n "$extra" ] && opts+=("$extra")
  # The scratch corpus comes first: libFuzzer adds what it finds to the first directory.
  local rc=0
  "$build/fuzz/$t" "${opts[@]}" "$work" "fuzz/corpus/$t" >"$build/logs/$t.log" 2>&1 || rc=$?
  echo "$rc" >"$build/logs/$t.rc"
}

start=$SECONDS
for t in "${targets[@]}"; do
  while [ "$(jobs -rp | wc -l)" -ge "$(nproc)" ]; do wait -n || true; done
  rm -f "$build/logs/$t.rc"
  run "$t" &
done
wait
failed=0
for t in "${targets[@]}"; do
  if [ "$(cat "$build/logs/$t.rc" 2>/dev/null || echo missing)" = 0 ]; then
    runs=$(grep -o 'number_of_executed_units: *[0-9]*' "$build/logs/$t.log" | grep -o '[0-9]*$')
    echo "fuzz.sh: $t: clean (${runs:-?} inputs in ${secs} s)"
    continue
  fi
  failed=1
  echo "=== fuzz.sh: $t FOUND SOMETHING (log: $build/logs/$t.log) ==="
  grep -E -A40 'ERROR: |runtime error|fuzz check failed' "$build/logs/$t.log" | head -60 ||
    tail -40 "$build/logs/$t.log"
  for a in "$build/crashes/$t"/*; do
    [ -f "$a" ] || continue
    echo "input: $a"
    echo "  reproduce: $build/fuzz/$t $a"
    echo "  minimise:  $build/fuzz/$t -minimize_crash=1 -runs=10000" \
         "-exact_artifact_path=$a.min $a"
  done
done
echo "fuzz.sh: ${#targets[@]} targets, ${secs} s each, $((SECONDS - start)) s in all"
exit "$failed"
