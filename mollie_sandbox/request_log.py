"""The Mollie API requests the sandbox received, those still being answered included.

It lets a test see that a call is in flight (held by the ``api_latency_ms`` fault, say) before
it acts on that, instead of sleeping and hoping.
"""

import itertools
import threading
import time
from collections import deque

from .formats import iso

LOG_LIMIT = 10_000


class RequestLog:
    def __init__(self, limit: int = LOG_LIMIT):
        self._lock = threading.Lock()
        self._entries: deque[dict] = deque(maxlen=limit)
        self._numbers = itertools.count(1)

    def received(self, method: str, path: str) -> dict:
        entry = {
            "request": next(self._numbers),
            "method": method,
            "path": path,
            "receivedAt": iso(time.time(), precise=True),
            "answeredAt": None,
            "status": None,
        }
        with self._lock:
            self._entries.append(entry)
        return entry

    def answered(self, entry: dict, status: int) -> None:
        with self._lock:
            entry["status"] = status
            entry["answeredAt"] = iso(time.time(), precise=True)

    def entries(self, in_flight: bool | None = None) -> list[dict]:
        """Oldest first; ``in_flight`` True or False keeps only the unanswered or answered ones."""
        with self._lock:
            return [dict(e) for e in self._entries if in_flight is None or (e["status"] is None) == in_flight]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
