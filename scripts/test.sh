#!/usr/bin/env bash
# Installs what Hamlet needs, builds it three ways and runs every test:
#   1. g++, optimised, -Werror: the full test suite;
#   2. clang++, -Werror: builds everything (warnings are errors), and runs
#      the libFuzzer target over the decoders for a bounded time;
#   3. g++, debug, AddressSanitizer + UndefinedBehaviorSanitizer: the full
#      test suite again.
# The run ends with ctest's summary line of the sanitizer run.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
jobs=$(nproc)

echo "== g++ release build"
cmake -S . -B build/gcc -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DHAMLET_WERROR=ON \
  -DCMAKE_C_COMPILER=gcc -DCMAKE_CXX_COMPILER=g++ > /dev/null
cmake --build build/gcc -j "$jobs"

echo "== clang build"
cmake -S . -B build/clang -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DHAMLET_WERROR=ON -DHAMLET_FUZZ=ON \
  -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ > /dev/null
cmake --build build/clang -j "$jobs"

echo "== fuzzing the decoders (${HAMLET_FUZZ_SECONDS:=60} s)"
corpus=build/clang/fuzz-corpus
rm -rf "$corpus" && mkdir -p "$corpus"
build/clang/tests/make_seeds "$corpus"
# libFuzzer prints its seed first; a crash leaves the input in build/clang,
# and the log shows the fuzzer's last words and that input in base64, so a
# failure seen only in a CI log can be replayed (decoders_fuzz FILE).
rm -f build/clang/crash-* build/clang/oom-* build/clang/timeout-*
fuzz_status=0
build/clang/tests/decoders_fuzz -max_total_time="$HAMLET_FUZZ_SECONDS" -rss_limit_mb=1024 -timeout=10 \
  -print_final_stats=1 -artifact_prefix=build/clang/ "$corpus" > build/clang/fuzz.log 2>&1 || fuzz_status=$?
grep -E "Seed:|ERROR|SUMMARY|stat::number_of_executed_units|Done" build/clang/fuzz.log || true
if [ "$fuzz_status" -ne 0 ]; then
  grep -v -E "^#[0-9]+|^INFO:|^\"" build/clang/fuzz.log | tail -n 60
  for input in build/clang/crash-* build/clang/oom-* build/clang/timeout-*; do
    [ -e "$input" ] && { echo "== $input (base64)"; base64 "$input"; }
  done
  exit "$fuzz_status"
fi

echo "== sanitizer build"
cmake -S . -B build/asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DHAMLET_WERROR=ON -DHAMLET_SANITIZE=ON \
  -DHAMLET_BUILD_BENCH=OFF -DCMAKE_C_COMPILER=gcc -DCMAKE_CXX_COMPILER=g++ > /dev/null
cmake --build build/asan -j "$jobs"

echo "== tests, g++ release"
(cd build/gcc && ctest --output-on-failure -j "$jobs")

echo "== tests, AddressSanitizer + UBSan"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
(cd build/asan && ctest --output-on-failure -j "$jobs")
