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


def add(session, slug, quantity=1):
    set_quantity(session, slug, stored_quantities(session).get(slug, 0) + quantity)


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
