#!/usr/bin/env bash
# Installs the Debian packages Hamlet builds and tests with. Idempotent: packages
# already present are left alone, and apt-get update runs only when something is
# missing. Needs root (or sudo) on Debian 12.
set -euo pipefail

PACKAGES=(
  build-essential cmake pkg-config ninja-build clang libclang-rt-14-dev
  libsqlite3-dev libsodium-dev libzstd-dev libutf8proc-dev
  libcpp-httplib-dev libssl-dev libqrencode-dev
  nlohmann-json3-dev libcli11-dev
  libpq-dev postgresql haproxy
  catch2 python3 openssl chromium gettext
  chromium-driver python3-selenium
  openjdk-17-jdk-headless junit4
  nodejs node-yjs
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ "${#missing[@]}" -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} packages present"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: done"
