"""Page cursors for the orders list: DynamoDB's start key, signed, and bound to its query.

The cursor goes into the query string, so it is signed (staff cannot hand-craft a start key)
and carries the filter's fingerprint (a cursor from another filter would resume a different
query at a meaningless place).
"""

from django.core import signing

_SALT = "staff.orders.cursor"


class InvalidCursor(Exception):
    pass


def make_cursor(start_key: dict, order_filter) -> str:
    return signing.dumps({"key": start_key, "filter": order_filter.fingerprint()}, salt=_SALT, compress=True)


def read_cursor(cursor: str, order_filter) -> dict:
    try:
        content = signing.loads(cursor, salt=_SALT)
    except signing.BadSignature as error:
        raise InvalidCursor("not a cursor we made") from error
    if not isinstance(content, dict) or content.get("filter") != order_filter.fingerprint():
        raise InvalidCursor("a cursor for another filter")
    return content["key"]
