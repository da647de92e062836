"""The payment workflow. Every write to orders, attempts, refunds and events goes through here.

One function, `apply_mollie_payment`, applies a payment fetched from Mollie to our records;
webhooks, the shopper's return and status polls, staff refreshes and reconciliation all call it,
so every path leaves the same trace in the event log. Writes that can race use the items'
`version` (optimistic locking) inside one DynamoDB transaction, and re-read on conflict.
"""
import dataclasses
import hashlib
import ipaddress
import itertools
import logging
import secrets
import time
from datetime import timedelta
from urllib.parse import urlsplit

from botocore.exceptions import BotoCoreError
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from pynamodb.exceptions import PutError, PynamoDBException, TransactGetError, TransactWriteError, UpdateError
from pynamodb.transactions import TransactGet, TransactWrite

from config import deadline, dynamodb
from config.dynamodb import MAX_WRITE_RETRIES, ConcurrentUpdateConflict, optimistic_retries  # noqa: F401 - re-exported
from payments import mollie
from payments.models import (
    REFUND_STATUSES_UNSETTLED,
    AttemptStatus,
    Order,
    OrderLine,
    OrderStatus,
    PaymentAttempt,
    PaymentEvent,
    Refund,
)
from shop.models import Article
from shop.money import format_money
from shop.selectors import articles_by_slug

log = logging.getLogger(__name__)
workflow_log = logging.getLogger("shop.workflow")

# Mollie remembers an Idempotency-Key for one hour; past this, a stuck attempt gets a fresh one.
IDEMPOTENCY_KEY_LIFETIME = timedelta(minutes=50)
_event_sequence = itertools.count()


REJECTED_PAYMENT = ("Our payment provider cannot accept a payment for this order, so nothing was charged. "
                    "Trying again would not help: please contact us, or change your cart and order again.")


class WorkflowError(Exception):
    """A request the workflow refuses, with a message fit to show a shopper or staff member."""


class CheckoutRefused(WorkflowError):
    pass


class OrderNotPayable(WorkflowError):
    pass


class RefundRefused(WorkflowError):
    pass


class ActionRefused(WorkflowError):
    pass


class EarlierOrderInTheWay(WorkflowError):
    """The cart's earlier order still has a payment that may be paid (or it was paid): a new order
    now could take the shopper's money twice. `order` is that earlier order."""

    def __init__(self, message, *, order):
        super().__init__(message)
        self.order = order


# --- Checkout ---------------------------------------------------------------------------------


def order_id_for_checkout(checkout_id: str) -> str:
    """The same checkout form submitted twice yields the same order id, hence one order."""
    digest = hashlib.sha256(f"order:{checkout_id}".encode()).hexdigest().upper()
    return f"SO-{digest[:5]}-{digest[5:10]}"


# A cart that keeps being checked out again through closed (expired, canceled) orders stops here.
MAX_CLOSED_ORDERS_PER_CART = 50


def checkout_id_for_cart(*, cart_id, quantities) -> str:
    """The checkout id of a cart as it is now: the same cart gets the same order, from a second
    tab or after the back button, so one cart has at most one order and one payable payment.

    A changed cart gets another id (another order). When the cart's order was closed unpaid
    (expired, canceled), the next id in a chain derived from it is used, so every tab of the
    cart still agrees on the one order to continue.
    """
    return _cart_order(cart_id, quantities)[0]


def _cart_order(cart_id, quantities):
    """The cart's checkout id and its order (None while there is none yet)."""
    content = ",".join(f"{slug}={quantity}" for slug, quantity in sorted(quantities.items()))
    checkout_id = hashlib.sha256(f"cart:{cart_id}:{content}".encode()).hexdigest()[:32]
    for _ in range(MAX_CLOSED_ORDERS_PER_CART):
        order = _get_order(order_id_for_checkout(checkout_id))
        if order is None or order.status not in OrderStatus.CLOSED_UNPAID:
            return checkout_id, order
        checkout_id = hashlib.sha256(f"after:{checkout_id}".encode()).hexdigest()[:32]
    raise CheckoutRefused("This cart cannot be checked out again; please empty it and start a new one.")


def check_out_cart(*, cart_id, checkout_id, quantities, customer_name, customer_email, earlier_order_id=None):
    """The checkout form: continues the cart's order, or replaces the cart's earlier order.

    `checkout_id` is the one the checkout page showed; if the cart changed since (in another tab)
    the shopper confirms the new total first. Before a changed cart gets a new order, the earlier
    order's payment is stopped at Mollie and its stock given back; where that cannot be done the
    shopper is sent to finish or wait for that payment (EarlierOrderInTheWay).
    """
    current_id, order = _cart_order(cart_id, quantities)
    if checkout_id != current_id:
        raise CheckoutRefused("Your cart changed while you were checking out. Please check it and confirm again.")
    if earlier_order_id and earlier_order_id != order_id_for_checkout(checkout_id):
        release_replaced_order(order_id=earlier_order_id)
    if order is not None:
        return order  # the back button, a second tab, a double submit: continue this order
    return place_order(checkout_id=checkout_id, quantities=quantities, customer_name=customer_name,
                       customer_email=customer_email, known_new=True)


def release_changed_cart_order(*, order_id, quantities):
    """A changed cart gives its open order's stock back at once, where no payment can still take
    money; otherwise EarlierOrderInTheWay tells the shopper to finish or wait for that payment."""
    order = _get_order(order_id)
    if order is None or not order.is_open_for_payment:
        return
    if {line.slug: line.quantity for line in order.lines} == quantities:
        return  # changed back to what the order holds: it can still be paid as it is
    release_replaced_order(order_id=order_id)


def release_replaced_order(*, order_id) -> Order | None:
    """Stops the payments of an order the shopper replaced by another, then cancels it (stock back).

    Raises EarlierOrderInTheWay when a payment of it can still be paid and Mollie will not cancel
    it (only bank transfers and direct debits are cancelable while open), or when it was paid.
    """
    order = _get_order(order_id)
    if order is None or not order.is_open_for_payment:
        return order
    _stop_payments(order, reason="Replaced by a changed cart")
    order = close_order(order_id=order_id, status=OrderStatus.CANCELED, source="shopper",
                        reason="The shopper changed the cart; the order was replaced")
    if order.is_paid:
        raise _earlier_order_paid(order)
    if order.is_open_for_payment:
        raise _payment_in_the_way(order)  # a payment was started meanwhile, in another tab
    return order


def _stop_payments(order, *, reason):
    """Before another payment is created, every payment of `order` that could still take money is
    canceled at Mollie. Mollie refuses that for most methods while they are open (isCancelable
    false: mollie/api-documentation#675), so a refusal is the common case, not an error."""
    for attempt in attempts_of(order.order_id):
        if attempt.status == AttemptStatus.CREATED and not attempt.mollie_payment_id:
            # Never reached Mollie: give it up, so it cannot be registered later. Mollie's answer,
            # should a twin request still be in flight, wins over `abandoned` (AttemptStatus.RANK).
            _give_up_attempt(order.order_id, attempt.attempt_no, reason, only_if=AttemptStatus.CREATED)
            continue
        if attempt.status not in AttemptStatus.WAITING or not attempt.mollie_payment_id:
            continue
        try:
            payment = mollie.get_payment(attempt.mollie_payment_id)
        except mollie.PaymentNotFound:
            # Mollie does not know it (another account, a reset sandbox): it can never be paid.
            _give_up_attempt(order.order_id, attempt.attempt_no, "Mollie does not know this payment")
            continue
        attempt = apply_mollie_payment(payment=payment, source="shopper") or attempt
        if attempt.status == AttemptStatus.OPEN and payment.is_cancelable:
            payment = _cancel_or_reread(attempt.mollie_payment_id)
            attempt = apply_mollie_payment(payment=payment, source="shopper", record_call=True) or attempt
        if attempt.status in (AttemptStatus.OPEN, AttemptStatus.PENDING, AttemptStatus.AUTHORIZED):
            raise _payment_in_the_way(_get_order(order.order_id) or order)
        if attempt.status == AttemptStatus.PAID:
            raise _earlier_order_paid(_get_order(order.order_id) or order)


