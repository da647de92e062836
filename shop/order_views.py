"""Shopper actions and the order (thank-you) page: changing the cart, checkout, paying. Thin: the
workflow is in payments.services; these views parse forms, call one service and render."""

from django.contrib import messages
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils.html import format_html
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from config.dynamodb import ConcurrentUpdateConflict
from payments import mollie, services
from payments import selectors as payment_selectors
from shop import cart as shop_cart
from shop.forms import CartAddForm, CartUpdateForm, CheckoutForm, PayAgainForm
from shop.order_status import paid_with, shopper_view, transfer_instructions
from shop.selectors import article_by_slug

PROVIDER_DOWN = (
    "We could not reach our payment provider. Your order is saved and nothing was charged. "
    "Please try again in a moment."
)

# Stopping the earlier order's payment needs Mollie; nothing new was reserved or charged.
EARLIER_ORDER_UNCHECKED = (
    "We could not reach our payment provider to check the payment of your earlier order. Nothing new was "
    "ordered or charged. Please try again in a moment."
)


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
    wanted = form.cleaned_data["quantity"] or 1
    added, left = shop_cart.add_what_is_left(request.session, article, wanted)
    if added:
        _release_changed_cart_order(request)
    elif left == 0:
        messages.error(request, f"Sorry, {article.name} is sold out.")
        return redirect("shop:article", slug=article.slug)
    if left is not None and added < wanted:
        in_cart = shop_cart.stored_quantities(request.session).get(article.slug, 0)
        messages.warning(request, f"Only {left} {article.name} left: your cart now holds {in_cart}.")
        return redirect("shop:cart")
    if request.POST.get("buy_now"):
        return redirect("shop:checkout")
    messages.success(request, f"{article.name} was added to your cart.")
    return redirect("shop:cart")


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
    slug, quantity = form.cleaned_data["slug"], form.cleaned_data["quantity"]
    article = article_by_slug(slug) if quantity else None
    left = shop_cart.left_for(request.session, article) if article is not None else None
    if article is not None and left is not None and quantity > left:
        quantity = left
        messages.warning(request, f"Only {left} {article.name} left: your cart now holds {left}.")
    else:
        messages.success(request, "Your cart was updated.")
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
            messages.info(request, _earlier_order_message(in_the_way, REPLACED_AT_CHECKOUT))
        else:
            messages.warning(request, _earlier_order_message(in_the_way))
    except (mollie.PaymentProviderError, ConcurrentUpdateConflict):
        pass  # the checkout of the changed cart tries again, and refuses if it still cannot


REPLACED_AT_CHECKOUT = (
    "Your earlier order {} still has a payment open at our payment provider. When you check out this "
    "cart, it replaces that order: please do not complete the earlier payment any more."
)


def _earlier_order_message(in_the_way, text=None):
    order = in_the_way.order
    return format_html(
        '{} <a href="{}">Go to order {}</a>',
        text.format(order.order_id) if text else str(in_the_way),
        services.thank_you_path(order),
        order.order_id,
    )


