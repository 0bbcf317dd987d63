# Two entry points on a fresh machine with Python >= 3.11 and make:
#   make demo   create .venv, install geosim, run the flagship scenario, write its report
#   make test   create .venv, install the dev extras, run the whole test suite
# Both install the exact versions in requirements/lock.txt, the ones the suite passed with.
# Keeping the lock fresh:
#   make test-latest   the whole suite in .venv-latest with the newest versions the registry serves
#   make test-yaml-oldest   the YAML front end with the oldest PyYAML geosim supports
#   make lock          rewrite requirements/lock.txt from the newest versions (then: make test)
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
LOCK   := requirements/lock.txt
# pip itself is pinned too: it decides how the lock is read
PIP_VERSION := 26.3
SCENARIO := scenarios/us_mexico_cartels.yaml
OLDEST_PYYAML := 6.0.1

.PHONY: demo test test-peers test-slow lint bench lock test-latest test-yaml-oldest clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check pip==$(PIP_VERSION)

$(VENV)/.installed: $(BIN)/python pyproject.toml $(LOCK)
	$(BIN)/python -m pip install --quiet -c $(LOCK) -e .
	touch $@

$(VENV)/.installed-dev: $(BIN)/python pyproject.toml $(LOCK)
	$(BIN)/python -m pip install --quiet -c $(LOCK) -e '.[dev]'
	touch $@

demo: $(VENV)/.installed
	$(BIN)/geosim run $(SCENARIO) --all-variants --runs 10000 --seed 20260105 \
		--out reports/us_mexico_cartels --force --report reports/us_mexico_cartels.html
	$(BIN)/geosim run $(SCENARIO) --engine compiled --runs 100000 --seed 20260105 \
		--out reports/us_mexico_cartels_compiled --force

test: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/python -m pytest

# geosim's analysis against libraries nobody here wrote (EMA Workbench's PRIM, SALib);
# CI runs these after make test (the Sobol' check runs 409,600 runs on every core:
# ~5–10 min).
$(VENV)/.installed-peers: $(VENV)/.installed-dev
	$(BIN)/python -m pip install --quiet -c $(LOCK) -e '.[dev,peers]'
	touch $@

test-peers: $(VENV)/.installed-peers
	$(BIN)/python -m pytest -m slow -p no:cacheprovider tests/analysis/test_peers.py

test-slow: $(VENV)/.installed-peers
	$(BIN)/python -m pytest -m slow

bench: $(VENV)/.installed-dev
	$(BIN)/python benchmarks/bench_startup.py
	$(BIN)/python benchmarks/bench_loader.py
	$(BIN)/python benchmarks/bench_engine.py
	$(BIN)/python benchmarks/bench_engines.py

test-latest:
	rm -rf .venv-latest
	$(PYTHON) -m venv .venv-latest
	.venv-latest/bin/python -m pip install --quiet --upgrade pip
	.venv-latest/bin/python -m pip install --quiet --upgrade -e '.[dev,peers]'
	.venv-latest/bin/python -m pip freeze --exclude geosim > .venv-latest/versions.txt
	diff $(LOCK) .venv-latest/versions.txt | grep '^[<>]' || echo "the lock already has the newest versions"
	.venv-latest/bin/ruff check .
	.venv-latest/bin/mypy
	.venv-latest/bin/lint-imports
	.venv-latest/bin/python -m pytest
	.venv-latest/bin/python -m pytest -m slow -p no:cacheprovider tests/analysis/test_peers.py -k 'not sobol'

test-yaml-oldest: $(VENV)/.installed-dev
	rm -rf .venv/pyyaml-oldest
	$(BIN)/python -m pip install --quiet --target .venv/pyyaml-oldest pyyaml==$(OLDEST_PYYAML)
	PYTHONPATH=.venv/pyyaml-oldest $(BIN)/python -m pytest -q -p no:cacheprovider \
		tests/scenario/test_yaml_loader.py tests/scenario/test_validation_table.py \
		tests/scenario/test_editor_schema.py

lock:
	rm -rf .venv-lock
	$(PYTHON) -m venv .venv-lock
	.venv-lock/bin/python -m pip install --quiet pip==$(PIP_VERSION)
	.venv-lock/bin/python -m pip install --quiet '.[dev,peers]'
	{ echo "# Exact versions make demo / make test install (pip -c). Written by make lock on $$(date -u +%F)"; \
	  echo "# with $$(.venv-lock/bin/python --version); refresh: make test-latest, then make lock && make test."; \
	  .venv-lock/bin/python -m pip freeze --exclude geosim; } > $(LOCK).new
	mv $(LOCK).new $(LOCK)
	rm -rf .venv-lock build simulator/*.egg-info

clean:
	rm -rf $(VENV) .venv-latest .venv-lock .pytest_cache .mypy_cache .ruff_cache