def _cancel_or_reread(payment_id):
    """Cancels an open payment at Mollie; Mollie's payment as it then is.

    A twin request (a double click) may be canceling it right now (409) or have canceled it
    already (422), or a method was chosen meanwhile (422): reading it again tells which.
    """
    for delay in (0.3, 0.6, 1.2, None):
        try:
            return mollie.cancel_payment(payment_id, idempotency_key=f"cancel-{payment_id}")
        except mollie.PaymentRequestInProgress:
            if delay is None:
                raise
            time.sleep(delay)
        except mollie.PaymentRejected:
            return mollie.get_payment(payment_id)


def _earlier_order_paid(order):
    return EarlierOrderInTheWay(f"Your earlier order {order.order_id} has been paid. Please look at it "
                                "before you order again.", order=order)


def _payment_in_the_way(order):
    return EarlierOrderInTheWay(
        f"Your earlier order {order.order_id} still has a payment in progress that our payment provider "
        "cannot stop. Please finish that payment, or wait until it expires (usually within 15 to 30 "
        "minutes), before you order something else.", order=order)


def place_order(*, checkout_id, quantities, customer_name, customer_email, now=None, known_new=False) -> Order:
    """Creates the order and its first payment attempt and reserves stock, all or nothing.

    Prices come from the catalog; `quantities` maps article slug to quantity. `known_new`: the
    caller has just seen that the order does not exist (the write is conditional anyway).
    """
    order_id = order_id_for_checkout(checkout_id)
    for write_try in optimistic_retries(order_id):
        existing = None if known_new else _get_order(order_id)
        known_new = False
        if existing is not None:
            return existing  # a double submit of the same checkout form
        now = now or timezone.now()
        lines = _order_lines(quantities)
        currencies = {currency for _, currency in lines}
        if len(currencies) != 1:
            raise CheckoutRefused("These articles cannot be paid together; please order them separately.")
        order_lines = [line for line, _ in lines]
        total_cents = sum(line.total_cents for line in order_lines)
        if total_cents > settings.MOLLIE_MAX_AMOUNT_CENTS:
            # Mollie would refuse the payment (422 on `amount`), and every "Pay again" with it.
            limit = format_money(settings.MOLLIE_MAX_AMOUNT_CENTS, next(iter(currencies)))
            raise CheckoutRefused(f"Your order comes to more than {limit}, the most our payment provider accepts "
                                  "in one payment. Please split it into smaller orders.")
        order = Order(
            order_id,
            public_token=secrets.token_urlsafe(24),
            customer_name=customer_name,
            customer_email=customer_email.lower(),
            lines=order_lines,
            total_cents=total_cents,
            currency=currencies.pop(),
            created_at=now,
            updated_at=now,
            expires_at=now + timedelta(seconds=settings.ORDER_PAYMENT_WINDOW_SECONDS),
            attempt_count=1,
            latest_attempt_status=AttemptStatus.CREATED,
        )
        attempt = _new_attempt(order, 1, now)
        events = [_event(order, "order_placed", "checkout", now, message=f"Total {_money(total_cents, order.currency)}")]
        try:
            with TransactWrite(connection=dynamodb.connection()) as transaction:
                for line in order_lines:
                    if line.reserves_stock:
                        transaction.update(
                            Article(line.slug),
                            actions=[Article.stock.add(-line.quantity), Article.updated_at.set(now)],
                            condition=(Article.stock >= line.quantity) & (Article.active == True),  # noqa: E712
                        )
                    else:
                        transaction.condition_check(Article, line.slug, condition=Article.active == True)  # noqa: E712
                transaction.save(order, condition=Order.order_id.does_not_exist())
                transaction.save(attempt, condition=PaymentAttempt.order_id.does_not_exist())
                for event in events:
                    transaction.save(event)
        except TransactWriteError as error:
            write_try.lost(error)  # raises what is not a lost race
            # Lost a race: for the last item in stock, to a double submit, or a plain conflict.
            # Re-reading tells which; the loop raises or returns the winner's order.
            now = None
            continue
        _log_events(events)
        return order


def _order_lines(quantities):
    articles = articles_by_slug(quantities)
    if not quantities:
        raise CheckoutRefused("Your cart is empty.")
    lines, sold_out = [], []
    for slug, quantity in quantities.items():
        article = articles.get(slug)
        if article is None or not article.active:
            raise CheckoutRefused("An article in your cart is no longer sold; please check your cart.")
        if article.stock is not None and article.stock < quantity:
            sold_out.append(article.name)
            continue
        line = OrderLine(
            slug=slug,
            name=article.name,
            unit_price_cents=article.price_cents,
            quantity=quantity,
            reserves_stock=article.stock is not None,
        )
        lines.append((line, article.currency))
    if sold_out:
        raise CheckoutRefused(f"Not enough stock for: {', '.join(sorted(sold_out))}. Please change your cart.")
    return lines


def _new_attempt(order, attempt_no, now):
    return PaymentAttempt(
        order.order_id,
        attempt_no,
        status=AttemptStatus.CREATED,
        idempotency_key=f"{order.order_id}-{attempt_no}-{secrets.token_hex(8)}",
        amount_cents=order.total_cents,
        currency=order.currency,
        created_at=now,
        updated_at=now,
    )


# --- Paying: first attempt, try again, pay again -----------------------------------------------


def pay_order(*, order_id, order=None) -> str:
    """Returns the Mollie checkout URL to send the shopper to for this order.

    Used for the first payment, for "try again" when Mollie could not be reached, and for
    "pay again" after a failed, canceled or expired attempt. A double click gets the same page.
    `order`, when given, is a fresh read (or the write just made) and saves reading it again.
    """
    others_stopped = False
    for write_try in optimistic_retries(order_id):
        order = order or _get_order(order_id)
        if order is None:
            raise OrderNotPayable("This order does not exist.")
        if not order.is_open_for_payment:
            raise OrderNotPayable(_not_payable_reason(order))
        now = timezone.now()
        if now >= order.expires_at:
            # Reconciliation is about to expire it and give its stock back: no new payment now.
            raise OrderNotPayable("The time to pay for this order has run out. Your cart is kept: "
                                  "you can place it again.")
        if order.latest_attempt_status == AttemptStatus.OPEN and order.latest_checkout_url:
            return order.latest_checkout_url
        latest = _get_attempt(order_id, order.attempt_count)
        if latest.status == AttemptStatus.CREATED and now - latest.created_at < IDEMPOTENCY_KEY_LIFETIME:
            return register_attempt(order=order, attempt=latest).checkout_url
        if latest.status == AttemptStatus.OPEN and latest.checkout_url:
            return latest.checkout_url
        if latest.status in (AttemptStatus.PENDING, AttemptStatus.AUTHORIZED, AttemptStatus.PAID):
            raise OrderNotPayable("Your payment is being processed; there is no need to pay again.")
        if latest.status == AttemptStatus.REJECTED:
            # Mollie refused the request itself (a 422 names the field, e.g. the amount): the same
            # order would be refused again, so "Pay again" is never offered for it.
            raise OrderNotPayable(REJECTED_PAYMENT)
        if not others_stopped:
            # One payable payment at a time: an older attempt may still be open at Mollie.
            try:
                _stop_payments(order, reason="Replaced by a new payment attempt")
            except EarlierOrderInTheWay as in_the_way:
                if in_the_way.order.is_paid:
                    raise OrderNotPayable("This order has been paid already.") from in_the_way
                raise OrderNotPayable("An earlier payment of this order is still in progress and our payment "
                                      "provider cannot stop it. Please finish that payment or wait until it "
                                      "expires.") from in_the_way
            others_stopped, order = True, None
            continue
        # The latest attempt did not succeed (or is too old to retry with its key): start a new one.
        attempt = _new_attempt(order, order.attempt_count + 1, now)
        if latest.status == AttemptStatus.CREATED:
            latest.status = AttemptStatus.ABANDONED
            latest.updated_at = now
        order.attempt_count = attempt.attempt_no
        order.latest_attempt_status = attempt.status
        order.latest_mollie_payment_id = None
        order.latest_checkout_url = None
        order.updated_at = now
        event = _event(order, "payment_retry", "shopper", now, attempt=attempt, message="New payment attempt")
        try:
            _commit(saves=[order, latest], new_items=[attempt], events=[event])
        except _Conflict as conflict:
            write_try.lost(conflict)
            order = None
            continue
        return register_attempt(order=order, attempt=attempt).checkout_url