@never_cache
def checkout(request):
    cart = shop_cart.load(request.session, with_stock=True)
    if not cart.lines:
        messages.info(request, "Your cart is empty.")
        return redirect("shop:index")
    if cart.short_lines:
        # Before the shopper types their details: this cart's order would be refused.
        messages.error(request, shop_cart.shortage_message(cart.short_lines))
        return redirect("shop:cart")
    methods = services.methods_for(amount_cents=cart.total_cents, currency=cart.currency)
    if request.method != "POST":
        # The name and e-mail are never kept in the (cookie) session: the browser's autofill
        # offers them again (the fields carry `autocomplete`).
        form = CheckoutForm(initial={"checkout_id": _checkout_id(request, cart)}, methods=methods)
        return render(request, "shop/checkout.html", {"cart": cart, "form": form})
    form = CheckoutForm(request.POST, methods=methods)
    if not form.is_valid():
        return render(request, "shop/checkout.html", {"cart": cart, "form": form}, status=422)
    try:
        order = services.check_out_cart(
            cart_id=shop_cart.cart_id(request.session),
            checkout_id=form.cleaned_data["checkout_id"],
            quantities=cart.quantities(),
            customer_name=form.cleaned_data["name"],
            customer_email=form.cleaned_data["email"],
            earlier_order_id=request.session.get("last_order_id"),
            method=form.cleaned_data["method"] or None,
            client_address=request.META.get("REMOTE_ADDR"),
        )
    except services.EarlierOrderInTheWay as in_the_way:
        messages.error(request, _earlier_order_message(in_the_way))
        return redirect("shop:cart")
    except services.CheckoutRefused as refusal:
        if refusal.code == services.ErrorCode.BANK_TRANSFER_NOT_OFFERED:
            # The details stay as typed: another method, or Mollie's page, goes through.
            form.add_error("method", str(refusal))
            return render(request, "shop/checkout.html", {"cart": cart, "form": form}, status=422)
        messages.error(request, str(refusal))
        return redirect("shop:cart")
    except mollie.PaymentProviderError:
        messages.error(request, EARLIER_ORDER_UNCHECKED)
        return redirect("shop:cart")
    request.session["last_order_id"] = order.order_id
    return _pay(request, order, method=form.cleaned_data["method"] or None)


def _checkout_id(request, cart):
    """The checkout id of this cart as it is now: every tab, and the back button, shows the same."""
    return services.checkout_id_for_cart(cart_id=shop_cart.cart_id(request.session), quantities=cart.quantities())


@require_POST
def order_pay(request, order_id, token):
    """The order page's "Pay again" / "Try again", with the checkout's optional method choice."""
    order = payment_selectors.order_for_shopper(order_id=order_id, token=token)
    if order is None:
        raise Http404("No such order")
    # Mollie's list is needed only to check a method chosen (nothing chosen: no call, no wait).
    form = PayAgainForm(request.POST, methods=_methods_for(order) if request.POST.get("method") else None)
    if form.is_valid():
        return _pay(request, order, method=form.cleaned_data["method"] or None)
    if shopper_view(order).can_pay_again:
        return _order_page(request, order, pay_form=form, status=422)
    return _pay(request, order)  # a stale tab: no choice to correct; the order page says what's next


def _methods_for(order):
    return services.methods_for(amount_cents=int(order.total_cents), currency=order.currency)


def _pay(request, order, method=None):
    try:
        checkout_url = services.pay_order(order_id=order.order_id, order=order, method=method)
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
    if order.is_paid and request.session.get("last_order_id") == order.order_id:
        shop_cart.clear(request.session)
    return _order_page(request, order)


def _order_page(request, order, *, pay_form=None, status=200):
    view = shopper_view(order)
    if view.can_pay_again and pay_form is None:
        pay_form = PayAgainForm(methods=_methods_for(order))
    # The attempt that paid, or else the latest: its method, details and a transfer's instructions.
    # The order carries its latest attempt's; only an earlier attempt that paid is read.
    attempt_no = order.paid_attempt_no or order.attempt_count
    if not attempt_no:
        attempt = None
    elif attempt_no == order.attempt_count:
        attempt = order.latest_attempt_copy()
    else:
        attempt = payment_selectors.get_attempt(order.order_id, int(attempt_no))
    return render(
        request,
        "shop/order.html",
        {
            "order": order,
            "view": view,
            "pay_form": pay_form,
            "paid_with": paid_with(order, attempt),
            "transfer": transfer_instructions(order, attempt),
        },
        status=status,
    )


@never_cache
@require_GET
def order_status(request, order_id, token):
    order = payment_selectors.order_for_shopper(order_id=order_id, token=token)
    if order is None:
        return JsonResponse({"error": "not found"}, status=404)
    order = services.refresh_for_shopper(order=order)
    view = shopper_view(order)
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
