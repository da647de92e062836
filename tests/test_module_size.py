"""The team's rule: no module in config/, shop/, payments/ or staff/ (their subpackages included) is
over 400 lines; one that grows past it is split along a seam. Run by `make lint`, and in the pure
layer, so a module cannot cross the line silently."""

from pathlib import Path

import pytest

pytestmark = pytest.mark.pure

ROOT = Path(__file__).resolve().parent.parent
APPS = ("config", "shop", "payments", "staff")
MAX_LINES = 400


def oversized_modules(root: Path, apps=APPS, max_lines=MAX_LINES) -> list[str]:
    """'<path>: <n> lines' for every .py file under the apps with more than `max_lines` lines."""
    found = []
    for app in apps:
        for path in sorted((root / app).rglob("*.py")):
            lines = len(path.read_text(encoding="utf-8").splitlines())
            if lines > max_lines:
                found.append(f"{path.relative_to(root)}: {lines} lines")
    return found


def test_no_module_of_the_apps_is_over_400_lines():
    oversized = oversized_modules(ROOT)
    assert not oversized, f"over {MAX_LINES} lines, split along a seam: " + "; ".join(oversized)


def test_the_check_names_a_module_over_the_limit_in_a_subpackage(tmp_path):
    (tmp_path / "payments" / "services").mkdir(parents=True)
    (tmp_path / "payments" / "services" / "big.py").write_text("x = 1\n" * (MAX_LINES + 1))
    (tmp_path / "payments" / "at_the_limit.py").write_text("x = 1\n" * MAX_LINES)
    (tmp_path / "shop").mkdir()
    (tmp_path / "shop" / "notes.txt").write_text("x\n" * 1000)  # not a module

    assert oversized_modules(tmp_path) == [f"{Path('payments/services/big.py')}: {MAX_LINES + 1} lines"]