def register_attempt(*, order, attempt) -> PaymentAttempt:
    """Creates the Mollie payment for a `created` attempt and stores it.

    Raises PaymentProviderUnavailable when Mollie cannot be reached: the attempt stays `created`
    and a retry reuses its idempotency key, so Mollie never creates a second payment for it.
    """
    try:
        payment = _create_payment_waiting_for_twin(order, attempt)
    except mollie.PaymentProviderUnavailable as error:
        record_event(order_id=order.order_id, kind="payment_create_failed", source="checkout",
                     attempt_no=attempt.attempt_no, message=str(error))
        raise
    except mollie.PaymentRejected as error:
        _reject_attempt(order.order_id, attempt.attempt_no, str(error))
        raise OrderNotPayable(REJECTED_PAYMENT) from error
    return apply_mollie_payment(payment=payment, source="checkout", known=(order, attempt)) or attempt


def _create_payment_waiting_for_twin(order, attempt):
    """Mollie answers 409 while the same Idempotency-Key is in flight (a double click from two
    tabs): wait briefly for the twin to finish, then get its payment back."""
    for delay in (0.3, 0.6, 1.2, None):
        try:
            return mollie.create_payment(
                amount_cents=attempt.amount_cents,
                currency=attempt.currency,
                description=f"Order {order.order_id}",
                redirect_url=settings.PUBLIC_BASE_URL + thank_you_path(order),
                webhook_url=webhook_url(),
                metadata={"order_id": order.order_id, "attempt_no": attempt.attempt_no},
                idempotency_key=attempt.idempotency_key,
            )
        except mollie.PaymentRequestInProgress:
            if delay is None:
                raise
            time.sleep(delay)


def webhook_url():
    """Where Mollie should call us, or None: Mollie refuses (422) a webhookUrl it cannot reach,
    such as a loopback or private address (create-payment reference), so a local shop sends none
    unless MOLLIE_WEBHOOK_BASE_URL names a tunnel (or the local sandbox, which calls loopback)."""
    path = reverse("payments:webhook")
    if settings.MOLLIE_WEBHOOK_BASE_URL:
        return settings.MOLLIE_WEBHOOK_BASE_URL + path
    host = urlsplit(settings.PUBLIC_BASE_URL).hostname or ""
    try:
        reachable = ipaddress.ip_address(host).is_global
    except ValueError:
        reachable = host != "localhost" and not host.endswith((".localhost", ".local", ".internal")) and "." in host
    return settings.PUBLIC_BASE_URL + path if reachable else None


def _reject_attempt(order_id, attempt_no, reason):
    for write_try in optimistic_retries(order_id):
        order, attempt = _get_order(order_id), _get_attempt(order_id, attempt_no)
        if attempt.status != AttemptStatus.CREATED:
            return
        now = timezone.now()
        events = [_status_event(order, attempt, AttemptStatus.REJECTED, "checkout", now, message=reason)]
        attempt.status, attempt.last_error, attempt.updated_at = AttemptStatus.REJECTED, reason[:500], now
        _copy_latest(order, attempt, now)
        try:
            return _commit(saves=[order, attempt], events=events)
        except _Conflict as conflict:
            write_try.lost(conflict)
            continue


def _not_payable_reason(order):
    if order.is_paid:
        return "This order has been paid already."
    if order.status == OrderStatus.EXPIRED:
        return "This order has expired. Your cart is kept: you can place it again."
    return "This order was canceled. Your cart is kept: you can place it again."


def thank_you_path(order):
    return reverse("shop:order", kwargs={"order_id": order.order_id, "token": order.public_token})


# --- Applying Mollie's truth --------------------------------------------------------------------


def handle_webhook(*, payment_id) -> str:
    """Mollie says payment `payment_id` changed. We fetch it (never trusting the body) and apply.

    Returns what happened ("applied", "unknown", "malformed"). Raises PaymentProviderUnavailable
    or a DynamoDB error when it could not be done: the webhook answers 5xx so Mollie retries.
    """
    if not mollie.is_payment_id(payment_id):
        log.warning("webhook with a malformed payment id ignored", extra={"mollie_payment_id": str(payment_id)[:80]})
        return "malformed"
    try:
        payment = mollie.get_payment(payment_id)
    except mollie.PaymentNotFound:
        log.warning("webhook for a payment Mollie does not know", extra={"mollie_payment_id": payment_id})
        return "unknown"
    attempt = apply_mollie_payment(payment=payment, source="webhook", record_call=True)
    return "applied" if attempt is not None else "unknown"


def sync_attempt(*, attempt, source, actor="") -> PaymentAttempt:
    """Fetches the attempt's payment from Mollie and applies it (reconciliation, staff refresh).

    A staff refresh is always on the timeline; reconciliation only when it changed something,
    or a bank transfer open for days would fill the timeline with a line per run.
    """
    if not attempt.mollie_payment_id:
        return attempt
    payment = mollie.get_payment(attempt.mollie_payment_id)
    return apply_mollie_payment(payment=payment, source=source, actor=actor,
                                record_call=source != "reconcile") or attempt


def refresh_for_shopper(*, order) -> Order:
    """The thank-you page and its status poll: pull from Mollie while the webhook is late.

    Rate-limited per order by a conditional write, so many open tabs cause one Mollie call per
    interval. A finished order costs exactly the one read the caller already did.
    """
    if order.latest_attempt_status not in (AttemptStatus.OPEN, AttemptStatus.PENDING, AttemptStatus.AUTHORIZED):
        return order
    if not order.latest_mollie_payment_id:
        return order
    now = timezone.now()
    cutoff = now - timedelta(seconds=settings.STATUS_PULL_INTERVAL_SECONDS)
    if order.last_pulled_at and order.last_pulled_at > cutoff:
        return order
    for write_try in optimistic_retries(order.order_id):
        try:
            order.update(
                actions=[Order.last_pulled_at.set(now)],
                condition=Order.last_pulled_at.does_not_exist() | (Order.last_pulled_at < cutoff),
                add_version_condition=False,
            )
            break
        except UpdateError as error:
            # A webhook's transaction may hold the order right now: wait for it, then pull.
            write_try.lost(error)
            if not write_try.back_off:
                return order  # someone else is pulling right now
    try:
        payment = mollie.get_payment(order.latest_mollie_payment_id)
    except mollie.PaymentProviderError as error:
        log.info("status pull failed; showing the stored status", extra={"order_id": order.order_id, "error": str(error)})
        return order
    attempt = apply_mollie_payment(payment=payment, source="status_poll")
    if attempt is None or (attempt.status == order.latest_attempt_status
                           and attempt.amount_refunded_cents == order.amount_refunded_cents):
        return order  # nothing the shopper sees has changed
    return _get_order(order.order_id) or order


