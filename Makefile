# The two commands that matter: `make run` and `make test`. See README.md.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
OWNER_DATABASE_URL ?= postgres://safeguarding@127.0.0.1:5432/safeguarding
APP_DATABASE_URL ?= postgres://safeguarding_app@127.0.0.1:5432/safeguarding
PYTEST_ARGS ?=

.PHONY: help install install-dev services migrate collectstatic seed run stop test test-fast lint bench browser

help:
	@echo "make run    install, start Postgres and Redis, migrate, seed, serve on http://127.0.0.1:8000"
	@echo "make stop   stop what make run started"
	@echo "make test   install and run the whole suite"
	@echo "make test-fast  the suite without the browser and Celery-worker tests (the edit loop)"
	@echo "make lint   ruff, ruff format, import layers, mypy, migrations, deploy check, bandit, pip-audit"
	@echo "make bench  benchmarks (results in benchmarks/results.json, summary in docs/benchmarks.md)"

# Two stamps in the (possibly shared) venv: the runtime packages (make run) and the development
# tools on top (make test, lint, bench). Each is redone when a file it installs from is newer;
# installing the development set installs the runtime too, so it refreshes both stamps.
RUNTIME_STAMP := $(VENV)/.installed-runtime
DEV_STAMP := $(VENV)/.installed-dev

$(RUNTIME_STAMP): requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(DEV_STAMP): requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@ $(RUNTIME_STAMP)

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: $(RUNTIME_STAMP) node_modules/.installed

install-dev: $(DEV_STAMP) node_modules/.installed

browser:
	@command -v chromium >/dev/null 2>&1 || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null)

services:
	bash scripts/services.sh

migrate: install services
	DATABASE_URL=$(OWNER_DATABASE_URL) $(PY) manage.py migrate --noinput

collectstatic: install
	$(PY) manage.py collectstatic --noinput --verbosity 0

seed: migrate
	DATABASE_URL=$(APP_DATABASE_URL) $(PY) manage.py seed_demo

run: migrate collectstatic seed
	DATABASE_URL=$(APP_DATABASE_URL) bash scripts/run.sh

stop:
	bash scripts/stop.sh

test: install-dev services browser
	bash scripts/test.sh $(PYTEST_ARGS)

test-fast: install-dev services
	bash scripts/test.sh -m "not browser and not worker" $(PYTEST_ARGS)

lint: install-dev services
	bash scripts/lint.sh

bench: install-dev services
	$(PY) benchmarks/run.py
