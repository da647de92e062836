"""The merge rules stay pure: payments/services/merge.py, and every module it imports, import
nothing that talks to DynamoDB, Mollie, SES or the network. Read from the source (the package's
__init__ imports everything, so a plain import would prove nothing).

The item classes (`*.models`) are data merge reads and builds; their I/O is the methods (save,
get) that only the write path calls, so the walk does not follow their imports (PynamoDB's
connection set-up in config.dynamodb)."""

import ast
from pathlib import Path

import pytest

pytestmark = pytest.mark.pure

ROOT = Path(__file__).resolve().parents[2]
PROJECT = {"config", "payments", "notifications", "shop", "staff"}
# Libraries, and modules of ours, whose import means the importer may do I/O.
DOES_IO = (
    "boto3",
    "botocore",
    "pynamodb.connection",
    "pynamodb.transactions",
    "requests",
    "urllib3",
    "mollie",
    "socket",
    "smtplib",
    "django.core.mail",
    "anymail",
    "payments.mollie",
    "payments.selectors",
    "payments.services.writes",
    "notifications.services",
    "notifications.ses",
    "config.dynamodb",
    "config.aws_session",
)


def _source(module):
    base = ROOT / module.replace(".", "/")
    for path in (base.with_suffix(".py"), base / "__init__.py"):
        if path.exists():
            return path
    return None


def _imports(module):
    """What `module` imports at run time (an `if TYPE_CHECKING:` block is for the type checker)."""
    tree = ast.parse(_source(module).read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            node.body = []
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names if _source(f"{node.module}.{alias.name}")}
    return found


def io_imports_reached(start):
    """{module of ours reached from `start`: the I/O modules it imports}, models not looked into."""
    reached, pending, io = set(), [start], {}
    while pending:
        module = pending.pop()
        if module in reached:
            continue
        reached.add(module)
        if module.endswith(".models"):
            continue
        imported = _imports(module)
        doing_io = sorted(name for name in imported if name.startswith(DOES_IO))
        if doing_io:
            io[module] = doing_io
        pending += [name for name in imported if name.split(".")[0] in PROJECT and _source(name)]
    return io


def test_the_merge_rules_import_nothing_that_does_io():
    assert io_imports_reached("payments.services.merge") == {}


def test_the_walk_finds_io_where_there_is_some():
    reached = io_imports_reached("payments.services.sync")

    assert "payments.services.writes" in reached["payments.services.sync"]
    assert "pynamodb.transactions" in reached["payments.services.writes"]