def apply_mollie_payment(*, payment, source, actor="", record_call=False, known=None) -> PaymentAttempt | None:
    """Applies a payment fetched from Mollie to its attempt and order. Idempotent.

    Duplicates change nothing; stale answers never move a status back; a second paid attempt
    on a paid order is flagged for refund; a wrong amount never marks an order paid.
    `record_call` keeps a timeline line even when nothing changed (staff refreshes), but a webhook
    that changes nothing is not written at all.
    `known` is the (order, attempt) the caller just read or wrote; a stale pair only costs a retry.
    """
    order_id, attempt_no = _attempt_key(payment)
    for write_try in optimistic_retries(order_id or payment.id):
        if known:
            (order, attempt), known = known, None
        else:
            order, attempt = _get_order_and_attempt(order_id, attempt_no) if order_id else (None, None)
        if attempt is None:
            attempt = _attempt_by_mollie_id(payment.id)
            order = _get_order(attempt.order_id) if attempt else None
        if attempt is None or order is None or attempt.mollie_payment_id not in (None, payment.id):
            if payment.status == AttemptStatus.PAID:
                log.error("paid Mollie payment matches no order", extra={"mollie_payment_id": payment.id})
            record_event(order_id=PaymentEvent.UNMATCHED, kind="unmatched_payment", source=source,
                         mollie_payment_id=payment.id, to_status=payment.status,
                         message="Payment does not match any order")
            return None
        if payment.amount_refunded_cents < attempt.amount_refunded_cents:
            payment = _confirmed_refund_total(payment)
        now = timezone.now()
        # Made before the changes it causes, so the timeline lists the call first.
        call_events = [_event(order, "webhook_received" if source == "webhook" else "synced_from_mollie", source, now,
                              attempt=attempt, actor=actor, message=f"Mollie status: {payment.status}")
                       ] if record_call else []
        had_refunds = attempt.amount_refunded_cents > 0
        changes = _merge_payment(order, attempt, payment, source, now)
        changed = [item for item in (order, attempt) if getattr(item, "_changed", False)]
        if not changes and not changed and source == "webhook":
            # Anyone can post a webhook: one that changes nothing costs no write at all, so
            # repeats cannot fill the timeline (or the bill). The log line still shows it came.
            log.info("webhook changed nothing", extra={"order_id": order.order_id, "attempt_no": attempt.attempt_no,
                                                       "mollie_payment_id": payment.id, "status": payment.status})
            if payment.amount_refunded_cents or had_refunds or attempt.refunds_unsettled:
                _sync_refunds(order, attempt)  # a refund's own status may have moved (refund webhooks)
            return attempt
        events = call_events + changes
        if not events and not changed:
            return attempt
        try:
            _commit(saves=changed, events=events)
        except _Conflict as conflict:
            write_try.lost(conflict)
            continue
        if any(event.to_status == OrderStatus.PAID and event.kind == "order_status_changed" for event in events):
            flag_duplicate_paid_orders(order=order, source=source)
        if payment.amount_refunded_cents or had_refunds or attempt.refunds_unsettled:
            _sync_refunds(order, attempt)
        return attempt


def flag_duplicate_paid_orders(*, order, source) -> list:
    """Two orders of one shopper (same e-mail) created within one payment window and both paid are
    likely one purchase paid twice (two carts, two devices): both are flagged for staff, who refund
    one with the Refund button on its page if the shopper did not mean to buy twice.

    Runs after an order becomes paid, and again in reconciliation: the e-mail index is eventually
    consistent, so two orders paid at the same moment may not see each other the first time.
    Returns the ids of the other paid orders found.
    """
    window = timedelta(seconds=settings.ORDER_PAYMENT_WINDOW_SECONDS)
    others = [other.order_id for other in Order.email_index.query(
        order.customer_email, Order.created_at.between(order.created_at - window, order.created_at + window))
        if other.order_id != order.order_id and other.is_paid]
    if others and order.is_paid:
        for other_id in others:
            _flag_duplicate(order.order_id, other_id, source)
            _flag_duplicate(other_id, order.order_id, source)
    return others


def _flag_duplicate(order_id, duplicate_id, source):
    for write_try in optimistic_retries(order_id):
        order = _get_order(order_id)
        if order is None or duplicate_id in (order.possible_duplicate_of or []):
            return
        now = timezone.now()
        reason = (f"Possible duplicate: order {duplicate_id} of the same shopper was also paid within the "
                  "payment window; refund one if they did not mean to buy twice")
        order.possible_duplicate_of = [*(order.possible_duplicate_of or []), duplicate_id]
        _needs_attention(order, reason)
        order.updated_at = now
        try:
            _commit(saves=[order], events=[_event(order, "possible_duplicate", source, now, message=reason)])
        except _Conflict as conflict:
            write_try.lost(conflict)
            continue
        return


def _attempt_key(payment):
    try:
        return str(payment.metadata["order_id"]), int(payment.metadata["attempt_no"])
    except (KeyError, TypeError, ValueError):
        return None, None


def _merge_payment(order, attempt, payment, source, now):
    """Brings `attempt` and `order` in line with Mollie's payment; returns the events to record."""
    events = []
    attempt._changed = order._changed = False
    if attempt.mollie_payment_id is None:
        attempt.mollie_payment_id = payment.id
        attempt._changed = True
    if payment.checkout_url and attempt.checkout_url != payment.checkout_url:
        attempt.checkout_url = payment.checkout_url
        attempt._changed = True
    if AttemptStatus.rank(payment.status) >= AttemptStatus.rank(attempt.status) and (
        attempt.is_cancelable != payment.is_cancelable
        or (payment.amount_remaining_cents is not None
            and attempt.mollie_amount_remaining_cents != payment.amount_remaining_cents)
    ):
        # Only from an answer at least as new as what we have (a stale one must not undo it).
        attempt.is_cancelable = payment.is_cancelable
        if payment.amount_remaining_cents is not None:
            attempt.mollie_amount_remaining_cents = payment.amount_remaining_cents
        attempt._changed = True
    new_status = payment.status
    # Mollie says a final status never changes, yet here it reports the money as received. Money
    # may have arrived, so this is never ignored (see _paid_after_final_status).
    paid_after_final = new_status == AttemptStatus.PAID and attempt.status in AttemptStatus.FINAL_UNPAID
    if new_status not in AttemptStatus.MOLLIE:
        log.warning("unknown Mollie status ignored", extra={"mollie_payment_id": payment.id, "status": new_status})
    elif AttemptStatus.rank(new_status) > AttemptStatus.rank(attempt.status) or paid_after_final or (
        attempt.status in (AttemptStatus.CREATED, AttemptStatus.ABANDONED) and new_status != attempt.status
    ):
        if paid_after_final:
            events.append(_paid_after_final_status(order, attempt, source, now))
        events.append(_status_event(order, attempt, new_status, source, now))
        attempt.status = new_status
        attempt.method = payment.method
        attempt.mollie_amount_cents = payment.amount_cents
        attempt.mollie_currency = payment.currency
        attempt._changed = True
        if new_status == AttemptStatus.PAID:
            events += _order_paid(order, attempt, payment, source, now)
    elif new_status != attempt.status:
        # Out of order or contradictory: Mollie's statuses only move forward.
        log.info("stale Mollie status ignored", extra={"mollie_payment_id": payment.id, "status": new_status,
                                                      "stored": attempt.status})
    if payment.amount_refunded_cents != attempt.amount_refunded_cents:
        # Down as well as up: a refund that failed or was canceled gives the amount back.
        attempt.amount_refunded_cents = payment.amount_refunded_cents
        attempt._changed = True
        events.append(_event(order, "refund_amount_changed", source, now, attempt=attempt,
                             message=f"Refunded so far: {_money(payment.amount_refunded_cents, payment.currency)}"))
        if order.paid_attempt_no == attempt.attempt_no:
            events += _order_refunded(order, attempt.amount_refunded_cents, source, now)
    if attempt.attempt_no == order.attempt_count and attempt._changed:
        _copy_latest(order, attempt, now)
    if attempt._changed:
        attempt.updated_at = now
        attempt.last_synced_at = now
    return events


