#!/usr/bin/env bash
# Install the Debian packages the tests need when they are missing: PostgreSQL (a real server for the second
# pass) and Chromium (driven by Playwright; never a downloaded browser). Needs root or sudo only to install.
# With --bench, also the load generators of the benchmarks (wrk, for bench/pdp).
set -euo pipefail

missing=()
if [ "${1:-}" = "--bench" ]; then
  command -v wrk >/dev/null 2>&1 || missing+=(wrk)
fi
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
if ! ls -d /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && ! command -v initdb >/dev/null 2>&1; then
  missing+=(postgresql)
fi
if ((${#missing[@]} == 0)); then
  exit 0
fi
echo "Installation des paquets Debian manquants : ${missing[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q
$sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
