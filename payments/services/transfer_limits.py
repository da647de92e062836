"""What one visitor can hold by bank transfer. An open transfer keeps its order's stock off sale
until the money arrives or its due date passes, at no cost to the visitor, so checkout decides
whether to offer it: a short dueDate, a few open transfers per e-mail and per client address, and
no more than a share of an article's stock per order (settings BANK_TRANSFER_*; docs/payments.md).
"""

import contextvars
import hashlib
import hmac
import ipaddress
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

from django.conf import settings
from django.utils.translation import gettext as _

from payments.enums import OrderStatus
from payments.models import Order


def client_key(address: str | None) -> str | None:
    """A keyed digest of the client address (the address itself is never stored). An IPv6 client
    counts by its /64, the block one connection gets, so it cannot step to a "new" address."""
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return None
    block = str(ipaddress.ip_network(f"{ip}/64", strict=False)) if ip.version == 6 else str(ip)
    return hmac.new(settings.SECRET_KEY.encode(), f"client:{block}".encode(), hashlib.sha256).hexdigest()[:32]


def due_date(created_at: datetime) -> str:
    """The transfer's dueDate (YYYY-MM-DD, Mollie: from tomorrow up to 100 days after tomorrow).
    From the attempt's creation, so a retry under the same Idempotency-Key sends the same body."""
    return (created_at + timedelta(days=settings.BANK_TRANSFER_DUE_DAYS)).date().isoformat()


def refusal(*, lines: list, stock_before: dict, email: str, client: str | None) -> str | None:
    """Why this order may not be paid by bank transfer, in the shopper's words; None: it may.
    `lines`: the order's lines; `stock_before`: each tracked article's stock before this order."""
    percent = settings.BANK_TRANSFER_MAX_STOCK_PERCENT
    too_much = sorted(
        line.name
        for line in lines
        if stock_before.get(line.slug) is not None and line.quantity * 100 > stock_before[line.slug] * percent
    )
    if too_much:
        return _(
            "Bank transfer is not offered for %(articles)s: an order paid by transfer may hold at "
            "most %(percent)s%% of what is in stock, until the money arrives. Please choose another way to pay."
        ) % {"articles": ", ".join(too_much), "percent": percent}
    waiting, from_client = _counted_at_once(email, client)
    if len(waiting) >= settings.BANK_TRANSFER_MAX_OPEN_PER_EMAIL:
        return _(
            "Your order %(order_id)s is still waiting for a bank transfer. Please pay that one "
            "first, or choose another way to pay for this order."
        ) % {"order_id": waiting[0].order_id}
    if from_client >= settings.BANK_TRANSFER_MAX_OPEN_PER_ADDRESS:
        return _(
            "Several orders from your internet connection are already waiting for a bank transfer. "
            "Please choose another way to pay for this order."
        )
    return None


def _counted_at_once(email, client):
    """Both counts, read side by side: a checkout waits for one read, not two (its time budget is
    tight when DynamoDB is slow, tests/shop/test_checkout_deadline.py)."""
    if not client:
        return open_transfers_of_email(email), 0
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="transfer-limits") as pool:
        from_client = pool.submit(contextvars.copy_context().run, open_transfers_of_client, client)
        return open_transfers_of_email(email), from_client.result()


def open_transfers_of_email(email: str) -> list[Order]:
    waiting = Order.email_index.query(email.lower(), filter_condition=Order.status == OrderStatus.PENDING_PAYMENT)
    return [order for order in waiting if order.may_hold_transfer]


def open_transfers_of_client(client: str) -> int:
    return sum(1 for order in Order.transfer_hold_index.query(client) if order.may_hold_transfer)
