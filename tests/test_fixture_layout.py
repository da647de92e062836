"""Shared fixtures come from tests/fixtures/ through `pytest_plugins`: no test module imports a
conftest.py (pytest may import a conftest twice, and a fixture imported by hand needs a noqa)."""

import ast
from pathlib import Path

import pytest

pytestmark = pytest.mark.pure

TESTS = Path(__file__).resolve().parent


def _imported_modules(path):
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.ImportFrom):
            yield "." * node.level + (node.module or "")
        elif isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)


def test_no_test_module_imports_a_conftest():
    importing = sorted(
        str(path.relative_to(TESTS))
        for path in TESTS.rglob("*.py")
        if any(module.rpartition(".")[2] == "conftest" for module in _imported_modules(path))
    )

    assert importing == [], "import helpers from tests/fixtures/ instead"
