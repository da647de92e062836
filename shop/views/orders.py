"""The order (thank-you) page, its status poll and "Pay again". Thin: the workflow is in
payments.services; these views parse forms, call one service and render."""

from django.contrib import messages
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from payments import mollie, services
from payments import selectors as payment_selectors
from payments.locales import page_locale
from payments.services import fulfilment
from payments.services.methods import methods_to_choose
from shop import cart as shop_cart
from shop.forms import PayAgainForm
from shop.order_status import paid_with, shopper_view, transfer_instructions

PROVIDER_DOWN = gettext_lazy(
    "We could not reach our payment provider. Your order is saved and nothing was charged. "
    "Please try again in a moment."
)


@require_POST
def order_pay(request, order_id, token):
    """The order page's "Pay again" / "Try again", with the checkout's optional method choice."""
    order = payment_selectors.order_for_shopper(order_id=order_id, token=token)
    if order is None:
        raise Http404("No such order")
    # Mollie's list is needed only to check a method chosen (nothing chosen: no call, no wait).
    form = PayAgainForm(request.POST, methods=_methods_for(order) if request.POST.get("method") else None)
    if form.is_valid():
        return send_to_payment(request, order, method=form.cleaned_data["method"] or None)
    if shopper_view(order).can_pay_again:
        return _order_page(request, order, pay_form=form, status=422)
    return send_to_payment(request, order)  # a stale tab: no choice to correct; the order page says what's next


def _methods_for(order):
    billing = order.billing_address or order.shipping_address
    return methods_to_choose(
        amount_cents=int(order.total_cents),
        currency=order.currency,
        billing_country=billing.country if billing else None,
        for_business=bool(billing and billing.organization_name),
        # Named in the page's language, for the order's delivery country (the payment's locale).
        locale=page_locale(order.shipping_address.country if order.shipping_address else None),
    )


def send_to_payment(request, order, method=None):
    """Sends the shopper to Mollie's checkout for the order (used by checkout too)."""
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
    if order.is_sold and request.session.get("last_order_id") == order.order_id:
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
            "shipments": fulfilment.shipments_of(order, done_only=True),
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
