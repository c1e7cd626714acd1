# Two set-up commands (README): `make demo` and `make test`. Everything else is detail.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test install lint bench-engine clean

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

bench-engine: install
	$(BIN)/python bench/engine/run.py

clean:
	rm -rf $(VENV) var .pytest_cache .hypothesis
