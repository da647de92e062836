"""Paying an order: its first payment, "try again" and "pay again", one payable payment at a time."""

import ipaddress
import logging
import secrets
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from config.dynamodb import WriteLost, optimistic_retries, retries_exhausted
from payments import mollie, mollie_payload
from payments.enums import AttemptStatus, EventKind, EventSource, OrderStatus, PaymentMethod
from payments.errors import PAYMENT_NOT_STOPPED, REJECTED_PAYMENT, EarlierOrderInTheWay, ErrorCode, OrderNotPayable
from payments.locales import in_order_language
from payments.models import Order, PaymentAttempt
from payments.selectors import attempts_of, get_attempt, get_order
from payments.services import transfer_limits
from payments.services.changes import copy_latest, new_event, status_event
from payments.services.methods import captures_on_shipment, forget_methods, methods_for
from payments.services.orders import give_up_attempt
from payments.services.sync import apply_mollie_payment
from payments.services.writes import commit, record_event

log = logging.getLogger("payments.services")

# Mollie remembers an Idempotency-Key for one hour; past this, a stuck attempt gets a fresh one.
IDEMPOTENCY_KEY_LIFETIME = timedelta(minutes=50)
# How long to wait for a twin request (a double click, a second tab) Mollie is still processing.
TWIN_REQUEST_DELAYS = (0.3, 0.6, 1.2)


def pay_order(*, order_id: str, order: Order | None = None, method: str | None = None) -> str:
    """Returns the Mollie checkout URL to send the shopper to for this order.

    Used for the first payment, for "try again" when Mollie could not be reached, and for
    "pay again" after a failed, canceled or expired attempt. A double click gets the same page.
    `order`, when given, is a fresh read (or the write just made) and saves reading it again.
    `method`: chosen at checkout or with "pay again" (checked by the caller); a new attempt is sent
    with it, and an open payment of the order with another method is switched to it (the back
    button, a second tab, "try again"), as Mollie allows.
    """
    others_stopped = False
    for write_try in optimistic_retries(order_id):
        now = timezone.now()
        order = _payable(order or get_order(order_id), now)
        if method == PaymentMethod.BANK_TRANSFER and order.no_transfer_because:
            raise OrderNotPayable(ErrorCode.BANK_TRANSFER_NOT_OFFERED, order.no_transfer_because)
        if order.latest_attempt_status == AttemptStatus.OPEN and order.latest_checkout_url:
            if method and order.latest_method != method and order.latest_mollie_payment_id:
                return _switch_method(order, order.latest_mollie_payment_id, method) or order.latest_checkout_url
            return order.latest_checkout_url
        latest = get_attempt(order_id, int(order.attempt_count))
        assert latest is not None  # the order's attempt_count names an attempt written with it
        if latest.status == AttemptStatus.CREATED and now - latest.created_at < IDEMPOTENCY_KEY_LIFETIME:
            # "Try again": the same request under the same key first (Mollie may have created the
            # payment before the answer was lost); another method chosen now is then switched to.
            registered = register_attempt(order=order, attempt=latest)
            if method and registered.method != method and registered.status == AttemptStatus.OPEN:
                return _switch_method(order, registered.mollie_payment_id, method) or registered.checkout_url
            return registered.checkout_url
        if latest.status == AttemptStatus.OPEN and latest.checkout_url:
            return latest.checkout_url
        refuse_another_payment(latest)
        if not others_stopped:
            # One payable payment at a time: an older attempt may still be open at Mollie.
            _stop_other_payments(order)
            others_stopped, order = True, None
            continue
        # The latest attempt did not succeed (or is too old to retry with its key): start a new one.
        attempt, event = _next_attempt(order, latest, now, method)
        try:
            commit(saves=[order, latest], new_items=[attempt], events=[event])
        except WriteLost as conflict:
            write_try.lost(conflict)
            order = None
            continue
        return register_attempt(order=order, attempt=attempt).checkout_url
    retries_exhausted(order_id)


