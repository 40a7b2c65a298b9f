#!/usr/bin/env bash
# Installs what Hamlet needs, builds it, and runs the demo.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release -DHAMLET_BUILD_TESTS=OFF -DHAMLET_BUILD_BENCH=OFF \
  > build-demo.log
cmake --build build/release --target hamlet-demo >> build-demo.log
rm -f build-demo.log
exec ./build/release/cli/hamlet-demo "$@"
