#!/usr/bin/env bash
# Builds the benchmarks (optimised) and runs them. Arguments go to
# hamlet_bench, e.g. `bench/run.sh all --runs 5` or `bench/run.sh query`.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
cmake -S . -B build/bench -G Ninja -DCMAKE_BUILD_TYPE=Release -DHAMLET_BUILD_TESTS=OFF > /dev/null
cmake --build build/bench --target hamlet_bench > /dev/null
echo "machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB; $(date -u +%F)"
exec ./build/bench/bench/hamlet_bench "${@:-all}"
