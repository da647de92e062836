"""Shopper pages: catalog, cart, checkout and the order (thank-you) page. Thin: the workflow is
in payments.services; these views parse forms, call one service and render."""
import uuid

from django.contrib import messages
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from payments import mollie, selectors as payment_selectors, services
from shop import cart as shop_cart
from shop.forms import CartLineForm, CheckoutForm
from shop.selectors import article_by_slug, catalog_articles

PROVIDER_DOWN = (
    "We could not reach our payment provider. Your order is saved and nothing was charged. "
    "Please try again in a moment."
)


@require_GET
def index(request):
    return render(request, "shop/index.html", {"articles": catalog_articles()})


@require_GET
def article_detail(request, slug):
    article = article_by_slug(slug)
    if article is None or not article.active:
        raise Http404("No such article")
    return render(request, "shop/article.html", {"article": article})


@require_GET
def cart_detail(request):
    cart = shop_cart.load(request.session)
    if cart.dropped:
        messages.warning(request, "Some articles are no longer sold and were removed from your cart.")
    return render(request, "shop/cart.html", {"cart": cart})


@require_POST
def cart_add(request):
    form = CartLineForm(request.POST)
    article = article_by_slug(form.cleaned_data["slug"]) if form.is_valid() else None
    if article is None or not article.active:
        messages.error(request, "That article is not available.")
        return redirect("shop:index")
    shop_cart.add(request.session, article.slug, form.cleaned_data["quantity"] or 1)
    if request.POST.get("buy_now"):
        return redirect("shop:checkout")
    messages.success(request, f"{article.name} was added to your cart.")
    return redirect("shop:cart")


@require_POST
def cart_update(request):
    form = CartLineForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Please enter a quantity between 0 and 20.")
        return redirect("shop:cart")
    quantity = 0 if request.POST.get("remove") else form.cleaned_data["quantity"]
    if quantity is None:
        messages.error(request, "Please enter a quantity between 0 and 20.")
        return redirect("shop:cart")
    shop_cart.set_quantity(request.session, form.cleaned_data["slug"], quantity)
    messages.success(request, "Your cart was updated.")
    return redirect("shop:cart")


@never_cache
def checkout(request):
    cart = shop_cart.load(request.session)
    if not cart.lines:
        messages.info(request, "Your cart is empty.")
        return redirect("shop:index")
    if request.method != "POST":
        # The name and e-mail are never kept in the (cookie) session: the browser's autofill
        # offers them again (the fields carry `autocomplete`).
        form = CheckoutForm(initial={"checkout_id": uuid.uuid4().hex})
        return render(request, "shop/checkout.html", {"cart": cart, "form": form})
    form = CheckoutForm(request.POST)
    if not form.is_valid():
        return render(request, "shop/checkout.html", {"cart": cart, "form": form}, status=422)
    try:
        order = services.place_order(
            checkout_id=form.cleaned_data["checkout_id"],
            quantities=cart.quantities(),
            customer_name=form.cleaned_data["name"],
            customer_email=form.cleaned_data["email"],
        )
    except services.CheckoutRefused as refusal:
        messages.error(request, str(refusal))
        return redirect("shop:cart")
    request.session["last_order_id"] = order.order_id
    return _pay(request, order)


@require_POST
def order_pay(request, order_id, token):
    order = payment_selectors.order_for_shopper(order_id=order_id, token=token)
    if order is None:
        raise Http404("No such order")
    return _pay(request, order)


def _pay(request, order):
    try:
        checkout_url = services.pay_order(order_id=order.order_id, order=order)
    except mollie.PaymentProviderUnavailable:
        messages.error(request, PROVIDER_DOWN)
        return redirect(services.thank_you_path(order))
    except services.OrderNotPayable as refusal:
        messages.error(request, str(refusal))
        return redirect(services.thank_you_path(order))
    if not checkout_url:
        # Mollie answered without a checkout page (unexpected): the order page explains what's next.
        messages.error(request, PROVIDER_DOWN)
        return redirect(services.thank_you_path(order))
    # 303: the browser must GET Mollie's checkout page, not re-POST to it.
    response = redirect(checkout_url)
    response.status_code = 303
    return response


@never_cache
@require_GET
def order_detail(request, order_id, token):
    order = payment_selectors.order_for_shopper(order_id=order_id, token=token)
    if order is None:
        raise Http404("No such order")
    order = services.refresh_for_shopper(order=order)
    view = payment_selectors.shopper_view(order)
    if order.is_paid and request.session.get("last_order_id") == order.order_id:
        shop_cart.clear(request.session)
    return render(request, "shop/order.html", {"order": order, "view": view})


@never_cache
@require_GET
def order_status(request, order_id, token):
    order = payment_selectors.order_for_shopper(order_id=order_id, token=token)
    if order is None:
        return JsonResponse({"error": "not found"}, status=404)
    order = services.refresh_for_shopper(order=order)
    view = payment_selectors.shopper_view(order)
    return JsonResponse(
        {
            "order": order.order_id,
            "status": view.state,
            "order_status": order.status,
            "payment_status": order.latest_attempt_status,
            "title": view.title,
            "message": view.message,
            "keep_polling": view.keep_polling,
        }
    )
