# podium — run `make help` for the targets.
PY ?= .venv/bin/python
VENV ?= .venv

.DEFAULT_GOAL := help
.PHONY: help install test test-fast lint typecheck format proto proto-check check bench ci

help: ## list the targets
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  %-12s %s\n", $$1, $$2}'

install: ## create .venv and install podium with its locked dependencies
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q -U pip uv
	$(VENV)/bin/uv pip install -q -p $(VENV) -r requirements.lock
	$(VENV)/bin/uv pip install -q -p $(VENV) --no-deps -e .

test: ## run the whole test suite (SQLite and PostgreSQL), in parallel
	$(VENV)/bin/pytest -n 2 --dist loadgroup -q

test-fast: ## the suite without the slow cases
	$(VENV)/bin/pytest -n 2 --dist loadgroup -q -m "not slow"

lint: ## ruff, mypy --strict and the import-linter layer contracts
	$(VENV)/bin/ruff check src tests bench scripts
	$(VENV)/bin/ruff format --check src tests bench scripts
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

format: ## format the code
	$(VENV)/bin/ruff format src tests bench scripts
	$(VENV)/bin/ruff check --fix src tests bench scripts

proto: ## regenerate src/podium/api/generated from proto/
	$(PY) scripts/generate_protos.py

proto-check: ## fail when the generated code is stale
	$(PY) scripts/generate_protos.py --check

check: lint proto-check test ## everything CI checks

bench: ## run the benchmarks (see docs/performance.md)
	$(PY) -m bench.run

ci: ## what CI runs
	bash .ci/run
