"""Errors in the shape Mollie answers them.

Every error body is ``{"status", "title", "detail", "field"?, "_links":
{"documentation": ...}}`` served as ``application/hal+json``; the client
raises its exception classes from the ``status`` inside the body.
"""

TITLES = {
    400: "Bad Request",
    401: "Unauthorized Request",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    415: "Unsupported Media Type",
    422: "Unprocessable Entity",
    429: "Too Many Requests",
    500: "Internal Server Error",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}

ERRORS_DOC = "https://docs.mollie.com/errors"
AUTH_DOC = "https://docs.mollie.com/guides/authentication"


class ApiError(Exception):
    """Raised anywhere in request handling; rendered as a Mollie error body."""

    def __init__(self, status: int, detail: str, field: str | None = None, doc: str = ERRORS_DOC):
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.field = field
        self.doc = doc

    def body(self) -> dict:
        body = {
            "status": self.status,
            "title": TITLES.get(self.status, "Error"),
            "detail": self.detail,
        }
        if self.field is not None:
            body["field"] = self.field
        body["_links"] = {"documentation": {"href": self.doc, "type": "text/html"}}
        return body


def unauthorized() -> ApiError:
    # Same detail and documentation link as Mollie's own 401 body.
    return ApiError(401, "Missing authentication, or failed to authenticate", doc=AUTH_DOC)


def unprocessable(detail: str, field: str | None = None) -> ApiError:
    return ApiError(422, detail, field)


def not_found(kind: str, token: str) -> ApiError:
    return ApiError(404, f"No {kind} exists with token {token}.")
