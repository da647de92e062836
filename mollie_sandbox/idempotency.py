"""Idempotency keys as Mollie documents them.

A key is remembered for one hour per API key.  The same key with the same
request replays the first answer (with ``Idempotent-Replayed: true``); the
same key with a different request is a 400; a key whose first request is
still being processed is a 409.
"""

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass

from .errors import ApiError

TTL_SECONDS = 3600
MAX_KEYS = 100_000  # keeps memory bounded even under a flood of distinct keys


@dataclass
class StoredResponse:
    status: int
    headers: list[tuple[str, str]]
    body: bytes


@dataclass
class _Entry:
    fingerprint: str
    created: float
    response: StoredResponse | None = None  # None while the first request runs


class IdempotencyCache:
    def __init__(self, ttl: float = TTL_SECONDS, max_keys: int = MAX_KEYS):
        self._ttl = ttl
        self._max_keys = max_keys
        self._lock = threading.Lock()
        # Insertion order is age order, so pruning only looks at the front.
        self._entries: OrderedDict[tuple[str, str], _Entry] = OrderedDict()

    def begin(self, scope: str, key: str, fingerprint: str) -> StoredResponse | None:
        """Claim ``key``; return a stored answer to replay, or None to go ahead.

        Raises 409 while the first request is running and 400 on a mismatch.
        """
        with self._lock:
            self._prune(time.time())
            entry = self._entries.get((scope, key))
            if entry is None:
                self._entries[(scope, key)] = _Entry(fingerprint, time.time())
                return None
            if entry.response is None:
                raise ApiError(409, "A request with this Idempotency-Key is still being processed")
            if entry.fingerprint != fingerprint:
                raise ApiError(400, "The Idempotency-Key was already used for a request with different parameters")
            return entry.response

    def complete(self, scope: str, key: str, response: StoredResponse) -> None:
        with self._lock:
            entry = self._entries.get((scope, key))
            if entry is not None:
                entry.response = response

    def abandon(self, scope: str, key: str) -> None:
        """Forget a claim whose request did not run (5xx): a retry may try again."""
        with self._lock:
            entry = self._entries.get((scope, key))
            if entry is not None and entry.response is None:
                del self._entries[(scope, key)]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def prune(self) -> None:
        with self._lock:
            self._prune(time.time())

    def _prune(self, now: float) -> None:
        while self._entries:
            oldest_key, oldest = next(iter(self._entries.items()))
            expired = now - oldest.created > self._ttl
            if not expired and len(self._entries) <= self._max_keys:
                break
            del self._entries[oldest_key]