def register_attempt(*, order: Order, attempt: PaymentAttempt) -> PaymentAttempt:
    """Creates the Mollie payment for a `created` attempt and stores it.

    Raises PaymentProviderUnavailable when Mollie cannot be reached: the attempt stays `created`
    and a retry reuses its idempotency key, so Mollie never creates a second payment for it.
    """
    try:
        payment = _create_payment_waiting_for_twin(order, attempt)
    except mollie.PaymentProviderUnavailable as error:
        record_event(
            order_id=order.order_id,
            kind=EventKind.PAYMENT_CREATE_FAILED,
            source=EventSource.CHECKOUT,
            attempt_no=int(attempt.attempt_no),
            message=str(error),
        )
        raise
    except mollie.PaymentRejected as error:
        if attempt.method and error.field in METHOD_REFUSAL_FIELDS:
            # The method was listed when the page was shown (the list is cached for minutes) but
            # Mollie refuses it now: the shopper chooses on Mollie's page instead, same checkout.
            attempt = _drop_refused_method(order, attempt, str(error))
            if attempt.status == AttemptStatus.CREATED:
                return register_attempt(order=order, attempt=attempt)  # without a method: no loop
            if attempt.status != AttemptStatus.REJECTED:
                return attempt  # a twin request (a double click) registered it meanwhile
        _reject_attempt(order.order_id, attempt.attempt_no, str(error))
        raise OrderNotPayable(ErrorCode.PAYMENT_REJECTED, str(REJECTED_PAYMENT)) from error
    return apply_mollie_payment(payment=payment, source=EventSource.CHECKOUT, known=(order, attempt)) or attempt


# Mollie's 422 for a method it no longer takes names `method` ("invalid or not enabled"); for one
# whose limits or currencies changed, `amount` or `amount.currency` (Create payment reference).
METHOD_REFUSAL_FIELDS = frozenset({"method", "amount", "amount.currency"})


def _drop_refused_method(order, attempt, reason):
    """The attempt goes on without its method, under a new Idempotency-Key: Mollie refuses a key
    reused with another body (400), and the refused request created no payment to find again."""
    forget_methods(amount_cents=int(attempt.amount_cents), currency=attempt.currency)
    for write_try in optimistic_retries(order.order_id):
        attempt = get_attempt(order.order_id, attempt.attempt_no) or attempt
        if attempt.status != AttemptStatus.CREATED or not attempt.method:
            return attempt  # a twin request dropped it (or got further) first
        now = timezone.now()
        message = f"Mollie refused the method {attempt.method}; the shopper chooses on Mollie's page ({reason})"
        event = new_event(order, EventKind.METHOD_REFUSED, EventSource.CHECKOUT, now, attempt=attempt, message=message)
        attempt.method, attempt.updated_at = None, now
        attempt.idempotency_key = f"{order.order_id}-{attempt.attempt_no}-{secrets.token_hex(8)}"
        try:
            commit(saves=[attempt], events=[event])
        except WriteLost as conflict:
            write_try.lost(conflict)
            continue
        return attempt


def _switch_method(order, payment_id, method):
    """The open payment continues with the method the shopper chose this time. Where Mollie will
    not change it (the shopper is inside a method already, or Mollie is down), it continues as it
    is: the shopper can still choose on Mollie's page, and nothing is paid twice."""
    try:
        payment = mollie.update_payment_method(payment_id, method)
    except mollie.PaymentProviderError as error:
        if isinstance(error, mollie.PaymentRejected):
            forget_methods(amount_cents=int(order.total_cents), currency=order.currency)  # a stale list
        log.info(
            "payment method not changed; the payment continues as it is",
            extra={"order_id": order.order_id, "error": str(error)},
        )
        return None
    apply_mollie_payment(payment=payment, source=EventSource.SHOPPER)
    return payment.checkout_url if payment.status == AttemptStatus.OPEN else None


def _create_payment_waiting_for_twin(order, attempt):
    """Mollie answers 409 while the same Idempotency-Key is in flight (a double click from two
    tabs): wait briefly for the twin to finish, then get its payment back."""
    method, due_date = _methods_offered(order, attempt)
    # Back from Mollie in the order's language (article links too), whichever page started it.
    with in_order_language(order):
        redirect_url = settings.PUBLIC_BASE_URL + thank_you_path(order)
        fields = mollie_payload.order_fields(
            order, default_rate=settings.SHOP_DEFAULT_VAT_RATE, product_url_for=_product_url
        )
    for twin_try in optimistic_retries(attempt.idempotency_key, delays=TWIN_REQUEST_DELAYS):
        try:
            return mollie.create_payment(
                amount_cents=attempt.amount_cents,
                currency=attempt.currency,
                description=f"Order {order.order_id}",
                redirect_url=redirect_url,
                webhook_url=webhook_url(),
                metadata={"order_id": order.order_id, "attempt_no": attempt.attempt_no},
                idempotency_key=attempt.idempotency_key,
                method=method,
                due_date=due_date,
                capture_manually=captures_on_shipment(method),
                order_fields=fields,
            )
        except mollie.PaymentRequestInProgress:
            if twin_try.is_last:
                raise
            twin_try.wait()


