#!/usr/bin/env bash
# A throw-away PostgreSQL server for the tests: `source scripts/postgres.sh; pg_test_start` initialises a data
# directory in a temporary folder, starts the server on a free local port and exports DATABASE_URL;
# `pg_test_stop` stops it and deletes everything. PostgreSQL refuses to run as root: as root, the server runs as
# the unprivileged user `nobody`.

pg_bin_dir() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -n "$dir" ]; then
    echo "$dir"
  else
    dirname "$(command -v initdb)"
  fi
}

pg_free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

pg_as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u nobody -- "$@"
  else
    "$@"
  fi
}

pg_test_start() {
  local bin
  bin=$(pg_bin_dir)
  PG_TEST_DIR=$(mktemp -d /tmp/habpps-pg.XXXXXX)
  PG_TEST_PORT=$(pg_free_port)
  if [ "$(id -u)" -eq 0 ]; then
    chown nobody "$PG_TEST_DIR"
  fi
  pg_as_owner "$bin/initdb" -D "$PG_TEST_DIR/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
  # Durability is irrelevant for a throw-away test server; speed is not.
  pg_as_owner "$bin/pg_ctl" -D "$PG_TEST_DIR/data" -l "$PG_TEST_DIR/server.log" -w start -o \
    "-p $PG_TEST_PORT -k $PG_TEST_DIR -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
    >/dev/null
  export PG_TEST_DIR PG_TEST_PORT
  export DATABASE_URL="postgres://postgres@127.0.0.1:$PG_TEST_PORT/habpps"
  echo "PostgreSQL de test démarré sur le port $PG_TEST_PORT ($PG_TEST_DIR)"
}

pg_test_stop() {
  if [ -n "${PG_TEST_DIR:-}" ] && [ -d "$PG_TEST_DIR/data" ]; then
    pg_as_owner "$(pg_bin_dir)/pg_ctl" -D "$PG_TEST_DIR/data" -m immediate -w stop >/dev/null 2>&1 || true
    rm -rf "$PG_TEST_DIR"
  fi
}
