#!/usr/bin/env bash
# Installs the built project into a scratch prefix, then builds and runs a
# consumer with find_package(Hamlet) and another with pkg-config.
# Usage: check.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build=$1
src=$2
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
cmake --install "$build" --prefix "$scratch/prefix" > "$scratch/install.log"
cmake -S "$src/tests/install/consumer" -B "$scratch/consumer" -DCMAKE_PREFIX_PATH="$scratch/prefix" \
  > "$scratch/configure.log"
cmake --build "$scratch/consumer" > "$scratch/build.log"
export LD_LIBRARY_PATH="$scratch/prefix/lib:${LD_LIBRARY_PATH:-}"
"$scratch/consumer/consumer_c" "$scratch/a.db"
"$scratch/consumer/consumer_static" "$scratch/b.db"
export PKG_CONFIG_PATH="$scratch/prefix/lib/pkgconfig"
cc "$src/tests/install/consumer/consumer.c" $(pkg-config --cflags --libs hamlet) -o "$scratch/consumer_pc"
"$scratch/consumer_pc" "$scratch/c.db"
echo "install check: find_package and pkg-config consumers ran"
