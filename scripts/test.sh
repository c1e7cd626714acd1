#!/usr/bin/env bash
# The whole test suite, as `make test` and CI run it:
#   1. installs what the tests need (Debian postgresql and chromium, npm axe-core in var/node);
#   2. lint: ruff and the import-linter contracts;
#   3. pytest on SQLite (everything but the PostgreSQL-only tests, browser tests included);
#   4. pytest again on a real PostgreSQL server started here in a throw-away directory and stopped at the end
#      (the pure-Python engine and role-engineering tests do not depend on the database and run once).
# Both pytest runs use every core (pytest-xdist; HABPPS_TEST_WORKERS sets how many, 0 runs in one process): each
# worker has its own test database, a file's tests stay on one worker (module fixtures, the shared worlds of
# tests/conftest.py) and the browser tests all run on one worker, one after the other (the groups are set in
# tests/conftest.py). Extra arguments go to both pytest runs.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin

scripts/system-deps.sh
HABPPS_AXE_JS=$(scripts/axe.sh)
export HABPPS_AXE_JS
export HABPPS_CHROMIUM=${HABPPS_CHROMIUM:-/usr/bin/chromium}
export HABPPS_VAR_DIR="$PWD/var/test"
mkdir -p "$HABPPS_VAR_DIR"
unset DATABASE_URL

# `logical`: every CPU the machine shows (`auto` counts physical cores, 1 on a 2-vCPU virtual machine).
XDIST=(-n "${HABPPS_TEST_WORKERS:-logical}" --dist loadgroup)

echo "== Lint"
$BIN/ruff check src tests bench
$BIN/lint-imports

echo "== Tests sur SQLite"
$BIN/pytest -q -m "not postgres" "${XDIST[@]}" "$@"

echo "== Tests sur PostgreSQL"
source scripts/postgres.sh
trap pg_test_stop EXIT
pg_test_start
$BIN/pytest -q -m "not e2e" --ignore=tests/engine --ignore=tests/roleeng --ignore=tests/reliability "${XDIST[@]}" "$@"
# The reliability tests stop the database server, kill processes and race a hundred connections: beside another
# worker they would break its tests. They run alone, one after the other.
$BIN/pytest -q -m "not e2e" tests/reliability "$@"
