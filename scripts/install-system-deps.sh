#!/usr/bin/env bash
# Installs the Debian packages the test suite needs (chromium for e2e, redis-server for the Redis outbox)
# when they are missing. Idempotent. Needs root (or passwordless sudo) only when something is missing.
set -euo pipefail

missing=()
command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || missing+=(chromium)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)

if [ ${#missing[@]} -eq 0 ]; then
  echo "system deps: chromium and redis-server present"
  exit 0
fi

if [ "$(id -u)" -eq 0 ]; then SUDO=""; elif command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
  echo "system deps: missing ${missing[*]}; install them with: apt-get install -y ${missing[*]}" >&2
  exit 1
fi

echo "system deps: installing ${missing[*]} with apt-get"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "system deps: installed ${missing[*]}"
