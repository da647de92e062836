"""Which operations of Mollie's description the sandbox implements: ``make sandbox-coverage``.

The operations come from the generated SDK at run time (one method per operation), the sandbox's
from its own routing table, so the report follows both without a list kept by hand.
"""

import re
import sys
from dataclasses import dataclass

from werkzeug.exceptions import MethodNotAllowed, NotFound

from mollie_sandbox.server import SandboxApp

from .description import Operation, operations


@dataclass(frozen=True)
class Coverage:
    implemented: tuple[Operation, ...]
    missing: tuple[Operation, ...]
    invented: tuple[str, ...]  # sandbox routes under /v2 that no operation of the description has


def _example_path(template: str) -> str:
    return re.sub(r"\{[^}]+\}", "x1", template)


def _shape(path: str) -> str:
    """``/v2/payments/{paymentId}`` and ``/v2/payments/<payment_id>`` -> ``/v2/payments/{}``."""
    return re.sub(r"\{[^}]+\}|<[^>]+>", "{}", path)


def sandbox_implements(app: SandboxApp, operation: Operation) -> bool:
    adapter = app.url_map.bind("sandbox.local")
    try:
        rule, _arguments = adapter.match(_example_path(operation.path), operation.method, return_rule=True)
    except (NotFound, MethodNotAllowed):
        return False
    # The same shape, not just a match: /v2/methods/all is not get-method with the id "all".
    return rule.endpoint[0] == "api" and _shape(rule.rule) == _shape(operation.path)


def coverage() -> Coverage:
    app = SandboxApp()
    implemented, missing = [], []
    for operation in operations():
        (implemented if sandbox_implements(app, operation) else missing).append(operation)
    described = operations()
    invented = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint[0] != "api":
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            same = (op for op in described if op.method == method and _shape(op.path) == _shape(rule.rule))
            if next(same, None) is None:
                invented.append(f"{method} {rule.rule}")
    return Coverage(tuple(implemented), tuple(missing), tuple(invented))


def report(result: Coverage) -> str:
    total = len(result.implemented) + len(result.missing)
    lines = [f"Mollie sandbox: {len(result.implemented)} of the description's {total} operations", ""]
    for title, group in (("Implemented", result.implemented), ("Not implemented", result.missing)):
        lines.append(f"{title} ({len(group)}):")
        lines += [f"  {op.method:6} {op.path:62} {op.operation_id} ({op.sdk_call})" for op in group]
        lines.append("")
    if result.invented:
        lines.append("Routes under /v2 that the description does not have:")
        lines += [f"  {route}" for route in result.invented]
    return "\n".join(lines)


def main() -> int:
    result = coverage()
    print(report(result))
    return 1 if result.invented else 0


if __name__ == "__main__":
    sys.exit(main())
