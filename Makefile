# Jobunivers: `make run` and `make test` set up everything they need on a fresh clone.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app wsgi
PYTEST_ARGS ?=
# pytest-xdist workers: one per core of the 2-core reference machine; each has its own database.
TEST_WORKERS ?= 2
LOCK := requirements.lock
LOCK_ARGS ?=
HOST ?= 127.0.0.1
PORT ?= 5000
MODEL_DIR ?= models/multilingual-e5-small
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export JOBUNIVERS_MODEL_PATH ?= $(abspath $(MODEL_DIR))

.PHONY: help install lock model db reference demo index run scheduler test system-deps ocr-deps lint i18n bench evaluate

help:
	@echo "make run    - set up and serve the portal at http://$(HOST):$(PORT) (SQLite, demo data, local model)"
	@echo "make test   - set up and run the whole test suite"
	@echo "make lint   - ruff (lint and format check) and mypy"
	@echo "make lock   - regenerate requirements.lock (pinned, with hashes) from pyproject.toml"

# Every third-party package comes from the lock file, pinned and checked against its hashes
# (torch's is the hash of the CPU wheel that pip's find-links provide). The project itself is then
# installed editable without resolving anything, built by the locked setuptools. The virtualenv is
# rebuilt when the lock file or pyproject.toml changes.
$(VENV)/.installed: $(LOCK) pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --disable-pip-version-check -q --require-hashes -r $(LOCK)
	$(PY) -m pip install --disable-pip-version-check -q --no-deps --no-build-isolation -e .
	@touch $@

install: $(VENV)/.installed

# Regenerates the lock file from pyproject.toml (runtime, dev and build dependencies, pip itself).
# Pins already in the lock file are kept; `make lock LOCK_ARGS=--upgrade` moves them to the newest.
lock: install
	$(VENV)/bin/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras --extra dev \
		--all-build-deps --no-emit-index-url --no-emit-find-links $(LOCK_ARGS) -o $(LOCK) pyproject.toml

model: install
	$(PY) -m recommender model build --onnx --out $(MODEL_DIR)
	$(PY) -m recommender.labels build --model $(MODEL_DIR)

db: install
	@mkdir -p instance
	$(VENV)/bin/alembic upgrade head

reference: db
	$(FLASK) reference load

demo: reference
	$(FLASK) demo seed

# Embeds new or changed postings with the real model (unchanged ones cost nothing).
index: model demo
	$(FLASK) matching index

# gunicorn (2 workers, no --preload: torch must not be loaded before the fork) plus exactly one
# scheduler process, stopped together.
run: index ocr-deps
	@echo "Jobunivers: http://$(HOST):$(PORT)  (demo logins: http://$(HOST):$(PORT)/auth/demo)"
	@$(FLASK) jobs run & scheduler=$$!; \
	trap 'kill $$scheduler 2>/dev/null' EXIT INT TERM; \
	$(VENV)/bin/gunicorn --config gunicorn.conf.py --bind $(HOST):$(PORT) wsgi:app

scheduler: install
	$(FLASK) jobs run

# Debian packages, each installed only when missing: tesseract with Danish reads scanned CVs
# (the portal and the tests), Chromium runs the browser tests.
ocr-deps:
	@{ command -v tesseract >/dev/null 2>&1 && tesseract --list-langs 2>/dev/null | grep -qx dan; } || { \
		echo "installing tesseract-ocr with Danish (Debian packages)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq tesseract-ocr tesseract-ocr-dan >/dev/null; }

system-deps: ocr-deps
	@command -v chromium >/dev/null 2>&1 || { \
		echo "installing chromium (Debian package)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

test: install model system-deps
	$(PY) -m pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

# Fails on any finding; .ci/run runs it before the tests.
lint: install
	$(VENV)/bin/ruff check app recommender consent tests
	$(VENV)/bin/ruff format --check app recommender consent tests
	$(VENV)/bin/mypy app recommender consent

i18n: install
	$(VENV)/bin/pybabel extract -F babel.cfg -k _l -k lazy_gettext --no-location --sort-output -o app/translations/messages.pot app
	$(VENV)/bin/pybabel update -i app/translations/messages.pot -d app/translations -w 100
	$(VENV)/bin/pybabel compile -d app/translations

bench: install model
	$(PY) -m recommender bench --postings 100000

# The whole evaluation (eval/ and eval/freetext/) by stratum, with 95 % intervals and ablations.
evaluate: install model
	$(PY) -m recommender evaluate --backend onnx
