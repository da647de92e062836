"""The hosted checkout page (``_links.checkout.href``).

A person (or a browser test) picks a payment method, when the shop did not
give one, and the outcome of the test payment: one submit button per status.
Choosing sets the method and the status, which queues the webhook, and sends
the browser back to the shop with a 303, like Mollie's payment screen.
"""

import html
from pathlib import Path
from string import Template

from werkzeug.utils import redirect
from werkzeug.wrappers import Request, Response

from .errors import ApiError
from .formats import format_value, iso
from .methods import METHODS
from .store import Payment, Store

# Button label -> status, in the order they are shown. "open": the shopper goes back to the shop
# without finishing (Mollie's "return to the webshop"); the payment stays open until it expires.
OUTCOMES = {
    "Paid": "paid",
    "Failed": "failed",
    "Canceled": "canceled",
    "Expired": "expired",
    "Pending": "pending",
    "Back to the shop": "open",
}
# With no method given at creation, a failed or canceled attempt inside a method sends the shopper
# back to method selection: the payment stays open, with no webhook and no redirect
# (mollie/mollie-api-php#510; docs.mollie.com, "Payment status changes").
RETRYABLE_INSIDE_METHOD = frozenset({"failed", "canceled"})
DEFAULT_METHOD = "ideal"
# What the shopper is told when a payment fails or is canceled inside a method, in their words.
_WHAT_HAPPENED = {
    "failed": "Your {method} payment did not go through.",
    "canceled": "You canceled your {method} payment.",
}
# Brand names keep their spelling mid-sentence; the generic ones do not ("your card payment").
_GENERIC_METHODS = {"creditcard": "card", "banktransfer": "bank transfer"}
_SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£"}
_PAGE = Template((Path(__file__).parent / "templates" / "checkout.html").read_text(encoding="utf-8"))


def format_amount(payment: Payment) -> str:
    symbol = _SYMBOLS.get(payment.currency)
    value = format_value(payment.value, payment.currency)
    return f"{symbol}\u00a0{value}" if symbol else f"{payment.currency}\u00a0{value}"


def _render(payment: Payment, title: str, body: str, status: int = 200) -> Response:
    page = _PAGE.substitute(
        title=html.escape(title),
        amount=html.escape(format_amount(payment)),
        description=html.escape(payment.description),
        payment_id=html.escape(payment.id),
        status=html.escape(payment.status),
        body=body,
    )
    return Response(page, status=status, content_type="text/html; charset=utf-8")


def _method_choice(payment: Payment) -> str:
    """Mollie's method selection: one radio button per method that fits the payment.

    No bank list under iDEAL: since iDEAL 2.0 (April 2025) the shopper picks the bank on iDEAL's
    own page. iDEAL (or else the first) is preselected, so the outcome buttons work straight away.
    """
    offered = payment.offered_methods()
    default = DEFAULT_METHOD if any(m.id == DEFAULT_METHOD for m in offered) else offered[0].id
    options = "\n".join(
        f'  <label class="method"><input type="radio" name="method" value="{method.id}"'
        f"{' checked' if method.id == default else ''}> "
        f'<img src="/images/methods/{method.id}.svg" alt="" width="32" height="24"> {html.escape(method.description)}'
        "</label>"
        for method in offered
    )
    return f"<fieldset>\n<legend>Payment method</legend>\n{options}\n</fieldset>\n"


def _transfer_instructions(payment: Payment) -> str:
    """What Mollie shows a shopper who chose bank transfer: where to send the money, by when."""
    details = payment.details or {}
    rows = [
        ("Amount", format_amount(payment)),
        ("Beneficiary", details.get("bankName", "")),
        ("IBAN", details.get("bankAccount", "")),
        ("BIC", details.get("bankBic", "")),
        ("Reference", details.get("transferReference", "")),
        ("Pay before", (iso(payment.expires_at) or "")[:10]),
    ]
    cells = "\n".join(f"  <dt>{html.escape(name)}</dt><dd>{html.escape(value)}</dd>" for name, value in rows)
    return (
        '<section aria-labelledby="transfer-heading">\n<h2 id="transfer-heading">Bank transfer instructions</h2>\n'
        f"<dl>\n{cells}\n</dl>\n</section>\n"
    )


