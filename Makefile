# podium — run `make help` for the targets.
PY ?= .venv/bin/python
VENV ?= .venv

.DEFAULT_GOAL := help
STAMP := $(VENV)/.installed

.PHONY: help install demo test test-fast lint format proto proto-check check bench bench-quick ci

help: ## list the targets
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  %-12s %s\n", $$1, $$2}'

$(STAMP): requirements.lock pyproject.toml
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q -U pip uv
	$(VENV)/bin/uv pip install -q -p $(VENV) -r requirements.lock
	$(VENV)/bin/uv pip install -q -p $(VENV) --no-deps -e .
	touch $(STAMP)

install: $(STAMP) ## create .venv with podium and its locked dependencies (once)

demo: $(STAMP) ## run a federated training on a local network of real processes
	$(VENV)/bin/podium demo

test: $(STAMP) ## run the whole test suite (SQLite and PostgreSQL), in parallel
	$(VENV)/bin/pytest -n 2 --dist loadgroup -q

test-fast: $(STAMP) ## the suite without the slow cases
	$(VENV)/bin/pytest -n 2 --dist loadgroup -q -m "not slow"

lint: $(STAMP) ## ruff, mypy --strict and the import-linter layer contracts
	$(VENV)/bin/ruff check src tests bench scripts
	$(VENV)/bin/ruff format --check src tests bench scripts
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

format: $(STAMP) ## format the code
	$(VENV)/bin/ruff format src tests bench scripts
	$(VENV)/bin/ruff check --fix src tests bench scripts

proto: $(STAMP) ## regenerate src/podium/api/generated from proto/
	$(PY) scripts/generate_protos.py

proto-check: $(STAMP) ## fail when the generated code is stale
	$(PY) scripts/generate_protos.py --check

check: lint proto-check test ## everything CI checks

bench: $(STAMP) ## run the benchmarks (see docs/performance.md)
	$(PY) -m bench.run

bench-quick: $(STAMP) ## the benchmarks in under two minutes
	$(PY) -m bench.run --quick

ci: ## what CI runs
	bash .ci/run
