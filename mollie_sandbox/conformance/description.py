"""Mollie's OpenAPI description, as the generated SDK ``mollie-api-py`` carries it in code.

Mollie publishes the description at github.com/mollie/openapi (``specs.yaml``, no licence: read,
never copied here). ``mollie-api-py`` is generated from it: one method per operation, one pydantic
model per schema. This module reads the operations out of the installed SDK at run time, so the
coverage report and the response check follow the description whenever the SDK is upgraded.
"""

import ast
import importlib
import inspect
import pkgutil
import re
from dataclasses import dataclass
from functools import cache


@dataclass(frozen=True)
class Operation:
    operation_id: str  # e.g. "create-payment"
    method: str  # "POST"
    path: str  # "/v2/payments/{paymentId}"
    sdk_call: str  # e.g. "payments.create"
    success_status: str  # "200", "201", "204" or "2XX"
    response_model: str | None  # the success body's model in mollie.models, None for no body

    def matches(self, method: str, path: str) -> bool:
        return method == self.method and _template_pattern(self.path).fullmatch(path) is not None


@cache
def _template_pattern(template: str) -> re.Pattern:
    return re.compile(re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)))


def _string_keyword(call: ast.Call, name: str) -> str | None:
    for keyword in call.keywords:
        if keyword.arg == name and isinstance(keyword.value, ast.Constant):
            return keyword.value.value
    return None


def _operation_of(sdk_call: str, function: ast.FunctionDef) -> Operation | None:
    method = path = operation_id = None
    success_status, response_model = "2XX", None
    for node in ast.walk(function):
        if not isinstance(node, ast.Call):
            continue
        method = method or _string_keyword(node, "method")
        path = path or _string_keyword(node, "path")
        operation_id = operation_id or _string_keyword(node, "operation_id")
        callee = ast.unparse(node.func)
        if callee == "utils.match_response" and success_status == "2XX" and len(node.args) > 1:
            status = ast.literal_eval(node.args[1]) if isinstance(node.args[1], ast.Constant) else None
            if isinstance(status, str) and status.startswith("2"):
                success_status = status
        if callee == "unmarshal_json_response" and response_model is None:
            model = ast.unparse(node.args[0]).removeprefix("models.")
            if model != "ErrorResponseData":
                response_model = model
    if not (method and path and operation_id):
        return None
    return Operation(operation_id, method, path, sdk_call, success_status, response_model)


@cache
def operations() -> tuple[Operation, ...]:
    """Every operation of the description, one per SDK method (async twins left out)."""
    import mollie  # the generated SDK

    found: dict[str, Operation] = {}
    for module_info in pkgutil.iter_modules(mollie.__path__):
        if module_info.ispkg or module_info.name.startswith("_"):
            continue
        module = importlib.import_module(f"mollie.{module_info.name}")
        tree = ast.parse(inspect.getsource(module))
        for resource in (node for node in tree.body if isinstance(node, ast.ClassDef)):
            for function in resource.body:
                if not isinstance(function, ast.FunctionDef) or function.name.startswith("_"):
                    continue
                resource_name = module_info.name.removesuffix("_sdk")
                operation = _operation_of(f"{resource_name}.{function.name}", function)
                if operation is not None:
                    found.setdefault(operation.operation_id, operation)
    return tuple(sorted(found.values(), key=lambda operation: (operation.path, operation.method)))


def operation_for(method: str, path: str) -> Operation | None:
    """The operation a request was for: ``GET /v2/payments/tr_x`` -> get-payment."""
    candidates = [operation for operation in operations() if operation.matches(method, path)]
    # A fixed segment beats a placeholder: /v2/methods/all is list-all-methods, not get-method.
    candidates.sort(key=lambda operation: operation.path.count("{"))
    return candidates[0] if candidates else None
