"""Checkout: the form that turns the cart into an order, then sends the shopper to pay it."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.cache import never_cache

from payments import mollie, services
from payments.locales import page_locale
from payments.services.delivery import Delivery
from payments.services.methods import methods_for_business_only, methods_to_choose
from shop import cart as shop_cart
from shop import shipping
from shop.addresses import company_name_given, country_choices
from shop.forms import CheckoutForm
from shop.views.cart import earlier_order_message
from shop.views.orders import send_to_payment

# Stopping the earlier order's payment needs Mollie; nothing new was reserved or charged.
EARLIER_ORDER_UNCHECKED = gettext_lazy(
    "We could not reach our payment provider to check the payment of your earlier order. Nothing new was "
    "ordered or charged. Please try again in a moment."
)


@never_cache
def checkout(request):
    cart = shop_cart.load(request.session, with_stock=True)
    if not cart.lines:
        messages.info(request, gettext("Your cart is empty."))
        return redirect("shop:index")
    if cart.mixed_currencies:
        messages.error(request, shop_cart.MIXED_CURRENCIES)
        return redirect("shop:cart")
    if cart.short_lines:
        # Before the shopper types their details: this cart's order would be refused.
        messages.error(request, shop_cart.shortage_message(cart.short_lines))
        return redirect("shop:cart")
    country = shipping.chosen_country(request.session)
    methods = _methods(request, cart, country)
    if request.method != "POST":
        # The name, e-mail and address are never kept in the (cookie) session: the browser's
        # autofill offers them again (the fields carry `autocomplete`).
        initial = {"checkout_id": _checkout_id(request, cart), "country": country, "billing_country": country}
        form = CheckoutForm(initial=initial, **methods)
        return _checkout_page(request, cart, form, country)
    form = CheckoutForm(request.POST, **methods)
    if not form.is_valid():
        return _checkout_page(request, cart, form, form.cleaned_data.get("country") or country, status=422)
    shipping.choose_country(request.session, form.cleaned_data["country"])
    shipping_address, billing_address = form.addresses(form.cleaned_data["name"])
    try:
        order = services.check_out_cart(
            cart_id=shop_cart.cart_id(request.session),
            checkout_id=form.cleaned_data["checkout_id"],
            quantities=cart.quantities(),
            customer_name=form.cleaned_data["name"],
            customer_email=form.cleaned_data["email"],
            earlier_order_id=request.session.get("last_order_id"),
            method=form.cleaned_data["method"] or None,
            delivery=Delivery(shipping_address=shipping_address, billing_address=billing_address),
            client_address=request.META.get("REMOTE_ADDR"),
        )
    except services.EarlierOrderInTheWay as in_the_way:
        messages.error(request, earlier_order_message(in_the_way))
        return redirect("shop:cart")
    except services.CheckoutRefused as refusal:
        if refusal.code == services.ErrorCode.BANK_TRANSFER_NOT_OFFERED:
            # The details stay as typed: another method, or Mollie's page, goes through.
            form.add_error("method", str(refusal))
            return _checkout_page(request, cart, form, form.cleaned_data["country"], status=422)
        messages.error(request, str(refusal))
        return redirect("shop:cart")
    except mollie.PaymentProviderError:
        messages.error(request, EARLIER_ORDER_UNCHECKED)
        return redirect("shop:cart")
    request.session["last_order_id"] = order.order_id
    return send_to_payment(request, order, method=form.cleaned_data["method"] or None)


def _methods(request, cart, country):
    """Mollie's methods for the cart and billing country (one cached list), named in the locale the
    payment would get (the page's language in the delivery country as the form has it): those the
    shopper may choose, Billie only with a company name as posted; and those for a business only."""
    listed = {
        "amount_cents": cart.total_cents,
        "currency": cart.currency,
        "billing_country": _billing_country(request, country),
        "locale": page_locale(_posted_country(request, "country", country)),
    }
    for_business = company_name_given(request.POST.get("company_name"))
    return {
        "methods": methods_to_choose(**listed, for_business=for_business),
        "business_methods": methods_for_business_only(**listed),
    }


def _billing_country(request, country):
    """The billing country the pay-later methods are offered for (Mollie's list for it): the one
    typed at checkout when the billing address differs, else the delivery country."""
    return _posted_country(request, "billing_country" if request.POST.get("billing_differs") else "country", country)


def _posted_country(request, field, country):
    posted = request.POST.get(field)
    return posted if posted in dict(country_choices()) else country


def _checkout_page(request, cart, form, country, status=200):
    totals = shipping.cart_totals(cart, country)
    return render(request, "shop/checkout.html", {"cart": cart, "form": form, "totals": totals}, status=status)


def _checkout_id(request, cart):
    """The checkout id of this cart as it is now: every tab, and the back button, shows the same."""
    return services.checkout_id_for_cart(cart_id=shop_cart.cart_id(request.session), quantities=cart.quantities())
