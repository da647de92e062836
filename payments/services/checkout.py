"""Checkout: a cart becomes one order (and its first attempt), stock reserved, all or nothing;
a changed cart replaces its earlier order.
"""

import hashlib
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext

from config.dynamodb import WriteLost, optimistic_retries, retries_exhausted
from payments.enums import AttemptStatus, EventKind, EventSource, OrderStatus, PaymentMethod
from payments.errors import CheckoutRefused, EarlierOrderInTheWay, ErrorCode
from payments.locales import active_language
from payments.models import Order, OrderLine
from payments.selectors import get_order
from payments.services import stock, transfer_limits
from payments.services.changes import new_event
from payments.services.delivery import Delivery, apply_delivery, delivery_changed
from payments.services.orders import close_order
from payments.services.paying import earlier_order_paid, new_attempt, payment_in_the_way, stop_payments
from payments.services.writes import commit
from shop.money import format_money
from shop.selectors import articles_by_slug


def order_id_for_checkout(checkout_id: str) -> str:
    """The same checkout form submitted twice yields the same order id, hence one order."""
    digest = hashlib.sha256(f"order:{checkout_id}".encode()).hexdigest().upper()
    return f"SO-{digest[:5]}-{digest[5:10]}"


# A cart that keeps being checked out again through closed (expired, canceled) orders stops here.
MAX_CLOSED_ORDERS_PER_CART = 50


def checkout_id_for_cart(*, cart_id: str, quantities: dict[str, int]) -> str:
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
        order = get_order(order_id_for_checkout(checkout_id))
        if order is None or order.status not in OrderStatus.CLOSED_UNPAID:
            return checkout_id, order
        checkout_id = hashlib.sha256(f"after:{checkout_id}".encode()).hexdigest()[:32]
    raise CheckoutRefused(
        ErrorCode.CART_CHECKED_OUT_TOO_OFTEN,
        gettext("This cart cannot be checked out again; please empty it and start a new one."),
    )


def check_out_cart(
    *,
    cart_id: str,
    checkout_id: str,
    quantities: dict[str, int],
    customer_name: str,
    customer_email: str,
    earlier_order_id: str | None = None,
    method: str | None = None,
    delivery: Delivery | None = None,
    client_address: str | None = None,
) -> Order:
    """The checkout form: continues the cart's order, or replaces the cart's earlier order.

    `checkout_id` is the one the checkout page showed; if the cart changed since (in another tab)
    the shopper confirms the new total first. Before a changed cart gets a new order, the earlier
    order's payment is stopped at Mollie where it can be, and the earlier order is closed as
    replaced, its stock given back (release_replaced_order). Only an earlier order paid meanwhile
    stops the new one (EarlierOrderInTheWay): the shopper looks at it before ordering again.
    """
    current_id, order = _cart_order(cart_id, quantities)
    if checkout_id != current_id:
        raise CheckoutRefused(
            ErrorCode.CART_CHANGED,
            gettext("Your cart changed while you were checking out. Please check it and confirm again."),
        )
    if earlier_order_id and earlier_order_id != order_id_for_checkout(checkout_id):
        release_replaced_order(order_id=earlier_order_id, replaced_by=order_id_for_checkout(checkout_id))
    if order is not None and order.is_open_for_payment and delivery_changed(order, delivery):
        # Another address (back from Mollie, another country): replaced like a changed cart.
        release_replaced_order(order_id=order.order_id)
        checkout_id, order = _cart_order(cart_id, quantities)
    if order is not None:
        # The back button, a second tab, a double submit: continue this order and its payment (a
        # method chosen this time does not replace a payment already started at Mollie).
        return order
    return place_order(
        checkout_id=checkout_id,
        quantities=quantities,
        customer_name=customer_name,
        customer_email=customer_email,
        known_new=True,
        method=method,
        delivery=delivery,
        client_address=client_address,
    )


