# Gapmap. `make run` starts everything on SQLite and an embedded broker; `make test` runs the suite.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=
# uv itself is pinned here; everything else is pinned in uv.lock (see README, "Dependencies").
UV_VERSION := 0.13.9
UV := $(BIN)/uv
# Links in e-mails and the printed login hint point at the server `make run` starts.
export SITE_URL ?= http://$(HOST):$(PORT)

.PHONY: run test install install-dev db lint lock-check bench load clean

$(BIN)/python:
	@py=$$(scripts/find-python) || exit 1; \
	echo "Creating $(VENV) with $$py ($$($$py --version))"; \
	"$$py" -m venv $(VENV) && $(BIN)/python -m pip install --quiet --upgrade pip uv==$(UV_VERSION)

# Exactly the versions in uv.lock: --frozen installs from the lock without re-resolving, and
# fails if pyproject.toml names a dependency the lock lacks (`make lock-check` says more).
$(VENV)/.installed: pyproject.toml uv.lock | $(BIN)/python
	$(UV) export --frozen --no-hashes --no-emit-project --quiet -o $(VENV)/requirements.txt
	$(UV) pip install --python $(BIN)/python --quiet -r $(VENV)/requirements.txt
	@touch $@

$(VENV)/.installed-dev: pyproject.toml uv.lock | $(BIN)/python
	$(UV) export --frozen --no-hashes --no-emit-project --extra dev --quiet -o $(VENV)/requirements-dev.txt
	$(UV) pip install --python $(BIN)/python --quiet -r $(VENV)/requirements-dev.txt
	@touch $(VENV)/.installed $@

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev

db: install
	@mkdir -p var/broker/queue var/broker/processed var/broker/control
	$(MANAGE) migrate --noinput
	$(MANAGE) import_curriculum curriculum/default_curriculum.yaml
	$(MANAGE) seed_demo

run: db
	@echo
	@echo "Gapmap is starting at http://$(HOST):$(PORT)/  (web + Celery worker + beat; Ctrl-C stops all)"
	@echo
	@BIN=$(BIN) HOST=$(HOST) PORT=$(PORT) scripts/run

test: install-dev
	scripts/ensure-test-tools
	$(BIN)/python -m pytest -n auto --dist loadgroup $(PYTEST_ARGS)

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Fails when uv.lock no longer matches pyproject.toml (CI runs it; `uv lock` updates the lock).
lock-check: | $(BIN)/python
	$(UV) lock --check

# Benchmarks at 1x and 10x data, on PostgreSQL when one answers on 127.0.0.1:5432 (else SQLite):
# numbers are reported (tests/benchmarks/results.md), never asserted. BENCH_SCALE, BENCH_QUICK,
# BENCH_ONLY and BENCH_DATABASE_URL are read by the script (its docstring says more).
bench: install-dev
	$(BIN)/python tests/benchmarks/bench.py

# Load test on the 10x world: two gunicorns, two Celery workers and beat on one PostgreSQL and
# one Redis, all on loopback, driven by browser-like sessions for LOAD_SECONDS (60).
load: install-dev
	$(BIN)/python tests/benchmarks/load.py

clean:
	rm -rf var $(VENV)
