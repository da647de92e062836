"""The team's rule: no function in config/, shop/, payments/, staff/ or notifications/ is over 60
lines (decorators and docstring included); a longer one is split into named steps. Run by
`make lint`, and in the pure layer, so a function cannot cross the line silently."""

import ast
from pathlib import Path

import pytest

pytestmark = pytest.mark.pure

ROOT = Path(__file__).resolve().parent.parent
APPS = ("config", "shop", "payments", "staff", "notifications")
MAX_LINES = 60


def oversized_functions(root: Path, apps=APPS, max_lines=MAX_LINES) -> list[str]:
    """'<path>:<line> <name>: <n> lines' for every function (methods and nested ones included)
    under the apps with more than `max_lines` lines."""
    found = []
    for app in apps:
        for path in sorted((root / app).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            for node in ast.walk(tree):
                if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                    continue
                first = min([node.lineno, *(decorator.lineno for decorator in node.decorator_list)])
                lines = (node.end_lineno or node.lineno) - first + 1
                if lines > max_lines:
                    found.append(f"{path.relative_to(root)}:{node.lineno} {node.name}: {lines} lines")
    return found


def test_no_function_of_the_apps_is_over_60_lines():
    oversized = oversized_functions(ROOT)
    assert not oversized, f"over {MAX_LINES} lines, split into named steps: " + "; ".join(oversized)


def test_the_check_names_a_function_over_the_limit_and_passes_one_at_it(tmp_path):
    (tmp_path / "staff" / "views").mkdir(parents=True)
    body = "    x = 1\n"
    (tmp_path / "staff" / "views" / "long.py").write_text(
        "@decorated\ndef long():\n" + body * (MAX_LINES - 1) + "\n\ndef at_the_limit():\n" + body * (MAX_LINES - 1)
    )
    (tmp_path / "shop").mkdir()
    (tmp_path / "shop" / "notes.txt").write_text("def x():\n" + body * 100)  # not a module

    assert oversized_functions(tmp_path) == [f"{Path('staff/views/long.py')}:2 long: {MAX_LINES + 1} lines"]
