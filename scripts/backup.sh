#!/usr/bin/env bash
# Back up Habpps: `scripts/backup.sh DIRECTORY` writes into DIRECTORY
#   - habpps-<UTC time>.dump: the PostgreSQL database of DATABASE_URL (pg_dump, custom format, a consistent
#     snapshot taken while the service runs), or habpps-<UTC time>.sqlite3 for the embedded SQLite database
#     (SQLite's online backup);
#   - habpps-<UTC time>-media.tar.gz: the uploaded files (scanned paper documents of the conventions) under
#     $HABPPS_VAR_DIR/media, when there are any.
# It prints the path of each file written. Restore with scripts/restore.sh (docs/operations.md).
set -euo pipefail
cd "$(dirname "$0")/.."
destination=${1:?"usage : scripts/backup.sh RÉPERTOIRE"}
mkdir -p "$destination"
stamp=$(date -u +%Y%m%dT%H%M%SZ)
var_dir=${HABPPS_VAR_DIR:-$PWD/var}
python=${PYTHON:-.venv/bin/python}

case "${DATABASE_URL:-}" in
  postgres://* | postgresql://*)
    dump="$destination/habpps-$stamp.dump"
    pg_dump --format=custom --no-owner --no-privileges --file "$dump" "$DATABASE_URL"
    ;;
  "" | sqlite://*)
    database=${DATABASE_URL#sqlite:///}
    database=${database:-$var_dir/habpps.sqlite3}
    dump="$destination/habpps-$stamp.sqlite3"
    "$python" - "$database" "$dump" <<'PY'
import sqlite3
import sys

source, target = sys.argv[1:3]
with sqlite3.connect(source) as live, sqlite3.connect(target) as copy:
    live.backup(copy)
PY
    ;;
  *)
    echo "DATABASE_URL non pris en charge : ${DATABASE_URL}" >&2
    exit 2
    ;;
esac
echo "$dump"

if [ -d "$var_dir/media" ] && [ -n "$(ls -A "$var_dir/media")" ]; then
  media="$destination/habpps-$stamp-media.tar.gz"
  tar -czf "$media" -C "$var_dir" media
  echo "$media"
fi
