"""The payment methods offered at checkout: Mollie's list for the cart's amount, cached briefly in
this process so a checkout page view costs no Mollie call in the common case (a reload, a second
tab, the form shown again, its submit). Mollie names the methods in the `locale` asked for, so
each locale has a list of its own. When Mollie cannot answer, None: the page falls back to
"choose on Mollie's page"."""

import logging
import threading
import time

from django.conf import settings

from payments import mollie
from payments.enums import PaymentMethod

log = logging.getLogger("payments.services")

# Mollie changes a profile's methods rarely (the shop owner enables one in the dashboard).
CACHE_SECONDS = 300
# After a failure, the page does without a choice for a while instead of waiting on Mollie again.
FAILURE_CACHE_SECONDS = 30
# A page view waits at most this long for the list (the payment itself has the longer timeout).
READ_TIMEOUT_SECONDS = 3
MAX_CACHED_AMOUNTS = 512

# Authorize now, capture when the parcel ships (docs/pay-later.md). Mollie lists them for a billing
# country they serve; without one the shop does not offer them.
PAY_LATER_METHODS = frozenset({"klarna", "riverty", "in3", "billie"})

_cache: dict[tuple, tuple[float, tuple[mollie.MollieMethod, ...] | None]] = {}
_lock = threading.Lock()


def methods_for(
    *, amount_cents: int, currency: str, billing_country: str | None = None, locale: str | None = None
) -> tuple[mollie.MollieMethod, ...] | None:
    """The methods Mollie offers for this amount and currency (and billing country: the pay-later
    methods only with one), named in `locale` (payments.locales.mollie_locale; none: Mollie's
    English), or None when it cannot say now."""
    key = (settings.MOLLIE_API_ENDPOINT, settings.MOLLIE_API_KEY, int(amount_cents), currency, billing_country, locale)
    now = time.monotonic()
    with _lock:
        cached = _cache.get(key)
    if cached is not None and cached[0] > now:
        return cached[1]
    methods: tuple[mollie.MollieMethod, ...] | None
    try:
        listed = mollie.list_methods(
            amount_cents=amount_cents,
            currency=currency,
            read_timeout_seconds=READ_TIMEOUT_SECONDS,
            billing_country=billing_country,
            locale=locale,
        )
        methods = tuple(m for m in listed if billing_country or m.id not in PAY_LATER_METHODS)
        lifetime = CACHE_SECONDS
    except mollie.PaymentProviderError as error:
        log.info("payment methods unavailable; the shopper chooses on Mollie's page", extra={"error": str(error)})
        methods, lifetime = None, FAILURE_CACHE_SECONDS
    with _lock:
        if len(_cache) >= MAX_CACHED_AMOUNTS:
            _cache.clear()  # bounded memory; a warm container simply asks again
        _cache[key] = (now + lifetime, methods)
    return methods


def forget_methods(*, amount_cents: int | None = None, currency: str | None = None) -> None:
    """Forgets the list for one amount (Mollie just refused a method it listed: its list changed),
    or every list (tests; an operator who just enabled a method)."""
    with _lock:
        if amount_cents is None:
            _cache.clear()
            return
        for key in [key for key in _cache if key[2:4] == (int(amount_cents), currency)]:
            del _cache[key]


# Billie is pay later for businesses: Mollie requires billingAddress.organizationName (specs.yaml,
# create-payment; docs/pay-later.md), so the shop offers it only to a shopper who gave a company name.
BUSINESS_METHODS = frozenset({"billie"})


def methods_to_choose(
    *, amount_cents: int, currency: str, billing_country: str | None, for_business: bool, locale: str | None = None
) -> tuple | None:
    """The methods a shopper may choose in the shop (checkout, "Pay again"): Mollie's list for the
    amount and billing country, named in the page's `locale`, Billie only `for_business` (a company
    name was given)."""
    methods = methods_for(amount_cents=amount_cents, currency=currency, billing_country=billing_country, locale=locale)
    if methods is None:
        return None
    return tuple(method for method in methods if for_business or method.id not in BUSINESS_METHODS)


def methods_for_business_only(
    *, amount_cents: int, currency: str, billing_country: str | None, locale: str | None = None
) -> tuple:
    """Those of Mollie's list for the amount and billing country that only a business may choose
    (Billie): the checkout shows them, to be chosen once a company name is filled in."""
    listed = methods_for(amount_cents=amount_cents, currency=currency, billing_country=billing_country, locale=locale)
    methods = listed or ()
    return tuple(method for method in methods if method.id in BUSINESS_METHODS)


def captures_on_shipment(method: str | None) -> bool:
    """Pay later is authorized now and captured as it ships (docs/pay-later.md); so are cards when
    the shop charges them on shipping (CARD_CAPTURE_ON_SHIPMENT)."""
    if not isinstance(method, str):  # none chosen, or a list to choose from on Mollie's page
        return False
    return method in PAY_LATER_METHODS or (method == PaymentMethod.CREDIT_CARD and settings.CARD_CAPTURE_ON_SHIPMENT)
