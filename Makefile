# `make demo` and `make test` each set everything up on a fresh clone:
# one virtual environment, every distribution under core/, plugins/ and
# contrib/ installed editable into it.

PYTHON ?= python3
BENCH_N ?= 100000
BENCH_DATABASE ?=
VENV := .venv
BIN := $(VENV)/bin
DISTS := core $(wildcard plugins/*/pyproject.toml) $(wildcard contrib/*/pyproject.toml)
DIST_DIRS := core $(patsubst %/pyproject.toml,%,$(wildcard plugins/*/pyproject.toml contrib/*/pyproject.toml))
STAMP := $(VENV)/.installed
COMMA := ,

.PHONY: setup demo test test-sqlite bench clean

setup: $(STAMP)

$(STAMP): core/pyproject.toml $(wildcard plugins/*/pyproject.toml) $(wildcard contrib/*/pyproject.toml) requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet $(foreach d,$(DIST_DIRS),-e ./$(d)$(if $(filter core,$(d)),[postgres$(COMMA)web])) -r requirements-dev.txt
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/guanxi demo --dir demo $(DEMO_ARGS)

test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# BENCH_N (default 100000) and BENCH_DATABASE (a PostgreSQL URL; default
# SQLite in a temporary directory) pass through; see docs/performance.md.
bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -r benchmarks/requirements.txt
	BENCH_N="$(BENCH_N)" BENCH_DATABASE="$(BENCH_DATABASE)" $(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) demo
