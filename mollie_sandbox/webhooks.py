"""Webhook delivery the way Mollie does it.

Mollie POSTs ``id=tr_...`` (form-encoded, nothing else) to the payment's
``webhookUrl``.  An answer other than 2xx, or none within 15 seconds, is
retried at 0, 1, 3, 7, 15, 31 minutes, 1, 2, 4 and 26 hours after the event:
ten attempts.  Here each minute of that schedule lasts ``time_scale`` real
seconds so that retries can be watched (and tested) quickly.

A scheduler thread keeps a heap of due attempts and hands them to a small
pool of worker threads, so the API request that caused an event never waits
for a delivery, and one slow receiver does not hold up the others.
"""

import heapq
import itertools
import queue
import threading
import time
from collections import deque
from dataclasses import dataclass, field

import requests

from .faults import Faults
from .formats import iso

RETRY_SCHEDULE_MINUTES = (0, 1, 3, 7, 15, 31, 60, 120, 240, 1560)
DEFAULT_TIMEOUT = 15.0
USER_AGENT = "Mollie.nl HTTP client/1.0"
# Out-of-order fault: a held-back webhook waits this long for a later one to
# overtake it, and then follows that one after a short gap.
HOLD_BACK_SECONDS = 1.0
OVERTAKE_GAP_SECONDS = 0.2
DUPLICATE_GAP_SECONDS = 0.01
WORKERS = 16
LOG_LIMIT = 10_000


@dataclass
class _Delivery:
    """One event to announce; its attempts are scheduled from ``base_time``."""

    number: int
    payment_id: str
    url: str
    event: str
    base_time: float
    generation: int
    event_time: float  # wall clock, for the log
    duplicate: bool = False


@dataclass(order=True)
class _Attempt:
    due: float
    seq: int
    delivery: _Delivery = field(compare=False)
    number: int = field(compare=False)  # 1-based attempt number
    canceled: bool = field(default=False, compare=False)


