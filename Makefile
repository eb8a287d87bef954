# xinyong — run `make help` for the targets.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: help demo test lint typecheck unit browser screenshots bench-ingest bench-check clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)  ## the main job: demo province in embedded SQLite, web + API on http://127.0.0.1:8000
	$(BIN)/xinyong demo

lint: $(STAMP)  ## ruff, and the layer contracts of .importlinter (docs/architecture.md)
	$(BIN)/ruff check src tests bench tools
	$(BIN)/ruff format --check src tests bench tools
	$(BIN)/lint-imports --no-cache

typecheck: $(STAMP)  ## mypy --strict
	$(BIN)/mypy

unit: $(STAMP)  ## the test suite on SQLite and PostgreSQL (127.0.0.1:5432)
	$(BIN)/pytest -n 2 -q

browser: $(STAMP)  ## the browser tests alone (Playwright on /usr/bin/chromium), both engines
	$(BIN)/pytest -q tests/browser

screenshots: $(STAMP)  ## JPEG screenshots of every page of the browser journeys, phone and desktop, in docs/screenshots/ (committed: the pages as they look)
	rm -rf docs/screenshots
	XINYONG_SCREENSHOTS=docs/screenshots $(BIN)/pytest -q -p no:cacheprovider tests/browser -k sqlite
	@ls docs/screenshots

test: lint typecheck unit  ## everything CI runs (unit includes tests/browser)

bench-ingest: $(STAMP)  ## ingest benchmark against PostgreSQL (1,000,000 rows)
	$(BIN)/python bench/ingest.py

bench-check: $(STAMP)  ## check benchmark against PostgreSQL (1M subjects, 100k list entries; needs wrk)
	$(BIN)/python bench/check.py

clean:  ## remove the virtualenv and local state
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
