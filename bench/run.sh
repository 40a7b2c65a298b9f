#!/usr/bin/env bash
# Builds the benchmarks (optimised) and runs them. Arguments go to
# hamlet_bench, e.g. `bench/run.sh all --runs 5` or `bench/run.sh query`;
# `bench/run.sh hub [concurrent|steady|offline|firstsync|all] [--runs N]` runs the hub's;
# `bench/run.sh compare [a|b|c|all] [--runs N] [--durable] [--all-words]` the
# workloads compared with other libraries (BENCHMARKS.md), and
# `bench/run.sh yjs [--runs N]` workloads B and C with Yjs (node-yjs).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
cmake -S . -B build/bench -G Ninja -DCMAKE_BUILD_TYPE=Release -DHAMLET_BUILD_TESTS=OFF > /dev/null
cmake --build build/bench --target hamlet_bench hub_bench compare_bench > /dev/null
echo "machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB; $(date -u +%F)"
if [ "${1:-}" = "yjs" ]; then
  shift
  # Debian's node modules live in /usr/share/nodejs.
  NODE_PATH=/usr/share/nodejs exec node bench/yjs_bench.js "$@"
fi
if [ "${1:-}" = "compare" ]; then
  shift
  exec ./build/bench/bench/compare_bench "${@:-all}"
fi
if [ "${1:-}" = "hub" ]; then
  shift
  exec ./build/bench/bench/hub_bench "${@:-all}"
fi
exec ./build/bench/bench/hamlet_bench "${@:-all}"
