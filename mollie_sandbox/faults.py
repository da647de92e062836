"""Fault injection switches, shared by the API layer and the webhook sender.

All random decisions go through one ``random.Random`` under a lock, so that a
test which sets ``seed`` and then makes the same calls in the same order sees
the same faults again.
"""

import random
import threading

RATES = (
    "api_error_rate",
    "api_rate_limit_rate",
    "api_lost_answer_rate",
    "capture_failure_rate",
    "capture_lost_answer_rate",
    "webhook_drop_rate",
    "webhook_duplicate_rate",
    "webhook_out_of_order_rate",
)
DURATIONS_MS = ("api_latency_ms", "webhook_delay_ms")
DEFAULTS = {**dict.fromkeys(RATES, 0.0), **dict.fromkeys(DURATIONS_MS, 0), "seed": None}


class FaultError(ValueError):
    """An invalid fault setting; ``field`` names it (answered as 422)."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


def _clean(name: str, value):
    if name not in DEFAULTS:
        raise FaultError(name, f"Unknown fault '{name}'; known: {', '.join(DEFAULTS)}")
    if name == "seed":
        if value is not None and (isinstance(value, bool) or not isinstance(value, (int, str))):
            raise FaultError(name, "seed must be an integer, a string or null")
        return value
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise FaultError(name, f"{name} must be a number")
    if name in RATES:
        if not 0 <= value <= 1:
            raise FaultError(name, f"{name} must be between 0 and 1")
        return float(value)
    if value < 0:
        raise FaultError(name, f"{name} must not be negative")
    return value


class Faults:
    def __init__(self):
        self._lock = threading.Lock()
        self._values = dict(DEFAULTS)
        self._rng = random.Random()

    def snapshot(self) -> dict:
        with self._lock:
            return dict(self._values)

    def update(self, changes: dict) -> dict:
        """Switch faults on (merged into the current ones); validates all first."""
        cleaned = {name: _clean(name, value) for name, value in changes.items()}
        with self._lock:
            self._values.update(cleaned)
            if "seed" in cleaned:
                self._rng.seed(cleaned["seed"])
            return dict(self._values)

    def clear(self) -> dict:
        with self._lock:
            self._values = dict(DEFAULTS)
            self._rng.seed()
            return dict(self._values)

    def get(self, name: str):
        with self._lock:
            return self._values[name]

    def chance(self, rate_name: str) -> bool:
        """True with the probability set for ``rate_name``.

        No number is drawn for rates of 0 or 1, so switching one fault fully on
        does not shift the random sequence another seeded fault sees.
        """
        with self._lock:
            rate = self._values[rate_name] or 0.0  # only the seed may be None
            if rate <= 0:
                return False
            if rate >= 1:
                return True
            return self._rng.random() < rate

    def seconds(self, duration_name: str) -> float:
        return self.get(duration_name) / 1000.0
