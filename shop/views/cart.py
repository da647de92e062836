"""The cart: its page, and adding or changing what is in it. A changed cart gives its earlier
order's stock back at once (payments.services), so these import the workflow."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from config.dynamodb import ConcurrentUpdateConflict
from payments import mollie, services
from shop import cart as shop_cart
from shop import shipping
from shop.forms import CartAddForm, CartUpdateForm
from shop.selectors import article_by_slug


@require_GET
def cart_detail(request):
    cart = shop_cart.load(request.session, with_stock=True)
    if cart.dropped:
        messages.warning(request, _("Some articles are no longer sold and were removed from your cart."))
    if cart.mixed_currencies:
        messages.error(request, str(shop_cart.MIXED_CURRENCIES))
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
        messages.error(request, _("That article is not available."))
        return redirect("shop:index")
    if "quantity" in form.errors:
        messages.error(request, str(form.errors["quantity"][0]))  # ErrorList items are messages (str)
        return redirect("shop:article", slug=article.slug)
    added = shop_cart.add(request.session, article, form.cleaned_data["quantity"] or 1)
    if added.refused in (shop_cart.CART_FULL, shop_cart.OTHER_CURRENCY):
        messages.error(request, _not_added_message(article, added.refused, request.session))
        return redirect("shop:cart")
    if added.refused == shop_cart.SOLD_OUT:
        messages.error(request, _("Sorry, %(article)s is sold out.") % {"article": article.name})
        return redirect("shop:article", slug=article.slug)
    _release_changed_cart_order(request)
    if added.refused == shop_cart.SHORT:
        messages.warning(
            request,
            _("Only %(left)s %(article)s left: your cart now holds %(quantity)s.")
            % {"left": added.left, "article": article.name, "quantity": added.quantity},
        )
        return redirect("shop:cart")
    if added.refused == shop_cart.CAPPED:
        messages.warning(
            request,
            _("You can order at most %(most)s of one article: your cart now has %(quantity)s × %(article)s.")
            % {"most": shop_cart.MAX_QUANTITY, "quantity": added.quantity, "article": article.name},
        )
        return redirect("shop:cart")
    if request.POST.get("buy_now"):
        return redirect("shop:checkout")
    messages.success(request, _("%(article)s was added to your cart.") % {"article": article.name})
    return redirect("shop:cart")


def _not_added_message(article, refused, session):
    if refused == shop_cart.CART_FULL:
        return _(
            "%(article)s was not added: your cart is full (%(most)s different articles). "
            "Remove an article to make room, or check out this cart first."
        ) % {"article": article.name, "most": shop_cart.MAX_LINES}
    cart_currency = shop_cart.load(session).currency
    return _(
        "%(article)s was not added: it is priced in %(currency)s and your cart in %(cart_currency)s, "
        "and one order is paid in one currency. Check out this cart first, then order it separately."
    ) % {"article": article.name, "currency": article.currency, "cart_currency": cart_currency}


@require_POST
def cart_update(request):
    removing = bool(request.POST.get("remove"))
    # Remove needs no quantity: whatever is in the box, the article goes.
    form = CartUpdateForm({**request.POST.dict(), "quantity": 0} if removing else request.POST)
    if not form.is_valid():
        messages.error(
            request,
            str(form.errors["quantity"][0]) if "quantity" in form.errors else _("That article is not in your cart."),
        )
        return redirect("shop:cart")
    if form.cleaned_data["slug"] not in shop_cart.stored_quantities(request.session):
        # Only "Add to cart" adds an article: it checks the cart has room and the same currency.
        messages.error(request, _("That article is not in your cart."))
        return redirect("shop:cart")
    slug, quantity = form.cleaned_data["slug"], form.cleaned_data["quantity"]
    article = article_by_slug(slug) if quantity else None
    left = shop_cart.left_for(request.session, article) if article is not None else None
    if article is not None and left is not None and quantity > left:
        quantity = left
        messages.warning(
            request,
            _("Only %(left)s %(article)s left: your cart now holds %(quantity)s.")
            % {"left": left, "article": article.name, "quantity": left},
        )
    else:
        messages.success(request, _("Your cart was updated."))
    shop_cart.set_quantity(request.session, slug, quantity)
    _release_changed_cart_order(request)
    return redirect("shop:cart")


def _release_changed_cart_order(request):
    """A changed cart gives its earlier order's stock back now, not when that order expires."""
    order_id = request.session.get("last_order_id")
    if not order_id:
        return
    try:
        services.release_changed_cart_order(order_id=order_id, quantities=shop_cart.stored_quantities(request.session))
    except services.EarlierOrderInTheWay as in_the_way:
        if in_the_way.code == services.ErrorCode.EARLIER_PAYMENT_IN_PROGRESS:
            # Checking out the changed cart replaces that order (release_replaced_order).
            messages.info(request, earlier_order_message(in_the_way, REPLACED_AT_CHECKOUT))
        else:
            messages.warning(request, earlier_order_message(in_the_way))
    except (mollie.PaymentProviderError, ConcurrentUpdateConflict):
        pass  # the checkout of the changed cart tries again, and refuses if it still cannot


REPLACED_AT_CHECKOUT = gettext_lazy(
    "Your earlier order {} still has a payment open at our payment provider. When you check out this "
    "cart, it replaces that order: please do not complete the earlier payment any more."
)


def earlier_order_message(in_the_way, text=None):
    """The order in the way, with a link to it (checkout too); `text` in place of the refusal's."""
    order = in_the_way.order
    return format_html(
        '{} <a href="{}">{}</a>',
        text.format(order.order_id) if text else str(in_the_way),
        services.thank_you_path(order),
        _("Go to order %(order_id)s") % {"order_id": order.order_id},
    )
