# Dela — run `make help` for the targets.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app wsgi
PORT ?= 5000
WORKERS ?= 2
PYTEST_ARGS ?=
TRANSLATIONS := app/translations
PO_FILES := $(wildcard $(TRANSLATIONS)/*/LC_MESSAGES/messages.po)
MO_FILES := $(PO_FILES:.po=.mo)

.DEFAULT_GOAL := help
.PHONY: help install install-dev run test test-fast lint format bench browser translations i18n-extract i18n-update reindex clean

help: ## List the targets
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  make %-14s %s\n", $$1, $$2}'

$(VENV)/.installed: requirements.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	@touch $@

$(VENV)/.installed-dev: requirements-dev.txt $(VENV)/.installed
	$(PY) -m pip install --quiet -r requirements-dev.txt
	@touch $@

install: $(VENV)/.installed translations ## Create .venv and install what Dela needs

install-dev: $(VENV)/.installed-dev translations ## Also install test, lint and benchmark tools

%.mo: %.po $(VENV)/.installed
	$(VENV)/bin/pybabel compile --use-fuzzy -i $< -o $@ >/dev/null

translations: $(MO_FILES) ## Compile the interface translations

run: install ## Serve Dela on http://127.0.0.1:$(PORT) with the starter method book
	$(FLASK) db upgrade
	$(FLASK) content import --if-empty
	$(FLASK) search reindex --if-needed
	$(VENV)/bin/gunicorn --workers $(WORKERS) --bind 127.0.0.1:$(PORT) --access-logfile - wsgi:app

reindex: install ## Rebuild the search index from the database (searches keep answering)
	$(FLASK) search reindex

browser: ## Install Debian's Chromium for the browser tests when it is missing
	@bash .ci/ensure-browser

test: install-dev browser ## Run the whole suite: unit, app, browser and (with TEST_DATABASE_URL) PostgreSQL
	$(PY) -m pytest $(PYTEST_ARGS)

test-fast: install-dev ## Run the suite without the browser tests
	$(PY) -m pytest -m "not browser" $(PYTEST_ARGS)

lint: install-dev ## Check the code with ruff
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install-dev ## Format the code with ruff
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

bench: install-dev ## Measure import, page rates, search (1k/10k/50k), feedback, meetings, idea books and community; writes docs/benchmarks*.md
	$(PY) bench/run.py
	$(PY) bench/search_bench.py --rounds 5 --out docs/benchmarks-search.md
	$(PY) bench/feedback_bench.py --out docs/benchmarks-feedback.md
	$(PY) bench/gallery_bench.py --out docs/benchmarks-galleries.md
	$(PY) bench/community_bench.py --out docs/benchmarks-community.md

i18n-extract: install-dev ## Collect interface strings into app/translations/messages.pot
	$(VENV)/bin/pybabel extract -F babel.cfg -k _l -k N_ --no-location --sort-output -o $(TRANSLATIONS)/messages.pot .

i18n-update: i18n-extract ## Merge new strings into the sv, da and en catalogs
	$(VENV)/bin/pybabel update -i $(TRANSLATIONS)/messages.pot -d $(TRANSLATIONS) --ignore-obsolete --no-wrap
	$(PY) -m app.i18n_tools fill-english $(TRANSLATIONS)/en/LC_MESSAGES/messages.po

clean: ## Remove generated files (not the database in instance/)
	rm -rf .pytest_cache .ruff_cache .hypothesis $(MO_FILES)
	find . -name __pycache__ -prune -exec rm -rf {} +