def _paid_after_final_status(order, attempt, source, now):
    """Mollie reports `paid` for an attempt it earlier reported expired, canceled or failed.

    Decision: Mollie's `paid` wins and the order becomes paid like any paid attempt (unless it was
    paid already: then it is a double payment to refund, or the amount differs). The shopper's
    money was taken, and an order marked paid is where staff look for money to ship or refund;
    leaving it unpaid would hide money we hold. It is always flagged, because its stock may be back
    on the shelf (the order may have expired) and the payment contradicts Mollie's own rule that
    final statuses never change: staff check stock and the payment in Mollie's dashboard before
    shipping, or refund it with one click.
    """
    reason = (f"Mollie reported attempt {attempt.attempt_no} paid after it was {attempt.status}; "
              "check the stock and the payment before shipping, or refund it")
    _needs_attention(order, reason)
    return _event(order, "paid_after_final_status", source, now, attempt=attempt, from_status=attempt.status,
                  to_status=AttemptStatus.PAID, message=reason)


def _order_paid(order, attempt, payment, source, now):
    if (payment.amount_cents, payment.currency) != (order.total_cents, order.currency):
        attempt.amount_mismatch = True
        reason = (f"Attempt {attempt.attempt_no} paid {_money(payment.amount_cents, payment.currency)}, "
                  f"order total is {_money(order.total_cents, order.currency)}")
        _needs_attention(order, reason)
        return [_event(order, "amount_mismatch", source, now, attempt=attempt, message=reason)]
    if order.is_paid:
        if order.paid_attempt_no == attempt.attempt_no:
            return []
        attempt.needs_refund = True
        reason = _double_payment_reason(attempt.attempt_no, order.paid_attempt_no)
        _needs_attention(order, reason)
        return [_event(order, "double_payment", source, now, attempt=attempt, message=reason)]
    previous = order.status
    if previous in OrderStatus.CLOSED_UNPAID:
        _needs_attention(order, f"Paid after the order was {previous}; its stock had been given back")
    order.status = OrderStatus.PAID
    order.paid_at = now
    order.paid_attempt_no = attempt.attempt_no
    order.closed_at = None
    order._changed = True
    return [_event(order, "order_status_changed", source, now, attempt=attempt, from_status=previous,
                   to_status=OrderStatus.PAID)]


def _order_refunded(order, refunded_cents, source, now):
    order.amount_refunded_cents = refunded_cents
    order._changed = True
    if refunded_cents <= 0:
        new_status = OrderStatus.PAID
    elif refunded_cents >= order.total_cents:
        new_status = OrderStatus.REFUNDED
    else:
        new_status = OrderStatus.PARTIALLY_REFUNDED
    if new_status == order.status:
        return []
    previous, order.status = order.status, new_status
    return [_event(order, "order_status_changed", source, now, from_status=previous, to_status=new_status)]


def _needs_attention(order, reason):
    order.attention_reasons = [*(order.attention_reasons or []), reason]
    order.needs_attention = True
    order._changed = True


def _double_payment_reason(attempt_no, paid_attempt_no):
    return f"Double payment: attempt {attempt_no} paid after attempt {paid_attempt_no}; refund it"


def _copy_latest(order, attempt, now):
    order.latest_attempt_status = attempt.status
    order.latest_mollie_payment_id = attempt.mollie_payment_id
    order.latest_checkout_url = attempt.checkout_url if attempt.status == AttemptStatus.OPEN else None
    order.updated_at = now
    order._changed = True


# --- Closing orders -----------------------------------------------------------------------------


def close_order(*, order_id, status, source, actor="", reason="") -> Order:
    """Expires or cancels an unpaid order and gives its reserved stock back, exactly once."""
    assert status in OrderStatus.CLOSED_UNPAID
    for write_try in optimistic_retries(order_id):
        order = _get_order(order_id)
        if order is None or not order.is_open_for_payment:
            return order
        if order.latest_attempt_status in AttemptStatus.WAITING:
            # A payment was started meanwhile (e.g. "Pay again" during reconciliation): it may
            # still be paid, so the order stays open and keeps its stock.
            return order
        now = timezone.now()
        previous = order.status
        order.status, order.closed_at, order.updated_at = status, now, now
        stock_updates = []
        if not order.stock_released:
            order.stock_released = True
            stock_updates = [line for line in order.lines if line.reserves_stock]
        events = [_event(order, "order_status_changed", source, now, actor=actor, from_status=previous,
                         to_status=status, message=reason)]
        try:
            _commit(saves=[order], events=events, stock_returns=stock_updates, now=now)
        except _Conflict as conflict:
            write_try.lost(conflict)
            continue
        return order


# --- Staff actions ------------------------------------------------------------------------------


def refresh_order(*, order_id, actor) -> Order:
    """Staff "refresh from Mollie": syncs every attempt that Mollie knows."""
    for attempt in attempts_of(order_id):
        if attempt.mollie_payment_id:
            sync_attempt(attempt=attempt, source="staff", actor=actor)
    return _get_order(order_id)


def cancel_attempt(*, order_id, attempt_no, actor) -> PaymentAttempt:
    attempt = _get_attempt(order_id, attempt_no)
    if attempt is None or not attempt.mollie_payment_id:
        raise ActionRefused("This payment attempt was never registered at Mollie.")
    if attempt.status != AttemptStatus.OPEN:
        raise ActionRefused(f"Only open payments can be canceled; this one is {attempt.status}.")
    try:
        payment = mollie.cancel_payment(attempt.mollie_payment_id,
                                        idempotency_key=f"cancel-{attempt.mollie_payment_id}")
    except mollie.PaymentRejected as error:
        # Mollie ignores idempotency keys on DELETE: a repeated cancel (a retry after a lost
        # answer, a double click) gets 422. What Mollie holds now tells whether it worked.
        payment = mollie.get_payment(attempt.mollie_payment_id)
        if payment.status != AttemptStatus.CANCELED:
            apply_mollie_payment(payment=payment, source="staff", actor=actor, record_call=True)
            raise ActionRefused(_cannot_cancel_reason(payment)) from error
    return apply_mollie_payment(payment=payment, source="staff", actor=actor, record_call=True) or attempt


def _cannot_cancel_reason(payment):
    if payment.status == AttemptStatus.OPEN:
        # Only bank transfers and direct debits can be canceled while open (Mollie staff,
        # mollie/api-documentation#675); the rest expire by themselves.
        return ("Mollie cannot cancel this payment: only bank transfers can be canceled while open. "
                "It expires by itself if the customer does not pay.")
    return f"Mollie cannot cancel this payment: it is {payment.status}."


def cancel_order(*, order_id, actor) -> Order:
    """Cancels open attempts at Mollie, then the order itself (stock goes back)."""
    order = _get_order(order_id)
    if order is None or not order.is_open_for_payment:
        raise ActionRefused("Only orders waiting for payment can be canceled.")
    attempts = attempts_of(order_id)
    if any(attempt.status == AttemptStatus.OPEN and not attempt.is_cancelable for attempt in attempts):
        raise ActionRefused("This order has an open payment that Mollie cannot cancel (only bank transfers can be "
                            "canceled while open). It expires by itself; the order closes then.")
    for attempt in attempts:
        if attempt.status == AttemptStatus.OPEN:
            cancel_attempt(order_id=order_id, attempt_no=attempt.attempt_no, actor=actor)
        elif attempt.status in (AttemptStatus.PENDING, AttemptStatus.AUTHORIZED):
            raise ActionRefused("A payment of this order is being processed; it cannot be canceled now.")
    order = _get_order(order_id)
    if order.is_paid:
        raise ActionRefused("This order was paid in the meantime.")
    order = close_order(order_id=order_id, status=OrderStatus.CANCELED, source="staff", actor=actor,
                        reason="Canceled by staff")
    if order.is_open_for_payment:
        raise ActionRefused("A payment for this order is just being started; try again in a minute.")
    return order