class WebhookDispatcher:
    def __init__(
        self,
        faults: Faults,
        time_scale: float = 1.0,
        timeout: float = DEFAULT_TIMEOUT,
        workers: int = WORKERS,
        log_limit: int = LOG_LIMIT,
    ):
        self.faults = faults
        self.time_scale = time_scale
        self.timeout = timeout
        self._worker_count = workers
        self._cond = threading.Condition()
        self._heap: list[_Attempt] = []
        self._seq = itertools.count()
        self._numbers = itertools.count(1)
        self._held: _Attempt | None = None
        # A reset bumps the generation so that attempts already in flight are
        # neither logged nor retried afterwards.
        self._generation = 0
        self._log: deque[dict] = deque(maxlen=log_limit)
        self._work: queue.Queue[_Attempt | None] = queue.Queue()
        self._stopped = threading.Event()
        self._threads: list[threading.Thread] = []

    # -- lifecycle ----------------------------------------------------------

    def start(self, label: str = "sandbox") -> None:
        self._stopped.clear()
        self._work = queue.Queue()  # fresh, without the stop sentinels of an earlier run
        self._threads = [threading.Thread(target=self._schedule_loop, name=f"{label}-webhook-scheduler", daemon=True)]
        self._threads += [
            threading.Thread(target=self._work_loop, name=f"{label}-webhook-worker-{i}", daemon=True)
            for i in range(self._worker_count)
        ]
        for thread in self._threads:
            thread.start()

    def stop(self) -> None:
        self._stopped.set()
        with self._cond:
            self._heap.clear()
            self._cond.notify_all()
        for _ in range(self._worker_count):
            self._work.put(None)
        # Workers busy with a slow receiver finish on their own (daemon threads,
        # and nothing is logged or retried once stopped): do not wait 15 s here.
        for thread in self._threads:
            thread.join(timeout=1.0)

    def reset(self) -> None:
        with self._cond:
            self._generation += 1
            self._heap.clear()
            self._held = None
            self._log.clear()

    # -- events ---------------------------------------------------------------

    def notify(self, payment_id: str, url: str | None, event: str) -> None:
        """Queue the webhook for an event; returns at once."""
        if not url or self._stopped.is_set():
            return
        with self._cond:
            number = next(self._numbers)
            now = time.time()
            if self.faults.chance("webhook_drop_rate"):
                self._record(
                    number,
                    payment_id,
                    url,
                    event,
                    1,
                    None,
                    "dropped by webhook_drop_rate fault",
                    started=now,
                    scheduled=now,
                    event_time=now,
                    dropped=True,
                )
                return
            base_time = time.monotonic() + self.faults.seconds("webhook_delay_ms")
            delivery = _Delivery(number, payment_id, url, event, base_time, self._generation, event_time=now)
            self._schedule_first(delivery)
            if self.faults.chance("webhook_duplicate_rate"):
                twin = _Delivery(
                    next(self._numbers),
                    payment_id,
                    url,
                    event,
                    base_time + DUPLICATE_GAP_SECONDS,
                    self._generation,
                    event_time=now,
                    duplicate=True,
                )
                self._schedule_first(twin)
            self._cond.notify()

    def deliveries(self, payment_id: str | None = None) -> list[dict]:
        with self._cond:
            return [dict(e) for e in self._log if payment_id is None or e["paymentId"] == payment_id]

    # -- internals ------------------------------------------------------------

    def _push(self, delivery: _Delivery, number: int, due: float) -> _Attempt:
        attempt = _Attempt(due, next(self._seq), delivery, number)
        heapq.heappush(self._heap, attempt)
        return attempt

    def _schedule_first(self, delivery: _Delivery) -> None:
        """Schedule attempt 1, applying the out-of-order fault (lock held)."""
        if self._held is not None:
            # This webhook overtakes the one held back, which follows right after.
            held, self._held = self._held, None
            held.canceled = True
            self._push(delivery, 1, delivery.base_time)
            held.delivery.base_time = delivery.base_time + OVERTAKE_GAP_SECONDS
            self._push(held.delivery, 1, held.delivery.base_time)
        elif self.faults.chance("webhook_out_of_order_rate"):
            self._held = self._push(delivery, 1, delivery.base_time + HOLD_BACK_SECONDS)
        else:
            self._push(delivery, 1, delivery.base_time)

    def _schedule_loop(self) -> None:
        while True:
            with self._cond:
                attempt = self._next_due()
                if attempt is None:
                    return  # stopped
            self._work.put(attempt)

    def _next_due(self) -> _Attempt | None:
        """Wait (lock held) until an attempt is due; None once stopped."""
        while not self._stopped.is_set():
            now = time.monotonic()
            if self._heap and self._heap[0].due <= now:
                attempt = heapq.heappop(self._heap)
                if attempt.canceled:
                    continue
                if attempt is self._held:
                    self._held = None  # nobody overtook it in time
                return attempt
            self._cond.wait(self._heap[0].due - now if self._heap else None)
        return None

    def _work_loop(self) -> None:
        while True:
            attempt = self._work.get()
            if attempt is None or self._stopped.is_set():
                return
            if attempt.delivery.generation != self._generation:
                continue
            started = time.time()
            # The due time is on the monotonic clock; the log shows wall-clock times.
            scheduled = started - (time.monotonic() - attempt.due)
            status, error = self._post(attempt.delivery)
            ok = status is not None and 200 <= status < 300
            with self._cond:
                delivery = attempt.delivery
                if delivery.generation != self._generation or self._stopped.is_set():
                    continue
                self._record(
                    delivery.number,
                    delivery.payment_id,
                    delivery.url,
                    delivery.event,
                    attempt.number,
                    status,
                    error,
                    started=started,
                    scheduled=scheduled,
                    event_time=delivery.event_time,
                    duplicate=delivery.duplicate,
                )
                if not ok and attempt.number < len(RETRY_SCHEDULE_MINUTES):
                    offset = RETRY_SCHEDULE_MINUTES[attempt.number] * self.time_scale
                    self._push(delivery, attempt.number + 1, delivery.base_time + offset)
                    self._cond.notify()

    def _post(self, delivery: _Delivery) -> tuple[int | None, str | None]:
        try:
            response = requests.post(
                delivery.url,
                data={"id": delivery.payment_id},  # form body exactly "id=tr_..."
                headers={"User-Agent": USER_AGENT},
                timeout=self.timeout,
                allow_redirects=False,  # a redirect is not a 2xx: Mollie retries it
            )
        except requests.Timeout:
            return None, f"no answer within {self.timeout:g} s"
        except requests.RequestException as exc:
            return None, f"{type(exc).__name__}: {exc}"
        return response.status_code, None

    def _record(
        self,
        number,
        payment_id,
        url,
        event,
        attempt,
        status,
        error,
        started,
        scheduled,
        event_time,
        duplicate=False,
        dropped=False,
    ) -> None:
        self._log.append(
            {
                "delivery": number,
                "paymentId": payment_id,
                "event": event,
                "url": url,
                "attempt": attempt,
                "eventAt": iso(event_time, precise=True),  # when the payment or refund changed
                "scheduledAt": iso(scheduled, precise=True),  # when the (scaled) schedule said
                "time": iso(started, precise=True),  # when the call was made
                "status": status,
                "error": error,
                "ok": status is not None and 200 <= status < 300,
                "duplicate": duplicate,
                "dropped": dropped,
            }
        )