def release_changed_cart_order(*, order_id: str, quantities: dict[str, int]) -> None:
    """A changed cart gives its open order's stock back at once, where no payment can still take
    money; otherwise EarlierOrderInTheWay tells the shopper to finish or wait for that payment."""
    order = get_order(order_id)
    if order is None or not order.is_open_for_payment:
        return
    if {line.slug: line.quantity for line in order.lines} == quantities:
        return  # changed back to what the order holds: it can still be paid as it is
    release_replaced_order(order_id=order_id)


def release_replaced_order(*, order_id: str, replaced_by: str | None = None) -> Order | None:
    """Stops the payments of an order the shopper replaced by another, then cancels it (stock back).

    Without `replaced_by` (the cart only changed) it raises EarlierOrderInTheWay when a payment of
    it can still be paid and Mollie will not cancel it (only bank transfers and direct debits are
    cancelable while open). With it (the shopper checks out the changed cart), the order is closed
    as replaced all the same: a shopper can always buy the cart they have. Should that payment be
    paid after all, the order is flagged for staff to refund it (merge: paid after replaced).
    Raises EarlierOrderInTheWay when the order was paid.
    """
    order = get_order(order_id)
    if order is None or not order.is_open_for_payment:
        return order
    try:
        stop_payments(order, reason="Replaced by a changed cart")
    except EarlierOrderInTheWay as in_the_way:
        if replaced_by is None or in_the_way.code != ErrorCode.EARLIER_PAYMENT_IN_PROGRESS:
            raise
    order = close_order(
        order_id=order_id,
        status=OrderStatus.CANCELED,
        source=EventSource.SHOPPER,
        reason=f"The shopper changed the cart; the order was replaced by {replaced_by or 'a new one'}",
        tell_shopper=False,  # they are placing its replacement right now
        replaced_by=replaced_by,
    )
    assert order is not None  # close_order returns None only for an order that does not exist
    if order.is_sold:
        raise earlier_order_paid(order)
    if order.is_open_for_payment:
        raise payment_in_the_way(order)  # a payment was started meanwhile, in another tab
    return order


def place_order(
    *,
    checkout_id: str,
    quantities: dict[str, int],
    customer_name: str,
    customer_email: str,
    now: datetime | None = None,
    known_new: bool = False,
    method: str | None = None,
    delivery: Delivery | None = None,
    client_address: str | None = None,
) -> Order:
    """Creates the order and its first payment attempt and reserves stock, all or nothing.

    Prices come from the catalog; `quantities` maps article slug to quantity. `known_new`: the
    caller has just seen that the order does not exist (the write is conditional anyway).
    `client_address`: who placed it, for the limits on open bank transfers (transfer_limits).
    """
    order_id = order_id_for_checkout(checkout_id)
    for write_try in optimistic_retries(order_id):
        existing = None if known_new else get_order(order_id)
        known_new = False
        if existing is not None:
            return existing  # a double submit of the same checkout form
        now = now or timezone.now()
        lines, stock_before = _order_lines(quantities)
        order = new_order(
            order_id, lines, customer_name=customer_name, customer_email=customer_email, now=now, delivery=delivery
        )
        _offer_transfer_or_not(order, stock_before, method=method, client_address=client_address)
        attempt = new_attempt(order, 1, now, method=method)
        placed = new_event(
            order,
            EventKind.ORDER_PLACED,
            EventSource.CHECKOUT,
            now,
            message=f"Total {format_money(order.total_cents, order.currency, language='en')}",
        )
        reservations, still_sold = stock.reservations(order.lines, now)
        try:
            commit(new_items=[order, attempt], events=[placed], updates=reservations, checks=still_sold)
        except WriteLost as lost:
            write_try.lost(lost)
            # Lost a race: for the last item in stock, to a double submit, or a plain conflict.
            # Re-reading tells which; the loop raises or returns the winner's order.
            now = None
            continue
        return order
    retries_exhausted(order_id)


