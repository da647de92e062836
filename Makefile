# The two commands: `make run` and `make test`. Each creates .venv and installs what it needs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.PHONY: run test test-fast chaos bench package audit clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(INSTALLED): requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

## Start the shop at http://127.0.0.1:8000/ with its embedded local stack (moto + Mollie sandbox).
run: $(INSTALLED)
	$(BIN)/python manage.py runserver 127.0.0.1:8000

## The whole suite (browser tests included when /usr/bin/chromium exists).
test: $(INSTALLED)
	$(BIN)/python manage.py check
	$(BIN)/python -m pytest

## The suite without the slow package test and browser tests.
test-fast: $(INSTALLED)
	$(BIN)/python -m pytest -m "not slow and not browser"

## The Lambda package for ZAPPA_STAGE (default dev) in dist/, built offline: what `zappa deploy/update STAGE` uploads.
ZAPPA_STAGE ?= dev
package: $(INSTALLED)
	$(BIN)/python -m deploy.package $(ZAPPA_STAGE)

## Known vulnerabilities in the pinned dependencies (needs the advisory service; not part of `make test`).
audit: $(INSTALLED)
	$(BIN)/python -m pip install --quiet pip-audit==2.10.1
	$(BIN)/pip-audit --requirement requirements.txt --requirement requirements-dev.txt

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis artifacts dist staticfiles
