#!/usr/bin/env bash
# Supervision benchmark on a throw-away PostgreSQL server (see bench/supervision/run.py); arguments pass through.
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=scripts/postgres.sh
source scripts/postgres.sh
pg_test_start
trap pg_test_stop EXIT
"$(pg_bin_dir)/createdb" -h 127.0.0.1 -p "$PG_TEST_PORT" -U postgres habpps
.venv/bin/python bench/supervision/run.py "$@"
