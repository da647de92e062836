"""Stock: reserved when an order is placed, given back once when it closes unpaid. Both are
conditional writes of shop.models.Article that go into the change's one transaction (`commit`),
so the stock moves with the order or not at all.
"""

from shop.models import Article


def reservations(lines, now):
    """The writes that reserve an order's `lines`: ((Article, actions, condition) updates, and
    (model, key, condition) checks). A line that reserves stock takes its quantity only if that
    much is left; every line's article must still be sold."""
    updates, checks = [], []
    for line in lines:
        if line.reserves_stock:
            updates.append(
                (
                    Article(line.slug),
                    [Article.stock.add(-line.quantity), Article.updated_at.set(now)],
                    (Article.stock >= line.quantity) & (Article.active == True),  # noqa: E712
                )
            )
        else:
            checks.append((Article, line.slug, Article.active == True))  # noqa: E712
    return updates, checks


def give_back(order, now):
    """The updates that return what `order` reserved, exactly once: marks the order (saved in the
    same transaction) so a second close gives nothing back."""
    if order.stock_released:
        return []
    order.stock_released = True
    return [
        (Article(line.slug), [Article.stock.add(back), Article.updated_at.set(now)], None)
        for line in order.lines
        # What staff released unshipped came back then (release_rest): never twice.
        if line.reserves_stock and (back := int(line.quantity) - int(line.released_quantity or 0)) > 0
    ]


def give_back_unshipped(order, now):
    """Pay later, "Release the rest": the updates that return the stock of what is left to ship, and
    mark it released on the lines (saved with the order in the same transaction: exactly once)."""
    updates = []
    for line in order.lines:
        left = line.quantity_to_ship
        if left <= 0:
            continue
        line.released_quantity = int(line.released_quantity or 0) + left
        if line.reserves_stock:
            updates.append((Article(line.slug), [Article.stock.add(left), Article.updated_at.set(now)], None))
    return updates
