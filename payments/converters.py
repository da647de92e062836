"""The order id as a URL path converter: a malformed id never reaches a view (it is a 404)."""

import re

ORDER_ID_REGEX = r"SO-[0-9A-F]{5}-[0-9A-F]{5}"
ORDER_ID_PATTERN = re.compile(rf"^{ORDER_ID_REGEX}$")


class OrderIdConverter:
    regex = ORDER_ID_REGEX

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value