def _offer_transfer_or_not(order, stock_before, *, method, client_address):
    """Decides whether the order may be paid by bank transfer (transfer_limits): a transfer chosen
    here that may not is refused before anything is reserved; otherwise the reason is kept, and
    the payment offers every other method (paying.py)."""
    order.client_key = transfer_limits.client_key(client_address)
    why = transfer_limits.refusal(
        lines=order.lines, stock_before=stock_before, email=order.customer_email, client=order.client_key
    )
    if why and method == PaymentMethod.BANK_TRANSFER:
        raise CheckoutRefused(ErrorCode.BANK_TRANSFER_NOT_OFFERED, why)
    order.no_transfer_because = why


def new_order(
    order_id: str,
    lines: list[tuple[OrderLine, str]],
    *,
    customer_name: str,
    customer_email: str,
    now: datetime,
    delivery: Delivery | None = None,
) -> Order:
    """The order for `lines` ((OrderLine, currency) pairs from the catalog) and its delivery (the
    addresses, and shipping added to the total), not stored yet. Refused when its articles are
    priced in different currencies, or when it comes to more than one payment may take."""
    currencies = {currency for _, currency in lines}
    if len(currencies) != 1:
        raise CheckoutRefused(
            ErrorCode.MIXED_CURRENCIES, gettext("These articles cannot be paid together; please order them separately.")
        )
    order_lines = [line for line, _ in lines]
    order = Order(
        order_id,
        public_token=secrets.token_urlsafe(24),
        customer_name=customer_name,
        customer_email=customer_email.lower(),
        lines=order_lines,
        total_cents=sum(line.total_cents for line in order_lines),
        currency=currencies.pop(),
        language=active_language(),  # the request's, as LocaleMiddleware activated it
        created_at=now,
        updated_at=now,
        expires_at=now + timedelta(seconds=settings.ORDER_PAYMENT_WINDOW_SECONDS),
        attempt_count=1,
        latest_attempt_status=AttemptStatus.CREATED,
    )
    apply_delivery(order, delivery)
    _refuse_above_mollie_limit(int(order.total_cents), order.currency)
    return order


def _refuse_above_mollie_limit(total_cents, currency):
    if total_cents > settings.MOLLIE_MAX_AMOUNT_CENTS:
        # Mollie would refuse the payment (422 on `amount`), and every "Pay again" with it.
        limit = format_money(settings.MOLLIE_MAX_AMOUNT_CENTS, currency)
        raise CheckoutRefused(
            ErrorCode.AMOUNT_TOO_HIGH,
            gettext(
                "Your order comes to more than %(limit)s, the most our payment provider accepts "
                "in one payment. Please split it into smaller orders."
            )
            % {"limit": limit},
        )


def _order_lines(quantities):
    articles = articles_by_slug(quantities)
    if not quantities:
        raise CheckoutRefused(ErrorCode.CART_EMPTY, gettext("Your cart is empty."))
    lines, sold_out, stock_before = [], [], {}
    for slug, quantity in quantities.items():
        article = articles.get(slug)
        if article is None or not article.active:
            raise CheckoutRefused(
                ErrorCode.ARTICLE_NOT_SOLD,
                gettext("An article in your cart is no longer sold; please check your cart."),
            )
        if article.stock is not None and article.stock < quantity:
            sold_out.append(article.name)
            continue
        stock_before[slug] = None if article.stock is None else int(article.stock)
        line = OrderLine(
            slug=slug,
            name=article.name,
            unit_price_cents=article.price_cents,
            quantity=quantity,
            reserves_stock=article.stock is not None,
            vat_rate=article.vat_rate or settings.SHOP_DEFAULT_VAT_RATE,
            sku=article.sku,
        )
        lines.append((line, article.currency))
    if sold_out:
        raise CheckoutRefused(
            ErrorCode.OUT_OF_STOCK,
            gettext("Not enough stock for: %(articles)s. Please change your cart.")
            % {"articles": ", ".join(sorted(sold_out))},
        )
    return lines, stock_before