def _choice_form(payment: Payment, note: str = "") -> str:
    buttons = "\n".join(
        f'  <button type="submit" name="status" value="{status}">{label}</button>' for label, status in OUTCOMES.items()
    )
    method_choice = _method_choice(payment) if payment.chosen_method is None else ""
    instructions = _transfer_instructions(payment) if payment.chosen_method == "banktransfer" else ""
    notice = f'<p role="status" class="note">{html.escape(note)}</p>\n' if note else ""
    return (
        f'{notice}{instructions}<form method="post" action="/checkout/{html.escape(payment.id)}">\n{method_choice}'
        "<fieldset>\n<legend>Choose the outcome of this test payment</legend>\n"
        f"{buttons}\n</fieldset>\n</form>"
    )


def _closed_page(payment: Payment, status: int = 200) -> Response:
    back = html.escape(payment.redirect_url, quote=True)
    body = (
        f"<p>This payment is no longer open: its status is <strong>{html.escape(payment.status)}</strong>.</p>\n"
        f'<p><a href="{back}">Return to the shop</a></p>'
    )
    return _render(payment, "Payment no longer open", body, status)


def _not_found(payment_id: str) -> Response:
    text = (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Payment not found</title></head>'
        f"<body><main><h1>Payment not found</h1><p>No payment exists with token "
        f"{html.escape(payment_id)}.</p></main></body></html>"
    )
    return Response(text, status=404, content_type="text/html; charset=utf-8")


def show(store: Store, request: Request, payment_id: str) -> Response:
    try:
        payment = store.get_payment(payment_id)
    except ApiError:
        return _not_found(payment_id)
    if payment.status != "open":
        return _closed_page(payment)
    return _render(payment, "Test payment", _choice_form(payment))


def choose(store: Store, request: Request, payment_id: str) -> Response:
    status = request.form.get("status", "")
    try:
        if status not in OUTCOMES.values():
            payment = store.get_payment(payment_id)
            body = f"<p>Unknown outcome {html.escape(status)}.</p>\n" + _choice_form(payment)
            return _render(payment, "Test payment", body, status=400)
        payment = store.get_payment(payment_id)
        if payment.status != "open":
            raise ApiError(409, "no longer open")
        offered = [method.id for method in payment.offered_methods()]
        method = request.form.get("method") or (DEFAULT_METHOD if DEFAULT_METHOD in offered else offered[0])
        if payment.chosen_method is None and method not in offered:
            body = f"<p>Unknown method {html.escape(method)}.</p>\n" + _choice_form(payment)
            return _render(payment, "Test payment", body, status=400)
        if payment.chosen_method is None and method == "banktransfer":
            # Like Mollie: choosing bank transfer gives the shopper the instructions and sends them
            # back to the shop; the payment stays open (and cancelable) until the money arrives or
            # its due date passes, whichever outcome was clicked (docs.mollie.com, "Bank transfer").
            store.choose_method(payment_id, method)
            return redirect(payment.redirect_url, code=303)
        if payment.chosen_method is None and status in RETRYABLE_INSIDE_METHOD:
            note = f"{_WHAT_HAPPENED[status].format(method=_in_a_sentence(method))} Choose a method to try again."
            return _render(payment, "Test payment", _choice_form(payment, note))
        if status == "open":
            return redirect(payment.redirect_url, code=303)
        if payment.chosen_method is None:
            store.choose_method(payment_id, method)
        # Checked and set under one lock: a payment that expired meanwhile stays expired.
        payment = store.set_payment_status(payment_id, status, require_open=True)
    except ApiError as error:
        if error.status == 404:
            return _not_found(payment_id)
        return _closed_page(store.get_payment(payment_id), status=409)
    # Like Mollie: a customer who cancels goes to cancelUrl when the shop gave one.
    target = payment.cancel_url if status == "canceled" and payment.cancel_url else payment.redirect_url
    return redirect(target, code=303)


def _in_a_sentence(method: str) -> str:
    return _GENERIC_METHODS.get(method) or METHODS[method].description
