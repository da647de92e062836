"""Staff actions on an order and its payments: refresh, cancel, release the rest of a pay-later
order, refund, and marking a double payment or a chargeback handled. Each is a GET confirmation and
a POST (CSRF-protected) that calls one payment service; what may be done is decided there, and a
refusal is a message on the order page.
"""

import logging
import uuid

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from config.dynamodb import ConcurrentUpdateConflict
from payments import mollie
from payments import services as payment_services
from payments.enums import OrderStatus
from shop.money import decimal_amount, format_money
from staff import selectors
from staff.auth import staff_required
from staff.forms import ChargebackHandledForm, DoublePaymentHandledForm, RefundForm

log = logging.getLogger(__name__)

MOLLIE_DOWN = "Mollie could not be reached, so nothing was changed. Please try again in a moment."
MOLLIE_DOWN_DURING_REFUND = (
    "Mollie could not be reached, so the refund may not have been made. Confirm again to "
    "finish it: the same refund is never made twice."
)
BUSY = "Someone else changed this order at the same moment. Please try again."


@staff_required
@require_POST
def order_refresh(request, order_id):
    order = _order_or_404(order_id)

    def refresh():
        refreshed = payment_services.refresh_order(order_id=order.order_id, actor=request.staff_member.username)
        assert refreshed is not None  # the order was just read; orders are never deleted
        return f"Refreshed from Mollie. The order is now: {OrderStatus(refreshed.status).label.lower()}."

    return _perform(request, order, refresh)


@staff_required
@require_http_methods(["GET", "POST"])
def order_cancel(request, order_id):
    order = _order_or_404(order_id)
    if request.method == "GET":
        return _confirm(
            request,
            order,
            title=f"Cancel order {order.order_id}",
            question="Cancel this order? Open payments are canceled at Mollie, and its reserved stock "
            "goes back to the shop. The customer can no longer pay it.",
            button="Yes, cancel the order",
        )

    def cancel():
        payment_services.cancel_order(order_id=order.order_id, actor=request.staff_member.username)
        return "The order was canceled and its stock given back."

    return _perform(request, order, cancel)


@staff_required
@require_http_methods(["GET", "POST"])
def order_release_rest(request, order_id):
    """Pay later, part shipped: the rest will not ship (payments.services.release_rest)."""
    order = _order_or_404(order_id)
    if request.method == "GET":
        left = ", ".join(f"{line.quantity_to_ship} × {line.name}" for line in order.lines if line.quantity_to_ship)
        return _confirm(
            request,
            order,
            title=f"Release the rest of order {order.order_id}",
            question=f"Ship nothing more of this order? What is left ({left or 'nothing'}) goes back "
            "into stock, and the part of the customer's authorization not captured by the shipments so "
            "far is released at Mollie: it can no longer be charged. What shipped stays paid.",
            button="Yes, release the rest",
        )

    def release():
        payment_services.release_rest(order_id=order.order_id, actor=request.staff_member.username)
        return "The rest was released: nothing more ships, its stock is back, and only what shipped is paid."

    return _perform(request, order, release)


@staff_required
@require_http_methods(["GET", "POST"])
def attempt_cancel(request, order_id, attempt_no):
    order, row = _attempt_or_404(order_id, attempt_no)
    if request.method == "GET":
        return _confirm(
            request,
            order,
            title=f"Cancel payment {row.attempt.mollie_payment_id or attempt_no}",
            question=f"Cancel payment attempt {attempt_no} at Mollie? The customer can no longer "
            f"complete it, but may start a new payment while the order is open.",
            button="Yes, cancel the payment",
        )

    def cancel():
        attempt = payment_services.cancel_attempt(
            order_id=order.order_id, attempt_no=attempt_no, actor=request.staff_member.username
        )
        return f"Payment {attempt.mollie_payment_id} is now {attempt.status}."

    return _perform(request, order, cancel)


@staff_required
@require_http_methods(["GET", "POST"])
def attempt_handled(request, order_id, attempt_no):
    order, row = _attempt_or_404(order_id, attempt_no)
    if not row.can_mark_handled and not (request.method == "POST" and row.attempt.needs_refund):
        # Not offered on the order page either; a repeated POST still reaches the idempotent service.
        messages.error(request, "This payment attempt is not flagged as a double payment.")
        return redirect("staff:order", order_id=order.order_id)

    def mark_handled(note):
        payment_services.mark_double_payment_handled(
            order_id=order.order_id, attempt_no=attempt_no, actor=request.staff_member.username, note=note
        )
        return f"The double payment of attempt {attempt_no} is marked as handled."

    return _mark_handled(
        request,
        order,
        DoublePaymentHandledForm(request.POST if request.method == "POST" else None),
        title="Mark double payment as handled",
        question=f"Payment attempt {attempt_no} ({row.attempt.mollie_payment_id}) paid an order that "
        f"was already paid. Mark it as handled once the money went back or the customer "
        f"agreed otherwise.",
        mark=mark_handled,
    )


