"""The cart: its page, and adding or changing what is in it. A changed cart gives its earlier
order's stock back at once (payments.services), so these import the workflow."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.html import format_html
from django.views.decorators.http import require_GET, require_POST

from config.dynamodb import ConcurrentUpdateConflict
from payments import mollie, services
from shop import cart as shop_cart
from shop import shipping
from shop.forms import CartAddForm, CartUpdateForm
from shop.selectors import article_by_slug


@require_GET
def cart_detail(request):
    cart = shop_cart.load(request.session)
    if cart.dropped:
        messages.warning(request, "Some articles are no longer sold and were removed from your cart.")
    if cart.mixed_currencies:
        messages.error(request, shop_cart.MIXED_CURRENCIES)
    country = shipping.chosen_country(request.session)
    context = {"cart": cart, "totals": shipping.cart_totals(cart, country), "countries": shipping.country_options()}
    return render(request, "shop/cart.html", context)


@require_POST
def cart_add(request):
    form = CartAddForm(request.POST)
    form.is_valid()
    slug = form.cleaned_data.get("slug")
    article = article_by_slug(slug) if slug else None
    if article is None or not article.active:
        messages.error(request, "That article is not available.")
        return redirect("shop:index")
    if "quantity" in form.errors:
        messages.error(request, str(form.errors["quantity"][0]))  # ErrorList items are messages (str)
        return redirect("shop:article", slug=article.slug)
    added = shop_cart.add(request.session, article, form.cleaned_data["quantity"] or 1)
    if added.refused in (shop_cart.CART_FULL, shop_cart.OTHER_CURRENCY):
        messages.error(request, _not_added_message(article, added.refused, request.session))
        return redirect("shop:cart")
    _release_changed_cart_order(request)
    if added.refused == shop_cart.CAPPED:
        messages.warning(
            request,
            f"You can order at most {shop_cart.MAX_QUANTITY} of one article: "
            f"your cart now has {added.quantity} × {article.name}.",
        )
        return redirect("shop:cart")
    if request.POST.get("buy_now"):
        return redirect("shop:checkout")
    messages.success(request, f"{article.name} was added to your cart.")
    return redirect("shop:cart")


def _not_added_message(article, refused, session):
    if refused == shop_cart.CART_FULL:
        return (
            f"{article.name} was not added: your cart is full ({shop_cart.MAX_LINES} different articles). "
            "Remove an article to make room, or check out this cart first."
        )
    cart_currency = shop_cart.load(session).currency
    return (
        f"{article.name} was not added: it is priced in {article.currency} and your cart in {cart_currency}, "
        "and one order is paid in one currency. Check out this cart first, then order it separately."
    )


@require_POST
def cart_update(request):
    removing = bool(request.POST.get("remove"))
    # Remove needs no quantity: whatever is in the box, the article goes.
    form = CartUpdateForm({**request.POST.dict(), "quantity": 0} if removing else request.POST)
    if not form.is_valid():
        messages.error(
            request,
            str(form.errors["quantity"][0]) if "quantity" in form.errors else "That article is not in your cart.",
        )
        return redirect("shop:cart")
    if form.cleaned_data["slug"] not in shop_cart.stored_quantities(request.session):
        # Only "Add to cart" adds an article: it checks the cart has room and the same currency.
        messages.error(request, "That article is not in your cart.")
        return redirect("shop:cart")
    shop_cart.set_quantity(request.session, form.cleaned_data["slug"], form.cleaned_data["quantity"])
    _release_changed_cart_order(request)
    messages.success(request, "Your cart was updated.")
    return redirect("shop:cart")


def _release_changed_cart_order(request):
    """A changed cart gives its earlier order's stock back now, not when that order expires."""
    order_id = request.session.get("last_order_id")
    if not order_id:
        return
    try:
        services.release_changed_cart_order(order_id=order_id, quantities=shop_cart.stored_quantities(request.session))
    except services.EarlierOrderInTheWay as in_the_way:
        messages.warning(request, earlier_order_message(in_the_way))
    except (mollie.PaymentProviderError, ConcurrentUpdateConflict):
        pass  # the checkout of the changed cart tries again, and refuses if it still cannot


def earlier_order_message(in_the_way):
    """Where the shopper finishes or waits for the payment of the order in the way (checkout too)."""
    return format_html(
        '{} <a href="{}">Go to order {}</a>',
        str(in_the_way),
        services.thank_you_path(in_the_way.order),
        in_the_way.order.order_id,
    )
