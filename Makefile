# Two set-up commands (README): `make demo` and `make test`. Everything else is detail.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test install lint bench-engine bench-rolemining bench-cdap bench-policysync bench-scale bench-supervision bench-pdp clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q -U pip setuptools wheel
	$(BIN)/pip install -q -e '.[test,bench]'
	touch $@

install: $(BIN)/.installed

## Install, migrate a SQLite database, seed the demo network and serve it.
demo: install
	$(BIN)/habpps demo

## Install everything the tests need and run the whole suite (SQLite, then PostgreSQL, browser tests included).
test: install
	scripts/test.sh

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/lint-imports

## Benchmarks print their figures (bench/README.md); none is part of the test suite.
bench-engine: install
	$(BIN)/python bench/engine/run.py

bench-rolemining: install
	$(BIN)/python bench/rolemining/run.py

bench-cdap: install
	$(BIN)/python bench/cdap/run.py

bench-policysync: install
	$(BIN)/python bench/policysync/run.py

bench-scale: install
	$(BIN)/python bench/scale/run.py

## Decisions over HTTP (habpps pdp / serve --decisions) against a bare WSGI app, same server and wrk load.
bench-pdp: install
	scripts/system-deps.sh --bench
	$(BIN)/python bench/pdp/run.py

bench-supervision: install
	bench/supervision/run.sh

clean:
	rm -rf $(VENV) var .pytest_cache .hypothesis