def _product_url(slug):
    return settings.PUBLIC_BASE_URL + reverse("shop:article", args=[slug])


def _methods_offered(order, attempt):
    """The `method` to send (the one chosen, or a list that leaves out a bank transfer the order
    may not be paid by) and the dueDate of a payment that may become a bank transfer."""
    if attempt.method:
        if attempt.method != PaymentMethod.BANK_TRANSFER:
            return attempt.method, None
        return attempt.method, transfer_limits.due_date(attempt.created_at)
    if not order.no_transfer_because:
        return None, transfer_limits.due_date(attempt.created_at)
    offered = methods_for(amount_cents=int(attempt.amount_cents), currency=attempt.currency)
    if offered is None:
        raise mollie.PaymentProviderUnavailable("Mollie's list of methods is unavailable")
    others = [method.id for method in offered if method.id != PaymentMethod.BANK_TRANSFER]
    if not others:
        # Nothing else fits this amount: Mollie decides (it refuses an amount no method takes), and
        # a transfer, if it is the only way, is still held to its short dueDate.
        return None, transfer_limits.due_date(attempt.created_at)
    return others, None


def webhook_url() -> str | None:
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
        order, attempt = get_order(order_id), get_attempt(order_id, attempt_no)
        assert attempt is not None  # the caller just tried to register it
        if attempt.status != AttemptStatus.CREATED:
            return None
        now = timezone.now()
        events = [status_event(order, attempt, AttemptStatus.REJECTED, EventSource.CHECKOUT, now, message=reason)]
        attempt.status, attempt.last_error, attempt.updated_at = AttemptStatus.REJECTED, reason[:500], now
        copy_latest(order, attempt, now)
        try:
            return commit(saves=[order, attempt], events=events)
        except WriteLost as conflict:
            write_try.lost(conflict)
            continue


def _not_payable(order):
    if order.status == OrderStatus.AUTHORIZED:
        return OrderNotPayable(
            ErrorCode.ALREADY_PAID, _("This order is placed already: you pay later, nothing more to do.")
        )
    if order.is_paid:
        return OrderNotPayable(ErrorCode.ALREADY_PAID, _("This order has been paid already."))
    if order.status == OrderStatus.EXPIRED:
        return OrderNotPayable(
            ErrorCode.ORDER_EXPIRED, _("This order has expired. Your cart is kept: you can place it again.")
        )
    return OrderNotPayable(
        ErrorCode.ORDER_CANCELED, _("This order was canceled. Your cart is kept: you can place it again.")
    )


def thank_you_path(order: Order) -> str:
    return reverse("shop:order", kwargs={"order_id": order.order_id, "token": order.public_token})


def _payable(order, now):
    """The order, if a payment may be started for it now."""
    if order is None:
        raise OrderNotPayable(ErrorCode.ORDER_NOT_FOUND, _("This order does not exist."))
    if not order.is_open_for_payment:
        raise _not_payable(order)
    if now >= order.expires_at:
        # Reconciliation is about to expire it and give its stock back: no new payment now.
        raise OrderNotPayable(
            ErrorCode.PAYMENT_WINDOW_OVER,
            _("The time to pay for this order has run out. Your cart is kept: you can place it again."),
        )
    return order


def refuse_another_payment(latest):
    """No new attempt while the latest one may still take money, or after Mollie refused it."""
    if latest.status in (AttemptStatus.PENDING, AttemptStatus.AUTHORIZED, AttemptStatus.PAID):
        raise OrderNotPayable(
            ErrorCode.PAYMENT_IN_PROGRESS, _("Your payment is being processed; there is no need to pay again.")
        )
    if latest.status == AttemptStatus.REJECTED:
        # Mollie refused the request itself (a 422 names the field, e.g. the amount): the same
        # order would be refused again, so "Pay again" is never offered for it.
        raise OrderNotPayable(ErrorCode.PAYMENT_REJECTED, str(REJECTED_PAYMENT))


def _stop_other_payments(order):
    try:
        stop_payments(order, reason="Replaced by a new payment attempt")
    except EarlierOrderInTheWay as in_the_way:
        if in_the_way.order.is_sold:
            raise OrderNotPayable(ErrorCode.ALREADY_PAID, _("This order has been paid already.")) from in_the_way
        raise OrderNotPayable(ErrorCode.EARLIER_PAYMENT_IN_PROGRESS, str(PAYMENT_NOT_STOPPED)) from in_the_way


