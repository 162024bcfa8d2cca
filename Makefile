# Dalil: two commands set everything up on a fresh machine.
#   make demo   creates .venv, installs Dalil, builds the Tadamon demo case and serves it
#   make test   installs what the tests need, then runs ruff, mypy and the whole pytest suite
# Everything is installed from this repository's own files (pyproject.toml, constraints.txt).

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
DEMO_HOME ?= $(CURDIR)/.dalil-demo
DEMO_PORT ?= 8000
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml constraints.txt | sha256sum | cut -c1-12)

.PHONY: demo test lint typecheck pytest install clean browser

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24"

$(STAMP): $(BIN)/python pyproject.toml constraints.txt
	$(BIN)/pip install --quiet -c constraints.txt -e ".[dev]"
	rm -f $(VENV)/.installed-*
	touch $@

install: $(STAMP)

demo: install
	$(BIN)/dalil demo --home "$(DEMO_HOME)"
	@echo
	@echo "The dalil command is in $(BIN): export PATH=\"$(CURDIR)/$(BIN):\$$PATH\""
	@echo "Serving the demo on http://127.0.0.1:$(DEMO_PORT)/ (Ctrl-C stops it)"
	$(BIN)/dalil serve --home "$(DEMO_HOME)" --port $(DEMO_PORT)

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: install
	$(BIN)/mypy

# The browser tests drive Debian's chromium through Playwright: installed from Debian's packages,
# never a browser downloaded by a test tool.
browser:
	@test -x /usr/bin/chromium || { echo "installing Debian's chromium for the browser tests"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) \
	  || (sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium); }

# One pytest worker per core (pytest-xdist); each worker makes its own PostgreSQL databases.
# PYTEST_ARGS="-n 0" runs in one process.
pytest: install browser
	$(BIN)/pytest -n auto $(PYTEST_ARGS)

test: lint typecheck pytest

clean:
	rm -rf $(VENV) .dalil-demo .pytest_cache .mypy_cache .ruff_cache
