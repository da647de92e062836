"""The hosted checkout page (``_links.checkout.href``).

A person (or a browser test) picks the outcome of a test payment: one submit
button per status.  Choosing sets the status, which queues the webhook, and
sends the browser back to the shop with a 303, like Mollie's payment screen.
"""

import html
from pathlib import Path
from string import Template

from werkzeug.utils import redirect
from werkzeug.wrappers import Request, Response

from .errors import ApiError
from .formats import format_value
from .store import Payment, Store
from .validation import METHODS

# Button label -> status, in the order they are shown. "open": the shopper goes back to the shop
# without finishing (Mollie's "return to the webshop"); the payment stays open until it expires.
OUTCOMES = {"Paid": "paid", "Failed": "failed", "Canceled": "canceled", "Expired": "expired", "Pending": "pending",
            "Back to the shop": "open"}
# With no method given at creation, a failed or canceled attempt inside a method sends the shopper
# back to method selection: the payment stays open, with no webhook and no redirect
# (mollie/mollie-api-php#510; docs.mollie.com, "Payment status changes").
RETRYABLE_INSIDE_METHOD = frozenset({"failed", "canceled"})
DEFAULT_METHOD = "ideal"
_SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£"}
_PAGE = Template((Path(__file__).parent / "templates" / "checkout.html").read_text(encoding="utf-8"))


def format_amount(payment: Payment) -> str:
    symbol = _SYMBOLS.get(payment.currency)
    value = format_value(payment.value)
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


def _choice_form(payment: Payment, note: str = "") -> str:
    buttons = "\n".join(
        f'  <button type="submit" name="status" value="{status}">{label}</button>'
        for label, status in OUTCOMES.items()
    )
    method_choice = ""
    if payment.chosen_method is None:
        options = "\n".join(
            f'  <option value="{method_id}"{" selected" if method_id == DEFAULT_METHOD else ""}>{label}</option>'
            for method_id, label in METHODS.items()
        )
        method_choice = f'<label for="method">Payment method</label>\n<select id="method" name="method">\n{options}\n</select>\n'
    notice = f'<p role="status" class="note">{html.escape(note)}</p>\n' if note else ""
    return (
        f'{notice}<form method="post" action="/checkout/{html.escape(payment.id)}">\n{method_choice}'
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
    text = f"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Payment not found</title></head>" \
           f"<body><main><h1>Payment not found</h1><p>No payment exists with token " \
           f"{html.escape(payment_id)}.</p></main></body></html>"
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
        method = request.form.get("method") or DEFAULT_METHOD
        if payment.chosen_method is None and method not in METHODS:
            body = f"<p>Unknown method {html.escape(method)}.</p>\n" + _choice_form(payment)
            return _render(payment, "Test payment", body, status=400)
        if payment.chosen_method is None and status in RETRYABLE_INSIDE_METHOD:
            note = f"Your {METHODS[method]} payment was {status}. Choose a method to try again."
            return _render(payment, "Test payment", _choice_form(payment, note))
        if status == "open":
            if method == "banktransfer" and payment.chosen_method is None:
                # The shopper has the transfer instructions; the money may take days (open, cancelable).
                store.choose_method(payment_id, method)
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