def _next_attempt(order, latest, now, method):
    """The order's next attempt and its timeline line; the order (and a latest attempt that never
    reached Mollie, now given up) changed to match, to be saved with them."""
    attempt = new_attempt(order, order.attempt_count + 1, now, method=method)
    if latest.status == AttemptStatus.CREATED:
        latest.status = AttemptStatus.ABANDONED
        latest.updated_at = now
    order.attempt_count = attempt.attempt_no
    order.latest_attempt_status = attempt.status
    order.latest_mollie_payment_id = None
    order.latest_checkout_url = None
    order.updated_at = now
    event = new_event(
        order, EventKind.PAYMENT_RETRY, EventSource.SHOPPER, now, attempt=attempt, message="New payment attempt"
    )
    return attempt, event


def new_attempt(order, attempt_no, now, *, method=None):
    return PaymentAttempt(
        order.order_id,
        attempt_no,
        status=AttemptStatus.CREATED,
        method=method,  # sent to Mollie with it (and again with the same key on "try again")
        idempotency_key=f"{order.order_id}-{attempt_no}-{secrets.token_hex(8)}",
        amount_cents=order.total_cents,
        currency=order.currency,
        created_at=now,
        updated_at=now,
    )


def stop_payments(order, *, reason):
    """Before another payment is created, every payment of `order` that could still take money is
    canceled at Mollie. Mollie refuses that for most methods while they are open (isCancelable
    false: mollie/api-documentation#675), so a refusal is the common case, not an error."""
    for attempt in attempts_of(order.order_id):
        if attempt.status == AttemptStatus.CREATED and not attempt.mollie_payment_id:
            # Never reached Mollie: give it up, so it cannot be registered later. Mollie's answer,
            # should a twin request still be in flight, wins over `abandoned` (AttemptStatus.RANK).
            give_up_attempt(order.order_id, attempt.attempt_no, reason, only_if=AttemptStatus.CREATED)
            continue
        if attempt.status not in AttemptStatus.WAITING or not attempt.mollie_payment_id:
            continue
        try:
            payment = mollie.get_payment(attempt.mollie_payment_id)
        except mollie.PaymentNotFound:
            # Mollie does not know it (another account, a reset sandbox): it can never be paid.
            give_up_attempt(order.order_id, attempt.attempt_no, "Mollie does not know this payment")
            continue
        attempt = apply_mollie_payment(payment=payment, source=EventSource.SHOPPER) or attempt
        if attempt.status == AttemptStatus.OPEN and payment.is_cancelable:
            payment = _cancel_or_reread(attempt.mollie_payment_id)
            attempt = apply_mollie_payment(payment=payment, source=EventSource.SHOPPER, record_call=True) or attempt
        if attempt.status in (AttemptStatus.OPEN, AttemptStatus.PENDING, AttemptStatus.AUTHORIZED):
            raise payment_in_the_way(get_order(order.order_id) or order)
        if attempt.status == AttemptStatus.PAID:
            raise earlier_order_paid(get_order(order.order_id) or order)


def _cancel_or_reread(payment_id):
    """Cancels an open payment at Mollie; Mollie's payment as it then is.

    A twin request (a double click) may be canceling it right now (409) or have canceled it
    already (422), or a method was chosen meanwhile (422): reading it again tells which.
    """
    for twin_try in optimistic_retries(payment_id, delays=TWIN_REQUEST_DELAYS):
        try:
            return mollie.cancel_payment(payment_id, idempotency_key=f"cancel-{payment_id}")
        except mollie.PaymentRequestInProgress:
            if twin_try.is_last:
                raise
            twin_try.wait()
        except mollie.PaymentRejected:
            return mollie.get_payment(payment_id)


def earlier_order_paid(order):
    return EarlierOrderInTheWay(
        ErrorCode.EARLIER_ORDER_PAID,
        _("Your earlier order %(order_id)s has been paid. Please look at it before you order again.")
        % {"order_id": order.order_id},
        order=order,
    )


def payment_in_the_way(order):
    return EarlierOrderInTheWay(
        ErrorCode.EARLIER_PAYMENT_IN_PROGRESS,
        _(
            "Your earlier order %(order_id)s still has a payment in progress that our payment provider "
            "cannot stop. Please finish that payment, or wait until it expires (usually within 15 to 30 "
            "minutes), before you order something else."
        )
        % {"order_id": order.order_id},
        order=order,
    )