def refund_payment(*, order_id, amount_cents, refund_key, actor, attempt_no=None, description="") -> Refund:
    """Refunds (part of) a paid attempt. The same `refund_key` twice refunds once."""
    order = _get_order(order_id)
    if order is None:
        raise RefundRefused("This order does not exist.")
    attempt_no = attempt_no or order.paid_attempt_no
    attempt = _get_attempt(order_id, attempt_no) if attempt_no else None
    if attempt is None or attempt.status != AttemptStatus.PAID:
        raise RefundRefused("Only paid payments can be refunded.")
    existing = _get_refund(order_id, refund_key)
    if existing is not None and not existing.mollie_refund_id:
        # Confirmed again after no answer: Mollie may have made it, and forgets our idempotency
        # key after an hour. Its refund list, matched by our key, says (Mollie's refunds guide).
        _sync_refunds(order, attempt, strict=True)
        existing = _get_refund(order_id, refund_key)
    if existing is not None and existing.mollie_refund_id:
        return existing  # a double submit: already done
    if existing is None:
        _refuse_while_a_refund_is_unconfirmed(order, attempt)
        remaining = attempt.refundable_cents(refunds_of(order_id))
        if not 0 < amount_cents <= remaining:
            raise RefundRefused(f"The amount must be between {_money(1, attempt.currency)} and "
                                f"{_money(remaining, attempt.currency)}.")
        now = timezone.now()
        existing = Refund(order_id, refund_key, attempt_no=attempt_no, mollie_payment_id=attempt.mollie_payment_id,
                          amount_cents=amount_cents, currency=attempt.currency, description=description,
                          created_by=actor, created_at=now, updated_at=now)
        try:
            existing.save(condition=Refund.refund_key.does_not_exist())
        except PutError as error:
            if not dynamodb.is_condition_failure(error):
                raise
            existing = _get_refund(order_id, refund_key)  # the twin submit got here first
        else:
            record_event(order_id=order_id, kind="refund_requested", source="staff", actor=actor,
                         attempt_no=attempt_no, message=_money(amount_cents, attempt.currency))
            _mark_refunds_unsettled(attempt, True)
    try:
        mollie_refund = mollie.create_refund(
            payment_id=existing.mollie_payment_id, amount_cents=existing.amount_cents, currency=existing.currency,
            description=existing.description or f"Refund for order {order_id}", idempotency_key=refund_key,
            refund_key=refund_key,
        )
    except mollie.PaymentRejected as error:
        _update_refund(existing, status="rejected")
        record_event(order_id=order_id, kind="refund_rejected", source="staff", actor=actor,
                     attempt_no=attempt_no, message=str(error))
        if isinstance(error, mollie.DuplicateRefund):
            raise RefundRefused(
                f"Mollie refused this refund as a duplicate: a refund of {_money(existing.amount_cents, existing.currency)} "
                "was already made on this payment within the last hour. Check the refunds below; if a second "
                "refund is really meant, use a different amount or try again in an hour.") from error
        raise RefundRefused(f"Mollie refused the refund: {error}") from error
    try:
        # Only the first of two racing twin submits records the refund; Mollie made it once.
        _update_refund(existing, status=mollie_refund.status, mollie_refund_id=mollie_refund.id,
                       condition=Refund.mollie_refund_id.does_not_exist())
    except UpdateError as error:
        if not dynamodb.is_condition_failure(error):
            raise
        return _get_refund(order_id, refund_key)
    record_event(order_id=order_id, kind="refund_created", source="staff", actor=actor, attempt_no=attempt_no,
                 message=f"{mollie_refund.id}: {_money(existing.amount_cents, existing.currency)}, {mollie_refund.status}")
    try:
        sync_attempt(attempt=attempt, source="staff", actor=actor)
    except mollie.PaymentProviderError as error:
        # The refund exists at Mollie; its amounts arrive with the refund webhook or reconciliation.
        log.info("sync after refund postponed", extra={"order_id": order_id, "error": str(error)})
    return existing


def _refuse_while_a_refund_is_unconfirmed(order, attempt):
    """A refund we asked for but never heard back about may exist at Mollie: until it is known,
    a new one could pay out twice. Mollie's list (matched by our key) usually settles it."""
    if not any(refund.status == "requested" for refund in refunds_of(order.order_id)):
        return
    _sync_refunds(order, attempt)
    unconfirmed = [refund for refund in refunds_of(order.order_id) if refund.status == "requested"]
    if unconfirmed:
        raise RefundRefused(f"An earlier refund of {_money(unconfirmed[0].amount_cents, unconfirmed[0].currency)} "
                            "is not confirmed by Mollie yet. Submit that refund again, or refresh from Mollie first.")


def mark_double_payment_handled(*, order_id, attempt_no, actor, note="") -> PaymentAttempt:
    for write_try in optimistic_retries(order_id):
        order, attempt = _get_order(order_id), _get_attempt(order_id, attempt_no)
        if attempt is None or not attempt.needs_refund:
            raise ActionRefused("This payment attempt is not flagged as a double payment.")
        if attempt.double_payment_handled:
            return attempt
        now = timezone.now()
        attempt.double_payment_handled, attempt.updated_at = True, now
        handled_reason = _double_payment_reason(attempt_no, order.paid_attempt_no)
        order.attention_reasons = [reason for reason in order.attention_reasons or [] if reason != handled_reason]
        order.needs_attention, order.updated_at = bool(order.attention_reasons), now
        events = [_event(order, "double_payment_handled", "staff", now, attempt=attempt, actor=actor, message=note)]
        try:
            _commit(saves=[order, attempt], events=events)
        except _Conflict as conflict:
            write_try.lost(conflict)
            continue
        return attempt


def _confirmed_refund_total(payment):
    """A lower amountRefunded than ours is either a failed/canceled refund or a stale answer:
    Mollie's refund list, read now, tells which."""
    refunds = mollie.list_refunds(payment.id)  # if Mollie is down, the webhook answers 5xx: asked again
    # Like Mollie's amountRefunded: refunds it has processed, not those still pending.
    confirmed = sum(refund.amount_cents for refund in refunds if refund.status == "refunded")
    return dataclasses.replace(payment, amount_refunded_cents=confirmed)


def _sync_refunds(order, attempt, strict=False):
    """Brings our refund records in line with Mollie's (refund webhooks carry the payment id).
    `strict`: Mollie's list must be read (before posting a refund again); errors are raised."""
    try:
        mollie_refunds = mollie.list_refunds(attempt.mollie_payment_id)
    except mollie.PaymentProviderError as error:
        if strict:
            raise
        log.info("refund sync postponed", extra={"order_id": order.order_id, "error": str(error)})
        return
    ours = refunds_of(order.order_id)
    by_mollie_id = {refund.mollie_refund_id: refund for refund in ours if refund.mollie_refund_id}
    by_key = {refund.refund_key: refund for refund in ours}
    for mollie_refund in mollie_refunds:
        refund = by_mollie_id.get(mollie_refund.id)
        if refund is None and mollie_refund.refund_key in by_key:
            # Ours, but its webhook came before we stored Mollie's id (or our write was lost).
            refund = by_key[mollie_refund.refund_key]
            try:
                _update_refund(refund, mollie_refund_id=mollie_refund.id, status=mollie_refund.status,
                               condition=Refund.mollie_refund_id.does_not_exist())
            except UpdateError as error:
                if not dynamodb.is_condition_failure(error):
                    raise
            else:
                record_event(order_id=order.order_id, kind="refund_created", source="mollie",
                             attempt_no=attempt.attempt_no, message=f"{mollie_refund.id}: {mollie_refund.status}")
            continue
        if refund is None:
            # Made elsewhere (e.g. Mollie's dashboard): keep a record so the timeline is complete.
            now = timezone.now()
            refund = Refund(order.order_id, mollie_refund.id, attempt_no=attempt.attempt_no,
                            mollie_payment_id=attempt.mollie_payment_id, mollie_refund_id=mollie_refund.id,
                            amount_cents=mollie_refund.amount_cents, currency=mollie_refund.currency,
                            status=mollie_refund.status, created_by="mollie", created_at=now, updated_at=now)
            try:
                refund.save(condition=Refund.refund_key.does_not_exist())
            except PutError as error:
                if not dynamodb.is_condition_failure(error):
                    raise
                continue  # a concurrent sync recorded it
            record_event(order_id=order.order_id, kind="refund_found", source="mollie", attempt_no=attempt.attempt_no,
                         message=f"{mollie_refund.id}: {mollie_refund.status}")
        elif refund.status != mollie_refund.status:
            previous = refund.status
            _update_refund(refund, status=mollie_refund.status)
            record_event(order_id=order.order_id, kind="refund_status_changed", source="mollie",
                         attempt_no=attempt.attempt_no, from_status=previous, to_status=mollie_refund.status,
                         message=mollie_refund.id)
    unsettled = any(refund.attempt_no == attempt.attempt_no and refund.status in REFUND_STATUSES_UNSETTLED
                    for refund in refunds_of(order.order_id))
    _mark_refunds_unsettled(attempt, unsettled)