@staff_required
@require_http_methods(["GET", "POST"])
def chargeback_handled(request, order_id, attempt_no, chargeback_id):
    order, row = _attempt_or_404(order_id, attempt_no)
    chargeback = next((c for c in row.attempt.chargebacks or [] if c.chargeback_id == chargeback_id), None)
    if chargeback is None:
        # The id from the URL is not echoed: messages travel in a cookie, and it could be anything.
        messages.error(request, f"Payment attempt {attempt_no} has no such chargeback.")
        return redirect("staff:order", order_id=order.order_id)
    if request.method == "GET" and (chargeback.handled_at or chargeback.reversed_at):
        # Not offered on the order page either; a repeated POST still reaches the idempotent service.
        messages.error(request, f"Chargeback {chargeback_id} needs no handling: it was handled or reversed.")
        return redirect("staff:order", order_id=order.order_id)

    def mark_handled(note):
        payment_services.mark_chargeback_handled(
            order_id=order.order_id,
            attempt_no=attempt_no,
            chargeback_id=chargeback_id,
            actor=request.staff_member.username,
            note=note,
        )
        return f"Chargeback {chargeback_id} is marked as handled."

    return _mark_handled(
        request,
        order,
        ChargebackHandledForm(request.POST if request.method == "POST" else None),
        title=f"Mark chargeback {chargeback_id} as handled",
        question=f"The shopper's bank took {format_money(chargeback.amount_cents, chargeback.currency)} "
        f"of payment attempt {attempt_no} back. Mark it as handled once you dealt with it (contacted the "
        'shopper, held the goods back, or disputed it at Mollie). It leaves "Needs attention"; a new '
        "chargeback flags the order again.",
        mark=mark_handled,
    )


@staff_required
@require_http_methods(["GET", "POST"])
def attempt_refund(request, order_id, attempt_no):
    """Three steps: the form, a confirmation page, and the refund. The form's refund key travels
    along, so confirming twice (a double click, a reload) refunds once."""
    order, row = _attempt_or_404(order_id, attempt_no)
    if not row.can_refund and "confirm" not in request.POST:
        # A confirmation still reaches the service: it may finish a refund Mollie did not confirm.
        messages.error(
            request,
            f"Payment attempt {attempt_no} is {row.attempt.status} with nothing to refund: "
            "only paid payments can be refunded.",
        )
        return redirect("staff:order", order_id=order.order_id)
    context = {"order": order, "row": row}
    currency = row.attempt.currency
    if request.method == "GET":
        form = RefundForm(initial={"amount": decimal_amount(row.remaining_cents), "refund_key": uuid.uuid4().hex})
        return render(request, "staff/refund.html", {**context, "form": form})
    if "change" in request.POST:
        # "No, change it" on the confirmation: the form again with what was typed, never the full
        # amount (a hurried partial refund must not turn into a full one); a new key, as on a GET.
        typed = {"amount": request.POST.get("amount", ""), "description": request.POST.get("description", "")}
        form = RefundForm(initial={**typed, "refund_key": uuid.uuid4().hex})
        return render(request, "staff/refund.html", {**context, "form": form})
    if "confirm" not in request.POST:
        form = RefundForm(request.POST, remaining_cents=row.remaining_cents, currency=currency)
        if not form.is_valid():
            return render(request, "staff/refund.html", {**context, "form": form}, status=422)
        return render(request, "staff/refund_confirm.html", {**context, "form": form})
    # No check against what remains here: a repeated confirmation must reach the refund service
    # (and its idempotency key), which checks the amount itself.
    form = RefundForm(request.POST, currency=currency)
    if not form.is_valid():
        return render(request, "staff/refund.html", {**context, "form": form}, status=422)

    def refund():
        made = payment_services.refund_payment(
            order_id=order.order_id,
            attempt_no=attempt_no,
            amount_cents=form.cleaned_data["amount"],
            refund_key=form.cleaned_data["refund_key"],
            description=form.cleaned_data["description"],
            actor=request.staff_member.username,
        )
        return (
            f"Refund {made.mollie_refund_id} of {format_money(made.amount_cents, made.currency)} "
            f"was made; Mollie says it is {made.status}."
        )

    def confirm_again():
        messages.error(request, MOLLIE_DOWN_DURING_REFUND)
        return render(request, "staff/refund_confirm.html", {**context, "form": form}, status=503)

    return _perform(request, order, refund, when_mollie_is_down=confirm_again)


@staff_required
@require_POST
def order_resend_confirmation(request, order_id):
    order = _order_or_404(order_id)

    def resend():
        payment_services.resend_confirmation(order_id=order.order_id, actor=request.staff_member.username)
        return "The order confirmation was sent again; its status is under E-mails."

    return _perform(request, order, resend)


def _mark_handled(request, order, form, *, title, question, mark):
    """Marking a matter handled: a confirmation page with a note for the timeline, then `mark(note)`."""
    if not form.is_valid():
        return _confirm(
            request,
            order,
            title=title,
            form=form,
            question=question,
            button="Mark as handled",
            status=422 if form.is_bound else 200,
        )
    return _perform(request, order, lambda: mark(form.cleaned_data["note"]))


def _perform(request, order, action, *, when_mollie_is_down=None):
    """Runs one staff action; its outcome, good or bad, is a message on the order's page."""
    try:
        success = action()
    except payment_services.WorkflowError as refusal:
        messages.error(request, str(refusal))
    except mollie.PaymentProviderUnavailable as error:
        log.warning("staff action: Mollie unavailable", extra={"order_id": order.order_id, "error": str(error)})
        if when_mollie_is_down:
            return when_mollie_is_down()
        messages.error(request, MOLLIE_DOWN)
    except mollie.PaymentProviderError as error:
        messages.error(request, f"Mollie did not accept this: {error}")
    except ConcurrentUpdateConflict:
        messages.error(request, BUSY)
    else:
        messages.success(request, success)
    return redirect("staff:order", order_id=order.order_id)


def _confirm(request, order, *, title, question, button, form=None, status=200):
    return render(
        request,
        "staff/confirm.html",
        {"order": order, "title": title, "question": question, "button": button, "form": form},
        status=status,
    )


def _order_or_404(order_id):
    order = selectors.order_by_id(order_id)
    if order is None:
        raise Http404("No such order")
    return order


def _attempt_or_404(order_id, attempt_no):
    order = _order_or_404(order_id)
    row = selectors.payment_attempt(order.order_id, attempt_no)
    if row is None:
        raise Http404("No such payment attempt")
    return order, row
