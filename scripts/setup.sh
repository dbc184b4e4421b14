#!/usr/bin/env bash
# Installs the Debian packages Lodestone needs to build and test, if missing.
# Safe to run repeatedly; does nothing when everything is present.
set -euo pipefail

PKGS=(
  g++ cmake ninja-build make pkg-config
  libmimalloc-dev libgtest-dev libgmock-dev libbenchmark-dev
  clang libclang-rt-14-dev
  python3 python3-pytest python3-redis
  redis-server redis-tools tcl
  liblua5.1-0-dev lua-cjson-dev lua-bitop-dev
)

missing=()
for p in "${PKGS[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# The packaged redis-server starts a system service on 6379 when installed;
# it is only our reference implementation, so stop it where we can.
if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet redis-server 2>/dev/null; then
  systemctl stop redis-server || true
  systemctl disable redis-server >/dev/null 2>&1 || true
elif [ -x /etc/init.d/redis-server ] && /etc/init.d/redis-server status >/dev/null 2>&1; then
  /etc/init.d/redis-server stop >/dev/null 2>&1 || true
fi