def _mark_refunds_unsettled(attempt, unsettled):
    """Keeps the attempt in (or out of) the sparse index reconciliation follows refunds by."""
    if bool(attempt.refunds_unsettled) == unsettled:
        return
    action = PaymentAttempt.refunds_unsettled.set("yes") if unsettled else PaymentAttempt.refunds_unsettled.remove()
    # No version check: this flag is only ever recomputed from the refund records.
    attempt.update(actions=[action], add_version_condition=False)


def _update_refund(refund, condition=None, **changes):
    changes["updated_at"] = timezone.now()
    refund.update(actions=[getattr(Refund, name).set(value) for name, value in changes.items()], condition=condition)


# --- Reconciliation -----------------------------------------------------------------------------


# A run starts an item only with time left for a Mollie call that can still get an answer
# (payments.mollie) and the writes that store it: this many DynamoDB tries (config.deadline).
RECONCILE_ITEM_WRITES = 3
# An open attempt is synced again after as long as it had been open at its last sync (at least
# the stale threshold, at most this): a bank transfer open for days costs a few calls a day.
RESYNC_BACKOFF_CAP = timedelta(hours=1)
# Errors that concern one order or attempt; the run goes on with the next one.
RECONCILE_ITEM_ERRORS = (mollie.PaymentProviderError, ConcurrentUpdateConflict, PynamoDBException, BotoCoreError)


@dataclasses.dataclass
class ReconcileSummary:
    synced: int = 0
    abandoned: int = 0
    expired: int = 0
    still_waiting: int = 0
    not_due: int = 0  # open attempts synced recently; their next sync waits (back-off)
    left_for_next_run: int = 0  # due, but not reached before the deadline
    errors: list = dataclasses.field(default_factory=list)


def reconcile(*, now=None, stale_after_seconds=None, on_progress=None, time_limit_seconds=None) -> ReconcileSummary:
    """Closes orders waiting too long, then syncs attempts whose webhook is late or lost.

    Overdue orders come first, so their stock comes back even when syncing cannot finish.
    Attempts are synced least recently synced first, each with a back-off. The run stops
    starting work when its deadline is near (`time_limit_seconds`, or the caller's deadline)
    and reports what it left for the next run. An error concerns one item, not the run.
    Safe to run while webhooks arrive, and twice at once: every change is a versioned write.
    """
    token = deadline.start(time_limit_seconds) if time_limit_seconds is not None else None
    try:
        return _reconcile(now or timezone.now(), stale_after_seconds, on_progress or (lambda message: None))
    finally:
        if token is not None:
            deadline.reset(token)


def _reconcile(now, stale_after_seconds, progress):
    stale_after = timedelta(seconds=settings.PAYMENT_STALE_AFTER_SECONDS if stale_after_seconds is None
                            else stale_after_seconds)
    summary = ReconcileSummary()
    window = timedelta(seconds=settings.ORDER_PAYMENT_WINDOW_SECONDS)
    overdue = list(Order.status_index.query(OrderStatus.PENDING_PAYMENT, Order.created_at < now - window))
    for done, order in enumerate(overdue):
        if not _time_for_one_more(summary, len(overdue) - done):
            break
        try:
            outcome = _close_overdue_order(order, summary)
        except RECONCILE_ITEM_ERRORS as error:
            summary.errors.append(f"{order.order_id}: {error}")
            continue
        progress(f"{outcome} {order.order_id}")

    never_registered = list(PaymentAttempt.attempt_status_index.query(
        AttemptStatus.CREATED, PaymentAttempt.created_at < now - stale_after))
    for done, attempt in enumerate(never_registered):
        if not _time_for_one_more(summary, len(never_registered) - done):
            break
        try:
            abandoned = _abandon_attempt(attempt.order_id, attempt.attempt_no)
        except RECONCILE_ITEM_ERRORS as error:
            summary.errors.append(f"{attempt.order_id}/{attempt.attempt_no}: {error}")
            continue
        if abandoned:
            summary.abandoned += 1
            progress(f"abandoned {attempt.order_id} attempt {attempt.attempt_no} (never reached Mollie)")

    waiting = [attempt for status in (AttemptStatus.OPEN, AttemptStatus.PENDING, AttemptStatus.AUTHORIZED)
               for attempt in PaymentAttempt.attempt_status_index.query(status,
                                                                        PaymentAttempt.created_at < now - stale_after)]
    # Paid attempts with refunds Mollie has not finished: no webhook comes when one is canceled.
    waiting += PaymentAttempt.unsettled_refunds_index.query("yes", PaymentAttempt.created_at < now - stale_after)
    due = [attempt for attempt in waiting if _resync_due(attempt, now, stale_after)]
    summary.not_due = len(waiting) - len(due)
    due.sort(key=lambda attempt: attempt.last_synced_at or attempt.created_at)
    for done, attempt in enumerate(due):
        if not _time_for_one_more(summary, len(due) - done):
            break
        try:
            synced = sync_attempt(attempt=attempt, source="reconcile")
            _mark_synced(synced)
        except RECONCILE_ITEM_ERRORS as error:
            summary.errors.append(f"{attempt.order_id}/{attempt.attempt_no}: {error}")
            continue
        summary.synced += 1
        progress(f"synced {attempt.order_id} attempt {attempt.attempt_no}")

    # Orders paid at the same moment may have missed each other in the e-mail index.
    for order in Order.status_index.query(OrderStatus.PAID, Order.created_at > now - 2 * window):
        try:
            if flag_duplicate_paid_orders(order=order, source="reconcile"):
                progress(f"possible duplicate {order.order_id}")
        except RECONCILE_ITEM_ERRORS as error:
            summary.errors.append(f"{order.order_id}: {error}")
    return summary


def _time_for_one_more(summary, left):
    if deadline.remaining() >= RECONCILE_ITEM_WRITES * deadline.write_seconds():
        return True
    summary.left_for_next_run += left
    return False


def _resync_due(attempt, now, stale_after):
    if not stale_after or attempt.last_synced_at is None:
        return True  # a threshold of 0 asks for everything now (tests, an operator's manual run)
    open_at_last_sync = attempt.last_synced_at - attempt.created_at
    if open_at_last_sync < stale_after:
        return True  # last synced by its checkout or a webhook, before it was overdue
    return now - attempt.last_synced_at >= min(open_at_last_sync, RESYNC_BACKOFF_CAP)


