"""The strict check: a response must be what Mollie's description says, to the letter.

The generated SDK parses leniently on purpose (unknown enum values and extra fields pass, so a new
Mollie field does not break a shop). Here every answer is parsed again by the same generated model
in pydantic's strict mode: a required field left out, a value outside its enum or a wrong type (a
number for a string, a string for a boolean) fails the check. Fields the description does not
name are let through, as the SDK does: Mollie itself answers some (a chargeback's
``settlementAmount``, ``_links.documentation`` of listed items), so refusing them would fail
real Mollie too.
"""

import json
from dataclasses import dataclass, field

import pydantic

from .description import Operation, operation_for


class NotAsDescribed(AssertionError):
    """A response that Mollie's description would not allow."""


# Error bodies follow the description's "error-response" schema (ErrorResponseData in the SDK).
ERROR_MODEL = "ErrorResponseData"


def model_named(name: str) -> type[pydantic.BaseModel]:
    from mollie import models  # the generated SDK

    return getattr(models, name)


def check_body(model_name: str, body: str | bytes, where: str = "") -> pydantic.BaseModel:
    """Parse ``body`` with the description's model, strictly; raise NotAsDescribed if it is not."""
    model = model_named(model_name)
    try:
        return model.model_validate_json(body, strict=True)
    except pydantic.ValidationError as error:
        problems = "\n".join(
            f"  {'.'.join(str(part) for part in problem['loc'])}: {problem['msg']} (got {problem.get('input')!r:.80})"
            for problem in error.errors()
        )
        raise NotAsDescribed(f"{where} is not a {model_name} as Mollie's description has it:\n{problems}") from None


@dataclass
class Exchange:
    method: str
    path: str
    status: int
    content_type: str
    body: bytes


@dataclass
class ResponseCheck:
    """Collects every API answer a client received, and checks each against the description."""

    exchanges: list[Exchange] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)

    def record(self, method: str, path: str, status: int, content_type: str, body: bytes) -> None:
        self.exchanges.append(Exchange(method, path, status, content_type, body))

    def check_all(self) -> None:
        failures = []
        for exchange in self.exchanges:
            try:
                self.checked.append(self.check(exchange))
            except NotAsDescribed as failure:
                failures.append(str(failure))
        self.exchanges.clear()
        if failures:
            raise NotAsDescribed("\n\n".join(failures))

    @staticmethod
    def check(exchange: Exchange) -> str:
        where = f"{exchange.method} {exchange.path} -> {exchange.status}"
        operation: Operation | None = operation_for(exchange.method, exchange.path)
        if operation is None:
            raise NotAsDescribed(f"{where}: no operation of the description has this method and path")
        if exchange.status >= 400:
            # Mollie's errors are application/hal+json with the error-response fields.
            if exchange.content_type.split(";")[0] != "application/hal+json":
                raise NotAsDescribed(f"{where}: an error served as {exchange.content_type!r}")
            check_body(ERROR_MODEL, exchange.body, where)
            return f"{operation.operation_id} {exchange.status} (error)"
        if operation.response_model is None:
            if exchange.body.strip():
                raise NotAsDescribed(f"{where}: the description has no body here, got {exchange.body[:80]!r}")
            return f"{operation.operation_id} {exchange.status}"
        expected = operation.success_status
        if not (expected.endswith("XX") or str(exchange.status) == expected):
            raise NotAsDescribed(f"{where}: the description answers {expected}")
        check_body(operation.response_model, exchange.body, where)
        return f"{operation.operation_id} {exchange.status}"


def decode(body: bytes):
    return json.loads(body) if body.strip() else None
