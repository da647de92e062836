"""Shared test fixtures: one moto server and one Mollie sandbox per test session, on loopback.

Two layers of tests:
- stack tests (the default, marked `stack` automatically) run end to end against moto and the
  Mollie sandbox. The tables are created once and emptied after every test, so test order never
  matters; the sandbox is reset between tests that use it.
- pure tests need no server. A module declares itself pure with `pytestmark = pytest.mark.pure`
  (or one test with `@pytest.mark.pure`). It then gets no tables, and starting moto or the
  sandbox, or reaching DynamoDB or Mollie, fails the test. `pytest -m "not stack"` (make
  test-pure) runs only this layer.
"""

import os

import pytest

# Fixture modules hold asserts too; imported here before pytest loads them as plugins.
pytest.register_assert_rewrite("tests.fixtures")

from tests.fixtures.stack import SERVER_FIXTURES, UNREACHABLE  # noqa: E402

# Test settings: local stage, no real AWS or Mollie. Set before Django reads its settings.
os.environ.setdefault("STAGE", "local")
os.environ.setdefault("DJANGO_DEBUG", "false")
os.environ.setdefault("DJANGO_SECRET_KEY", "test-secret-key-not-for-production-" + "x" * 20)
os.environ.setdefault("AWS_ACCESS_KEY_ID", "local")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "local")
os.environ.setdefault("AWS_DEFAULT_REGION", "eu-west-1")
# Webhooks from the test sandbox must never reach a shop someone runs on :8000.
os.environ.setdefault("PUBLIC_BASE_URL", UNREACHABLE)

pytest_plugins = [
    "tests.fixtures.stack",
    "tests.fixtures.sandbox",
    "tests.fixtures.shopper",
    "tests.fixtures.faults",
    "tests.fixtures.logs",
    "tests.fixtures.staff",
    "tests.fixtures.orders",
    "tests.fixtures.stage_process",
    "tests.fixtures.dev_stage",
]


# First: pytest-xdist reads the `xdist_group` marks in its own hook of this name, and without
# `tryfirst` it ran before this one, saw none, and split every shared set-up over both workers
# (each built the Zappa package and deployed its stage).
@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.get_closest_marker("pure") is None:
            item.add_marker(pytest.mark.stack)
        elif servers := SERVER_FIXTURES.intersection(item.fixturenames):
            raise pytest.UsageError(f"{item.nodeid} is marked pure but starts {', '.join(sorted(servers))}")
        if group := _shared_setup(item):
            item.add_marker(pytest.mark.xdist_group(group))


def _shared_setup(item):
    """Under pytest-xdist (`make test` runs `--dist loadgroup`), tests that share a costly set-up
    run on one worker, so that it is built once: the Zappa package, and each module's own stack.
    Session fixtures such as moto and the sandbox are started once per worker."""
    if "dev_package" in item.fixturenames:
        return "dev_package"
    fixture_definitions = item._fixtureinfo.name2fixturedefs.values()
    if any(definition.scope == "module" for definitions in fixture_definitions for definition in definitions):
        return item.module.__name__
    return None
