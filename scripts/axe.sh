#!/usr/bin/env bash
# Install the npm package axe-core into a project-local folder (var/node) for the accessibility checks of the
# browser tests, and print the path of axe.min.js.
set -euo pipefail
cd "$(dirname "$0")/.."
prefix=var/node
script="$prefix/node_modules/axe-core/axe.min.js"
if [ ! -f "$script" ]; then
  mkdir -p "$prefix"
  npm install --prefix "$prefix" --no-save --no-audit --no-fund --loglevel=error axe-core@4 >&2
fi
echo "$PWD/$script"
