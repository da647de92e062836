"""The hosted checkout page (``_links.checkout.href``).

A person (or a browser test) picks a payment method, when the shop did not
give one, and the outcome of the test payment: one submit button per status.
Choosing sets the method and the status, which queues the webhook, and sends
the browser back to the shop with a 303, like Mollie's payment screen. The page
speaks the payment's ``locale`` (or the browser's language): checkout_words.py.
"""

import html
from pathlib import Path
from string import Template

from werkzeug.utils import redirect
from werkzeug.wrappers import Request, Response

from .checkout_words import html_lang, page_language, words_for
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
# captureMode manual: the shopper authorizes, nothing is paid yet, so "Authorized" replaces "Paid"
# (specs.yaml, captureMode; the payment then waits for captures).
MANUAL_OUTCOMES = {("Authorized" if label == "Paid" else label): status for label, status in OUTCOMES.items()}
MANUAL_OUTCOMES["Authorized"] = "authorized"
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


class _Page:
    """A payment's page in its language (checkout_words): `say` gives each text in it."""

    def __init__(self, payment: Payment, request: Request):
        self.language = page_language(payment.locale, request.accept_languages)
        self.lang = html_lang(payment.locale, self.language)
        self.say = words_for(self.language)


def _render(payment: Payment, page: _Page, title: str, body: str, status: int = 200) -> Response:
    say = page.say
    text = _PAGE.substitute(
        lang=html.escape(page.lang),
        title=html.escape(say(title)),
        sandbox_note=html.escape(say("Mollie sandbox: a test payment, no money is moved.")),
        amount_label=html.escape(say("Amount")),
        description_label=html.escape(say("Description")),
        payment_label=html.escape(say("Payment")),
        status_label=html.escape(say("Status")),
        amount=html.escape(format_amount(payment)),
        description=html.escape(payment.description),
        payment_id=html.escape(payment.id),
        status=html.escape(say(payment.status)),
        body=body,
    )
    response = Response(text, status=status, content_type="text/html; charset=utf-8")
    response.headers["Content-Language"] = page.lang
    return response


def _method_choice(payment: Payment, say) -> str:
    """Mollie's method selection: one radio button per method that fits the payment.

    No bank list under iDEAL: since iDEAL 2.0 (April 2025) the shopper picks the bank on iDEAL's
    own page. iDEAL (or else the first) is preselected, so the outcome buttons work straight away.
    """
    offered = payment.offered_methods()
    default = DEFAULT_METHOD if any(m.id == DEFAULT_METHOD for m in offered) else offered[0].id
    options = "\n".join(
        f'  <label class="method"><input type="radio" name="method" value="{method.id}"'
        f"{' checked' if method.id == default else ''}> "
        f'<img src="/images/methods/{method.id}.svg" alt="" width="32" height="24"> {html.escape(say(method.description))}'
        "</label>"
        for method in offered
    )
    return f"<fieldset>\n<legend>{html.escape(say('Payment method'))}</legend>\n{options}\n</fieldset>\n"


def _transfer_instructions(payment: Payment, say) -> str:
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
    cells = "\n".join(f"  <dt>{html.escape(say(name))}</dt><dd>{html.escape(value)}</dd>" for name, value in rows)
    heading = html.escape(say("Bank transfer instructions"))
    return (
        f'<section aria-labelledby="transfer-heading">\n<h2 id="transfer-heading">{heading}</h2>\n'
        f"<dl>\n{cells}\n</dl>\n</section>\n"
    )


def outcomes(payment: Payment) -> dict[str, str]:
    return MANUAL_OUTCOMES if payment.capture_mode == "manual" else OUTCOMES


def _choice_form(payment: Payment, say, note: str = "") -> str:
    buttons = "\n".join(
        f'  <button type="submit" name="status" value="{status}">{html.escape(say(label))}</button>'
        for label, status in outcomes(payment).items()
    )
    method_choice = _method_choice(payment, say) if payment.chosen_method is None else ""
    instructions = _transfer_instructions(payment, say) if payment.chosen_method == "banktransfer" else ""
    notice = f'<p role="status" class="note">{html.escape(note)}</p>\n' if note else ""
    return (
        f'{notice}{instructions}<form method="post" action="/checkout/{html.escape(payment.id)}">\n{method_choice}'
        f"<fieldset>\n<legend>{html.escape(say('Choose the outcome of this test payment'))}</legend>\n"
        f"{buttons}\n</fieldset>\n</form>"
    )


def _closed_page(payment: Payment, page: _Page, status: int = 200) -> Response:
    back = html.escape(payment.redirect_url, quote=True)
    said = html.escape(page.say("This payment is no longer open: its status is {status}."))
    status_text = f"<strong>{html.escape(page.say(payment.status))}</strong>"
    body = (
        f"<p>{said.replace('{status}', status_text)}</p>\n"
        f'<p><a href="{back}">{html.escape(page.say("Return to the shop"))}</a></p>'
    )
    return _render(payment, page, "Payment no longer open", body, status)


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
    page = _Page(payment, request)
    if payment.status != "open":
        return _closed_page(payment, page)
    return _render(payment, page, "Test payment", _choice_form(payment, page.say))


def choose(store: Store, request: Request, payment_id: str) -> Response:
    status = request.form.get("status", "")
    try:
        payment = store.get_payment(payment_id)
        page = _Page(payment, request)
        say = page.say
        if status not in outcomes(payment).values():
            body = f"<p>{html.escape(say('Unknown outcome {outcome}.').format(outcome=status))}</p>\n"
            return _render(payment, page, "Test payment", body + _choice_form(payment, say), status=400)
        payment = store.get_payment(payment_id)
        if payment.status != "open":
            raise ApiError(409, "no longer open")
        offered = [method.id for method in payment.offered_methods()]
        method = request.form.get("method") or (DEFAULT_METHOD if DEFAULT_METHOD in offered else offered[0])
        if payment.chosen_method is None and method not in offered:
            body = f"<p>{html.escape(say('Unknown method {method}.').format(method=method))}</p>\n"
            return _render(payment, page, "Test payment", body + _choice_form(payment, say), status=400)
        if payment.chosen_method is None and method == "banktransfer":
            # Like Mollie: choosing bank transfer gives the shopper the instructions and sends them
            # back to the shop; the payment stays open (and cancelable) until the money arrives or
            # its due date passes, whichever outcome was clicked (docs.mollie.com, "Bank transfer").
            store.choose_method(payment_id, method)
            return redirect(payment.redirect_url, code=303)
        if payment.chosen_method is None and status in RETRYABLE_INSIDE_METHOD:
            happened = say(_WHAT_HAPPENED[status]).format(method=_in_a_sentence(method, say))
            note = f"{happened} {say('Choose a method to try again.')}"
            return _render(payment, page, "Test payment", _choice_form(payment, say, note))
        if status == "open":
            return redirect(payment.redirect_url, code=303)
        if payment.chosen_method is None:
            store.choose_method(payment_id, method)
        # Checked and set under one lock: a payment that expired meanwhile stays expired.
        payment = store.set_payment_status(payment_id, status, require_open=True)
    except ApiError as error:
        if error.status == 404:
            return _not_found(payment_id)
        payment = store.get_payment(payment_id)
        return _closed_page(payment, _Page(payment, request), status=409)
    # Like Mollie: a customer who cancels goes to cancelUrl when the shop gave one.
    target = payment.cancel_url if status == "canceled" and payment.cancel_url else payment.redirect_url
    return redirect(target, code=303)


def _in_a_sentence(method: str, say) -> str:
    generic = _GENERIC_METHODS.get(method)
    return say(generic) if generic else METHODS[method].description
