# The two commands: `make run` and `make test`. Each creates .venv and installs what it needs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
# Lint tools live in their own virtualenv: Zappa packages .venv, and they must not ride along.
LINT_VENV := .venv-lint
LINT_INSTALLED := $(LINT_VENV)/.installed
# Mollie's generated SDK (conformance suite) too: it clashes with mollie-api-python's `mollie`.
CONFORMANCE_VENV := .venv-conformance
CONFORMANCE_INSTALLED := $(CONFORMANCE_VENV)/.installed

.PHONY: run lint hooks messages test test-long test-fast test-pure conformance sandbox-coverage chaos bench package rehearse audit clean alarms

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(INSTALLED): requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

$(LINT_INSTALLED): requirements.txt requirements-lint.txt
	$(PYTHON) -m venv $(LINT_VENV)
	$(LINT_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(LINT_VENV)/bin/python -m pip install --quiet -r requirements-lint.txt
	touch $@

$(CONFORMANCE_INSTALLED): requirements-conformance.txt mollie_sandbox/pyproject.toml
	$(PYTHON) -m venv $(CONFORMANCE_VENV)
	$(CONFORMANCE_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(CONFORMANCE_VENV)/bin/python -m pip install --quiet -r requirements-conformance.txt
	$(CONFORMANCE_VENV)/bin/python -m pip install --quiet --force-reinstall --no-deps \
		$$(grep '^mollie-api-py==' requirements-conformance.txt)
	touch $@

## Formatter, linter and type checker: ruff format --check, ruff check, mypy (settings in pyproject.toml);
## then no module in config/, shop/, payments/ or staff/ over 400 lines (tests/test_module_size.py)
## and no function in them or notifications/ over 60 lines (tests/test_function_size.py).
lint: $(LINT_INSTALLED) $(INSTALLED)
	$(LINT_VENV)/bin/ruff format --check .
	$(LINT_VENV)/bin/ruff check .
	$(LINT_VENV)/bin/mypy
	$(BIN)/python -m pytest -q tests/test_module_size.py tests/test_function_size.py

## Git hooks (.pre-commit-config.yaml): ruff format, ruff check and mypy on each commit, as `make lint`.
hooks: $(LINT_INSTALLED)
	$(LINT_VENV)/bin/pre-commit install

## The translation catalogs from the code: extract, merge into locale/*/LC_MESSAGES/django.po, compile
## the .mo files (Babel; no GNU gettext). Then translate the new entries and run it again (docs/i18n.md).
messages: $(INSTALLED)
	$(BIN)/python manage.py update_messages

## Start the shop at http://127.0.0.1:8000/ with its embedded local stack (moto + Mollie sandbox).
run: $(INSTALLED)
	$(BIN)/python manage.py runserver 127.0.0.1:8000

## Lint, then the whole suite (browser tests included when /usr/bin/chromium exists), on
## TEST_WORKERS processes (pytest-xdist; `auto`: one per core). Each worker starts its own moto
## and sandbox on free ports; tests that share a costly set-up stay on one worker (tests/conftest.py).
## Then the share of the apps' lines and branches the suite ran (docs/testing.md says what it leaves out),
## and the sandbox's conformance suite.
TEST_WORKERS ?= auto
test: $(INSTALLED) lint
	$(BIN)/python manage.py check
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadgroup -m "not long" --cov --cov-report=
	@echo "Coverage: $$($(BIN)/python -m coverage report --format=total)% of the apps' lines and branches (docs/testing.md)"
	$(MAKE) conformance

## The Mollie sandbox against Mollie's OpenAPI description, through both Python clients (mollie-api-python
## and the generated mollie-api-py), every answer parsed strictly. With MOLLIE_TEST_API_KEY=test_... the
## same steps run against real Mollie too: the way to catch drift (mollie_sandbox/README.md).
conformance: $(CONFORMANCE_INSTALLED)
	$(CONFORMANCE_VENV)/bin/python -m pytest -c mollie_sandbox/conformance/pytest.ini mollie_sandbox/conformance

## Which operations of Mollie's description the sandbox implements, and which not.
sandbox-coverage: $(CONFORMANCE_INSTALLED)
	$(CONFORMANCE_VENV)/bin/python -m mollie_sandbox.conformance.coverage

## The suite without the slow package test and browser tests.
test-fast: $(INSTALLED)
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadgroup -m "not slow and not browser and not long"

## The pure layer only: tests that start neither moto nor the Mollie sandbox (marker `pure`).
test-pure: $(INSTALLED)
	$(BIN)/python -m pytest -m "not stack"

## The Lambda package for ZAPPA_STAGE (default dev) in dist/, built offline: what `zappa deploy/update STAGE` uploads.
ZAPPA_STAGE ?= dev
package: $(INSTALLED)
	$(BIN)/python -m deploy.package $(ZAPPA_STAGE)

## The stage's CloudWatch alarms, their SNS topic and dashboard, created or updated (idempotent; run after
## every deploy): with the stage's environment, so its ALARM_* thresholds and STAFF_ALERT_EMAILS apply.
alarms: $(INSTALLED)
	$(BIN)/python -m deploy.run_as_stage $(ZAPPA_STAGE) $(BIN)/python manage.py sync_alarms

## The deployment guide's (docs/deploy.md) first deployment of `dev` and an update, command by command, against moto + the Mollie sandbox.
rehearse: $(INSTALLED)
	$(BIN)/python -m deploy.rehearse

## Package size and cold start (import + first request) of the `dev` package, as a ratio to a bare Django project.
.PHONY: bench-deploy
bench-deploy: $(INSTALLED)
	$(BIN)/python bench/deploy_bench.py --json artifacts/deploy-bench.json

## Hundreds of shoppers at once against the local stack with faults on, then reconciliation and the
## invariant check; prints the counts (503s by the injected fault that explains them), exits 1 if an
## invariant broke or a shopper's 503 was not got past by trying again. Logs in artifacts/chaos/.
CHAOS_SHOPPERS ?= 300
CHAOS_SEED ?= 1
chaos: $(INSTALLED)
	$(BIN)/python -m chaos.run --shoppers $(CHAOS_SHOPPERS) --seed $(CHAOS_SEED) --log-dir artifacts/chaos
	$(MAKE) test-long

## The tests of minutes that `make test` leaves out (marked `long`): the deployment guide's
## rehearsal and the 30-shopper chaos run. `make chaos` runs them after its own run.
test-long: $(INSTALLED)
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadgroup -m long

## Latency under load as ratios to a trivial view, DynamoDB/Mollie calls per request, package size and
## cold start against a bare Django project: all figures of one run in artifacts/bench.json.
bench: $(INSTALLED)
	$(BIN)/python -m bench.run

## Known vulnerabilities in the pinned dependencies (needs the advisory service; not part of `make test`).
audit: $(INSTALLED)
	$(BIN)/python -m pip install --quiet pip-audit==2.10.1
	$(BIN)/pip-audit --requirement requirements.txt --requirement requirements-dev.txt

clean:
	rm -rf $(VENV) $(LINT_VENV) $(CONFORMANCE_VENV) .pytest_cache .hypothesis .coverage .coverage.* artifacts dist staticfiles
