"""Shipping zones and what shipping costs: the countries the shop ships to, read once and kept
briefly (SHIPPING_ZONES_CACHE_SECONDS), so the cart and checkout add no DynamoDB call per page.

Until staff store zones of their own, the shop ships to the defaults below (docs/shipping.md).
"""

import threading
import time
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from payments import vat
from payments.vat import shipping_cents
from shop.models import ZONES_PARTITION, ShippingZone

# The first zones of a new shop: the Netherlands, and its neighbours at a higher price.
DEFAULT_ZONES: tuple[dict, ...] = (
    {"zone_id": "nl", "name": "Netherlands", "countries": ["NL"], "price_cents": 495, "free_above_cents": 5000},
    {
        "zone_id": "eu",
        "name": "Belgium, Germany, France, Austria, Luxembourg",
        "countries": ["BE", "DE", "FR", "AT", "LU"],
        "price_cents": 995,
        "free_above_cents": 10000,
        "delivery_days": "2-4",
    },
)

SESSION_COUNTRY_KEY = "shipping_country"  # a country code only: no personal data in the cookie

_cache: dict = {}
_cache_lock = threading.Lock()


@dataclass(frozen=True)
class ShippingQuote:
    country: str
    zone: ShippingZone
    cents: int

    @property
    def is_free(self):
        return self.cents == 0


def zones() -> list[ShippingZone]:
    """The shop's zones, from a copy at most SHIPPING_ZONES_CACHE_SECONDS old."""
    with _cache_lock:
        cached = _cache.get("zones")
        if cached and time.monotonic() - cached[0] < settings.SHIPPING_ZONES_CACHE_SECONDS:
            return cached[1]
    stored = list(ShippingZone.query(ZONES_PARTITION))
    found = stored or [ShippingZone(ZONES_PARTITION, **zone) for zone in DEFAULT_ZONES]
    for zone in found:
        zone.vat_rate = zone.vat_rate or settings.SHOP_DEFAULT_VAT_RATE
    with _cache_lock:
        _cache["zones"] = (time.monotonic(), found)
    return found


def forget_zones() -> None:
    """After staff changed a zone: this process reads them again (others within the cache time)."""
    with _cache_lock:
        _cache.clear()


def countries() -> list[str]:
    """Every country shipped to, in the order staff listed them."""
    return [str(country) for zone in zones() for country in zone.countries]


def zone_for(country: str) -> ShippingZone | None:
    return next((zone for zone in zones() if country in zone.countries), None)


def chosen_country(session) -> str:
    """The country the shopper chose in the cart, or the shop's default until then."""
    country = session.get(SESSION_COUNTRY_KEY)
    shipped_to = countries()
    if country in shipped_to:
        return country
    if settings.SHOP_DEFAULT_COUNTRY in shipped_to or not shipped_to:
        return settings.SHOP_DEFAULT_COUNTRY  # with no zone at all, the cart shows no shipping price
    return shipped_to[0]


def choose_country(session, country: str) -> bool:
    if country not in countries():
        return False
    session[SESSION_COUNTRY_KEY] = country
    return True


def quote(*, country: str, subtotal_cents: int) -> ShippingQuote | None:
    """What shipping a cart of `subtotal_cents` to `country` costs; None where the shop does not ship."""
    zone = zone_for(country)
    if zone is None:
        return None
    cents = shipping_cents(
        price_cents=int(zone.price_cents),
        free_above_cents=None if zone.free_above_cents is None else int(zone.free_above_cents),
        subtotal_cents=subtotal_cents,
    )
    return ShippingQuote(country=country, zone=zone, cents=cents)


def save_zone(
    *, zone_id: str, name: str, countries: list[str], price_cents: int, free_above_cents, vat_rate, delivery_days
):
    """Staff's change of a zone; a country moves to this zone from any other."""
    now = timezone.now()
    current = {zone.zone_id: zone for zone in zones()}
    if not list(ShippingZone.query(ZONES_PARTITION, limit=1)):
        for zone in current.values():  # the defaults become stored zones staff can change
            zone.updated_at = now
            zone.save()
    for other in current.values():
        if other.zone_id != zone_id and set(other.countries) & set(countries):
            other.countries = [country for country in other.countries if country not in countries]
            other.updated_at = now
            other.save()
    ShippingZone(
        ZONES_PARTITION,
        zone_id,
        name=name,
        countries=countries,
        price_cents=price_cents,
        free_above_cents=free_above_cents,
        vat_rate=vat_rate,
        delivery_days=delivery_days,
        updated_at=now,
    ).save()
    forget_zones()


@dataclass(frozen=True)
class CartTotals:
    """What the cart and checkout show: articles, shipping to `country`, the total and its VAT."""

    country: str
    subtotal_cents: int
    shipping: ShippingQuote | None
    total_cents: int
    vat: list  # (rate, cents), highest rate first

    @property
    def country_name(self):
        from shop.addresses import country_name

        return country_name(self.country)


@dataclass(frozen=True)
class _Line:
    name: str
    quantity: int
    unit_price_cents: int
    vat_rate: str
    sku: str | None = None


def cart_totals(cart, country: str) -> CartTotals:
    lines = [
        _Line(line.article.name, line.quantity, line.article.price_cents, line.article.vat_rate or "")
        for line in cart.lines
    ]
    quote_ = quote(country=country, subtotal_cents=cart.total_cents)
    shipping_cost = quote_.cents if quote_ else 0
    payment_lines = vat.payment_lines(
        lines,
        shipping_cents=shipping_cost,
        shipping_vat_rate=quote_.zone.vat_rate if quote_ else settings.SHOP_DEFAULT_VAT_RATE,
        default_rate=settings.SHOP_DEFAULT_VAT_RATE,
    )
    return CartTotals(
        country=country,
        subtotal_cents=cart.total_cents,
        shipping=quote_,
        total_cents=cart.total_cents + shipping_cost,
        vat=vat.vat_by_rate(payment_lines),
    )


def country_options() -> list[tuple[str, str]]:
    """(code, name) of every country shipped to, for the cart's country choice."""
    from shop.addresses import country_name

    return [(code, country_name(code)) for code in countries()]
