from shop import cart


def cart_summary(request):
    # Reads only the cookie: no DynamoDB call on every page.
    return {"cart_item_count": cart.item_count(request.session) if hasattr(request, "session") else 0}
