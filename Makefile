# make demo: run a whole mission on this machine (make demo WAREHOUSE=postgres: on a PostgreSQL
# server the demo starts and stops).  make test: every test, lint and type check.
PYTHON ?= python3
WAREHOUSE ?=
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test test-fast lint typecheck bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,data]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/python scripts/demo.py $(if $(WAREHOUSE),--warehouse $(WAREHOUSE))

test: $(STAMP) lint typecheck
	$(BIN)/python -m pytest -n 2 -q

test-fast: $(STAMP)
	$(BIN)/python -m pytest -n 2 -q -m "not slow"

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks scripts
	$(BIN)/ruff format --check src tests benchmarks scripts
	$(BIN)/python scripts/import_cycles.py src

typecheck: $(STAMP)
	$(BIN)/mypy

bench: $(STAMP)
	for script in benchmarks/bench_*.py; do $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) .missionkit .pytest_cache .mypy_cache .ruff_cache
