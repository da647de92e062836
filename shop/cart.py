"""The cart lives in the signed-cookie session: only slugs and quantities, never prices.

Prices and totals are always computed from the catalog on the server, so a tampered cookie or
form can at worst name another article or quantity, never a price.
"""

import re
import secrets
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shop.models import Article
from shop.selectors import articles_by_slug

SESSION_KEY = "cart"
# Names the cart across the shopper's tabs: checking it out again continues its one order.
CART_ID_KEY = "cart_id"
MAX_QUANTITY = 20
MAX_LINES = 30


@dataclass(frozen=True)
class CartLine:
    article: Article
    quantity: int
    # Units of this article the cart's own open order holds: back from Mollie, they are still its.
    held: int = 0

    @property
    def total_cents(self):
        return self.article.price_cents * self.quantity

    @property
    def left(self):
        """How many this cart can have (None: stock not tracked)."""
        return None if self.article.stock is None else max(0, int(self.article.stock)) + self.held

    @property
    def max_quantity(self):
        return MAX_QUANTITY if self.left is None else min(self.left, MAX_QUANTITY)

    @property
    def short(self):
        """The cart holds more than is left: its checkout would be refused."""
        return self.left is not None and self.quantity > self.left


@dataclass(frozen=True)
class Cart:
    lines: list
    dropped: list  # slugs no longer sold, removed from the cart

    @property
    def total_cents(self):
        return sum(line.total_cents for line in self.lines)

    @property
    def currency(self):
        return self.lines[0].article.currency if self.lines else "EUR"

    @property
    def currencies(self):
        return sorted({line.article.currency for line in self.lines})

    @property
    def mixed_currencies(self):
        """An article's currency changed while it was in the cart: one order is paid in one currency."""
        return len(self.currencies) > 1

    @property
    def item_count(self):
        return sum(line.quantity for line in self.lines)

    def quantities(self):
        return {line.article.slug: line.quantity for line in self.lines}

    @property
    def short_lines(self):
        return [line for line in self.lines if line.short]


def shortage_message(lines) -> str:
    """What the cart and checkout say when the cart holds more than is left (before any details)."""
    parts = [
        _("%(article)s is sold out") % {"article": line.article.name}
        if not line.left
        else _("only %(left)s %(article)s left") % {"article": line.article.name, "left": line.left}
        for line in lines
    ]
    text = "; ".join(parts)
    shortages = f"{text[0].upper()}{text[1:]}"
    return _("%(shortages)s. Please change your cart before you check out.") % {"shortages": shortages}


def own_order_holds(session) -> dict:
    """What the cart's open order (placed, not paid yet) reserves, by slug: the shopper may still
    buy it, so it counts as left for them."""
    from payments.selectors import get_order  # the payments app only where a cart has an order

    order_id = session.get("last_order_id")
    order = get_order(order_id) if isinstance(order_id, str) and order_id else None
    if order is None or not order.is_open_for_payment or order.stock_released:
        return {}
    return {line.slug: int(line.quantity) for line in order.lines if line.reserves_stock}


def stored_quantities(session) -> dict:
    """What the cookie says, cleaned: a tampered cookie yields a smaller cart, never an error."""
    raw = session.get(SESSION_KEY)
    if not isinstance(raw, dict):
        return {}
    cleaned = {}
    for slug, quantity in list(raw.items())[:MAX_LINES]:
        if isinstance(slug, str) and isinstance(quantity, int) and 0 < quantity <= MAX_QUANTITY:
            cleaned[slug] = quantity
    return cleaned


def item_count(session) -> int:
    return sum(stored_quantities(session).values())


def cart_id(session) -> str:
    """This cart's id; made with the cart's first article, so every tab shares it."""
    value = session.get(CART_ID_KEY)
    if not (isinstance(value, str) and re.fullmatch(r"[0-9a-f]{32}", value)):
        value = session[CART_ID_KEY] = secrets.token_hex(16)
    return value


def set_quantity(session, slug, quantity):
    cart_id(session)
    quantities = stored_quantities(session)
    if quantity <= 0:
        quantities.pop(slug, None)
    elif slug in quantities or len(quantities) < MAX_LINES:
        quantities[slug] = min(quantity, MAX_QUANTITY)
    session[SESSION_KEY] = quantities


# Why `add` put in less than asked (AddOutcome.refused).
CART_FULL = "cart_full"  # MAX_LINES articles already: nothing added
OTHER_CURRENCY = "other_currency"  # one order is paid in one currency: nothing added
SOLD_OUT = "sold_out"  # none left for this cart: nothing added
SHORT = "short"  # fewer left than asked: what is left added
CAPPED = "capped"  # MAX_QUANTITY of the article reached: some or none added


# A cart holding articles in two currencies (a price changed while they were in it): said on the
# cart page, and the checkout offers no form that could not succeed (payments refuses it too).
MIXED_CURRENCIES = gettext_lazy(
    "Your cart holds articles priced in different currencies, which cannot be paid together. "
    "Remove those in one currency and order them separately."
)


@dataclass(frozen=True)
class AddOutcome:
    quantity: int  # of the article in the cart now
    refused: str = ""
    left: int | None = None  # how many this cart may hold (None: stock not tracked)


def add(session, article, quantity=1) -> AddOutcome:
    """Adds `quantity` of `article`, as far as the cart and the stock can take it, and says how
    far that was. Never takes away what the cart already holds."""
    quantities = stored_quantities(session)
    held = quantities.get(article.slug, 0)
    if not held:
        if len(quantities) >= MAX_LINES:
            return AddOutcome(0, CART_FULL)
        if any(line.article.currency != article.currency for line in load(session).lines):
            return AddOutcome(0, OTHER_CURRENCY)
    wanted = held + quantity
    left = left_for(session, article)
    if left is not None and min(wanted, MAX_QUANTITY) > left:
        if left <= held:
            return AddOutcome(held, SOLD_OUT if held == 0 else SHORT, left)
        set_quantity(session, article.slug, left)
        return AddOutcome(left, SHORT, left)
    set_quantity(session, article.slug, wanted)
    return AddOutcome(min(wanted, MAX_QUANTITY), CAPPED if wanted > MAX_QUANTITY else "", left)


def left_for(session, article) -> int | None:
    """How many of `article` this cart may hold (None: not tracked): what is on the shelf plus
    what its own open order holds."""
    if article.stock is None:
        return None
    return max(0, int(article.stock)) + own_order_holds(session).get(article.slug, 0)


def clear(session):
    """After a paid order: the next cart is a new cart, with orders of its own."""
    session.pop(SESSION_KEY, None)
    session.pop(CART_ID_KEY, None)


def load(session, *, with_stock=False) -> Cart:
    """The cart with articles from the catalog; inactive or unknown articles are dropped.
    `with_stock`: each line also knows what its own open order holds (one more read)."""
    quantities = stored_quantities(session)
    articles = articles_by_slug(quantities)
    held = own_order_holds(session) if with_stock and quantities else {}
    lines, dropped = [], []
    for slug, quantity in quantities.items():
        article = articles.get(slug)
        if article is None or not article.active:
            dropped.append(slug)
        else:
            lines.append(CartLine(article=article, quantity=quantity, held=held.get(slug, 0)))
    if dropped:
        session[SESSION_KEY] = {slug: q for slug, q in quantities.items() if slug not in dropped}
    lines.sort(key=lambda line: line.article.position)
    return Cart(lines=lines, dropped=dropped)
