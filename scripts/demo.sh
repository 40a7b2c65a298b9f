#!/usr/bin/env bash
# Installs what Hamlet needs, builds it, and runs the story of
# scripts/demo-story.sh: a hub, an officer and three cadres on loopback.
#
#   ./scripts/demo.sh [--dir DIR]    (DIR keeps the replicas, hub data and report)
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
echo "demo: building hamlet and hamlet-hub (a few minutes the first time)"
mkdir -p build
cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release -DHAMLET_BUILD_TESTS=OFF -DHAMLET_BUILD_BENCH=OFF \
  > build/demo-build.log 2>&1 || { cat build/demo-build.log; exit 1; }
cmake --build build/release --target hamlet hamlet-hub >> build/demo-build.log 2>&1 || { cat build/demo-build.log; exit 1; }
exec ./scripts/demo-story.sh --build build/release "$@"
