"""The cart lives in the signed-cookie session: only slugs and quantities, never prices.

Prices and totals are always computed from the catalog on the server, so a tampered cookie or
form can at worst name another article or quantity, never a price.
"""

import re
import secrets
from dataclasses import dataclass

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

    @property
    def total_cents(self):
        return self.article.price_cents * self.quantity


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
CAPPED = "capped"  # MAX_QUANTITY of the article reached: some or none added


# A cart holding articles in two currencies (a price changed while they were in it): said on the
# cart page, and the checkout offers no form that could not succeed (payments refuses it too).
MIXED_CURRENCIES = (
    "Your cart holds articles priced in different currencies, which cannot be paid together. "
    "Remove those in one currency and order them separately."
)


@dataclass(frozen=True)
class AddOutcome:
    quantity: int  # of the article in the cart now
    refused: str = ""


def add(session, article, quantity=1) -> AddOutcome:
    """Adds `quantity` of `article`, as far as the cart can take it, and says how far that was."""
    quantities = stored_quantities(session)
    held = quantities.get(article.slug, 0)
    if not held:
        if len(quantities) >= MAX_LINES:
            return AddOutcome(0, CART_FULL)
        if any(line.article.currency != article.currency for line in load(session).lines):
            return AddOutcome(0, OTHER_CURRENCY)
    wanted = held + quantity
    set_quantity(session, article.slug, wanted)
    return AddOutcome(min(wanted, MAX_QUANTITY), CAPPED if wanted > MAX_QUANTITY else "")


def clear(session):
    """After a paid order: the next cart is a new cart, with orders of its own."""
    session.pop(SESSION_KEY, None)
    session.pop(CART_ID_KEY, None)


def load(session) -> Cart:
    """The cart with articles from the catalog; inactive or unknown articles are dropped."""
    quantities = stored_quantities(session)
    articles = articles_by_slug(quantities)
    lines, dropped = [], []
    for slug, quantity in quantities.items():
        article = articles.get(slug)
        if article is None or not article.active:
            dropped.append(slug)
        else:
            lines.append(CartLine(article=article, quantity=quantity))
    if dropped:
        session[SESSION_KEY] = {slug: q for slug, q in quantities.items() if slug not in dropped}
    lines.sort(key=lambda line: line.article.position)
    return Cart(lines=lines, dropped=dropped)
