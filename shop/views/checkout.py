"""Checkout: the form that turns the cart into an order, then sends the shopper to pay it."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from payments import mollie, services
from shop import cart as shop_cart
from shop.forms import CheckoutForm
from shop.views.cart import earlier_order_message
from shop.views.orders import send_to_payment

# Stopping the earlier order's payment needs Mollie; nothing new was reserved or charged.
EARLIER_ORDER_UNCHECKED = (
    "We could not reach our payment provider to check the payment of your earlier order. Nothing new was "
    "ordered or charged. Please try again in a moment."
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
        messages.error(request, earlier_order_message(in_the_way))
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
    return send_to_payment(request, order, method=form.cleaned_data["method"] or None)


def _checkout_id(request, cart):
    """The checkout id of this cart as it is now: every tab, and the back button, shows the same."""
    return services.checkout_id_for_cart(cart_id=shop_cart.cart_id(request.session), quantities=cart.quantities())