def _mark_synced(attempt):
    """Remembers an unchanged sync too (apply_mollie_payment writes only changes), for the back-off."""
    now = timezone.now()
    if attempt.last_synced_at and now - attempt.last_synced_at < timedelta(seconds=1):
        return  # the sync changed the attempt and stamped it just now
    try:
        attempt.update(actions=[PaymentAttempt.last_synced_at.set(now)], add_version_condition=False)
    except UpdateError as error:
        if dynamodb.write_lost(error) is None:
            raise
        # A webhook is writing the attempt right now: its sync stands in for this one.


def _close_overdue_order(order, summary):
    for attempt in attempts_of(order.order_id):
        if attempt.status == AttemptStatus.CREATED and _abandon_attempt(order.order_id, attempt.attempt_no):
            # Never reached Mollie and the window is over (overdue orders go first, before the
            # pass over never-registered attempts).
            summary.abandoned += 1
            continue
        if attempt.status in AttemptStatus.WAITING and attempt.mollie_payment_id:
            try:
                payment = mollie.get_payment(attempt.mollie_payment_id)
            except mollie.PaymentNotFound:
                # Mollie does not know it (another API key or account, or a reset sandbox): it
                # can never be paid, so it must not keep the order and its stock forever.
                _give_up_attempt(order.order_id, attempt.attempt_no, "Mollie does not know this payment")
                continue
            apply_mollie_payment(payment=payment, source="reconcile")
            # Never canceled here: Mollie expires open payments itself (15 minutes for iDEAL, up
            # to 12+ days for a bank transfer, whose money often arrives days later). Until
            # then the order keeps waiting.
    order = _get_order(order.order_id)
    if not order.is_open_for_payment:
        return f"settled ({order.status})"
    if any(a.status in (AttemptStatus.OPEN, AttemptStatus.PENDING, AttemptStatus.AUTHORIZED)
           for a in attempts_of(order.order_id)):
        summary.still_waiting += 1
        return "still settling"
    order = close_order(order_id=order.order_id, status=OrderStatus.EXPIRED, source="reconcile",
                        reason="No successful payment within the payment window")
    if order.is_open_for_payment:
        summary.still_waiting += 1  # a payment started meanwhile; the next run looks again
        return "still settling"
    summary.expired += 1
    return "expired"


def _abandon_attempt(order_id, attempt_no):
    return _give_up_attempt(order_id, attempt_no, "Never registered at Mollie", only_if=AttemptStatus.CREATED)


def _give_up_attempt(order_id, attempt_no, reason, *, only_if=None):
    """Marks an attempt `abandoned`: it cannot be paid as far as we can tell. Mollie's answer, if
    one ever comes, still wins over it (see AttemptStatus.RANK)."""
    for write_try in optimistic_retries(order_id):
        order, attempt = _get_order(order_id), _get_attempt(order_id, attempt_no)
        if attempt is None or attempt.status not in ({only_if} if only_if else AttemptStatus.WAITING):
            return False
        now = timezone.now()
        events = [_status_event(order, attempt, AttemptStatus.ABANDONED, "reconcile", now, message=reason)]
        attempt.status, attempt.updated_at = AttemptStatus.ABANDONED, now
        saves = [attempt]
        if attempt.attempt_no == order.attempt_count:
            _copy_latest(order, attempt, now)
            saves.append(order)
        try:
            _commit(saves=saves, events=events)
        except _Conflict as conflict:
            write_try.lost(conflict)
            continue
        return True


# --- Reads used by the workflow -----------------------------------------------------------------


def attempts_of(order_id):
    return list(PaymentAttempt.query(order_id, consistent_read=True))


def refunds_of(order_id):
    return list(Refund.query(order_id, consistent_read=True))


def _get_order(order_id):
    try:
        return Order.get(order_id, consistent_read=True)
    except Order.DoesNotExist:
        return None


def _get_order_and_attempt(order_id, attempt_no):
    """Both in one strongly consistent read (TransactGetItems): the webhook's hot path.

    DynamoDB cancels a TransactGetItems that overlaps a write on its items (TransactionConflict):
    wait and read again, like a write that met a busy item.
    """
    for read_try in optimistic_retries(order_id):
        try:
            with TransactGet(connection=dynamodb.connection()) as transaction:
                order_future = transaction.get(Order, order_id)
                attempt_future = transaction.get(PaymentAttempt, order_id, attempt_no)
        except TransactGetError as error:
            read_try.lost(error)
            continue
        return _resolved(order_future), _resolved(attempt_future)


def _resolved(future):
    try:
        return future.get()
    except (Order.DoesNotExist, PaymentAttempt.DoesNotExist):
        return None


def _get_attempt(order_id, attempt_no):
    try:
        return PaymentAttempt.get(order_id, attempt_no, consistent_read=True)
    except PaymentAttempt.DoesNotExist:
        return None


def _get_refund(order_id, refund_key):
    try:
        return Refund.get(order_id, refund_key, consistent_read=True)
    except Refund.DoesNotExist:
        return None


def _attempt_by_mollie_id(payment_id):
    for attempt in PaymentAttempt.mollie_payment_index.query(payment_id, limit=1):
        return _get_attempt(attempt.order_id, attempt.attempt_no)
    return None


# --- Events and writes --------------------------------------------------------------------------


def record_event(*, order_id, kind, source, actor="", attempt_no=None, mollie_payment_id=None,
                 from_status=None, to_status=None, message=""):
    now = timezone.now()
    event = PaymentEvent(order_id, _event_id(now, next(_event_sequence)), kind=kind, source=source, actor=actor, attempt_no=attempt_no,
                         mollie_payment_id=mollie_payment_id, from_status=from_status, to_status=to_status,
                         message=message[:1000], created_at=now)
    event.save()
    _log_events([event])
    return event


def _event(order, kind, source, now, *, attempt=None, actor="", from_status=None, to_status=None, message=""):
    return PaymentEvent(
        order.order_id, _event_id(now, next(_event_sequence)), kind=kind, source=source, actor=actor,
        attempt_no=attempt.attempt_no if attempt else None,
        mollie_payment_id=attempt.mollie_payment_id if attempt else None,
        from_status=from_status, to_status=to_status, message=(message or "")[:1000], created_at=now,
    )


def _status_event(order, attempt, new_status, source, now, message=""):
    return _event(order, "attempt_status_changed", source, now, attempt=attempt, from_status=attempt.status,
                  to_status=new_status, message=message)


def _event_id(now, sequence):
    # Time first so a Query returns the timeline in order; the rest keeps ids unique.
    return f"{now.isoformat()}#{sequence % 10000:04d}{secrets.token_hex(3)}"


# A versioned write that lost to another writer (condition failed, or the item was busy).
_Conflict = dynamodb.WriteLost


def _commit(*, saves=(), new_items=(), events=(), stock_returns=(), now=None):
    """One transaction: versioned saves, new items (must not exist), events, stock given back."""
    try:
        with TransactWrite(connection=dynamodb.connection()) as transaction:
            for item in saves:
                transaction.save(item)
            for item in new_items:
                hash_key = type(item)._hash_key_attribute()
                transaction.save(item, condition=hash_key.does_not_exist())
            for event in events:
                transaction.save(event)
            for line in stock_returns:
                transaction.update(Article(line.slug),
                                   actions=[Article.stock.add(line.quantity), Article.updated_at.set(now)])
    except TransactWriteError as error:
        lost = dynamodb.write_lost(error)
        if lost is None:
            raise  # a ValidationError or the like: a bug, not a race
        raise lost from error
    for item in saves:
        item._changed = False
    _log_events(events)


def _log_events(events):
    """One log line per stored event. Ids and statuses only: messages may quote people or Mollie."""
    for event in events:
        workflow_log.info(event.kind, extra={
            "order_id": event.order_id, "attempt_no": event.attempt_no, "mollie_payment_id": event.mollie_payment_id,
            "from_status": event.from_status, "to_status": event.to_status, "source": event.source,
        })


def _money(cents, currency):
    return f"{currency} {cents // 100}.{cents % 100:02d}"
