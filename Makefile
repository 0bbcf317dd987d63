# Two entry points on a fresh machine with Python >= 3.11 and make:
#   make demo   create .venv, install geosim, run the flagship scenario, write its report
#   make test   create .venv, install the dev extras, run the whole test suite
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
SCENARIO := scenarios/us_mexico_cartels.yaml

.PHONY: demo test lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

demo: $(VENV)/.installed
	$(BIN)/geosim run $(SCENARIO) --all-variants --runs 10000 --seed 20260105 \
		--out reports/us_mexico_cartels --force --report reports/us_mexico_cartels.html
	$(BIN)/geosim run $(SCENARIO) --engine numpy --runs 100000 --seed 20260105 \
		--out reports/us_mexico_cartels_numpy --force

test: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/python -m pytest

bench: $(VENV)/.installed-dev
	$(BIN)/python benchmarks/bench_engine.py
	$(BIN)/python benchmarks/bench_engines.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
