"""Staff pages under /staff/, in the manner of the Django admin. Thin: each view parses a form,
calls one service or selector, and renders or redirects with a message. What an action may do
is decided by the payment workflow (payments.services), never here.
"""

import logging
import uuid
from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from config.dynamodb import ConcurrentUpdateConflict
from payments import mollie
from payments import services as payment_services
from payments.enums import OrderStatus
from shop import services as shop_services
from shop.money import decimal_amount
from shop.selectors import article_by_slug, catalog_articles
from staff import cursors, exports, selectors
from staff.auth import staff_required
from staff.charts import revenue_chart
from staff.forms import (
    ArticleForm,
    DoublePaymentHandledForm,
    OrderFilterForm,
    RefundForm,
)

log = logging.getLogger(__name__)

MOLLIE_DOWN = "Mollie could not be reached, so nothing was changed. Please try again in a moment."
MOLLIE_DOWN_DURING_REFUND = (
    "Mollie could not be reached, so the refund may not have been made. Confirm again to "
    "finish it: the same refund is never made twice."
)
BUSY = "Someone else changed this order at the same moment. Please try again."


# --- Dashboard ----------------------------------------------------------------------------------


@staff_required
@require_GET
def dashboard(request):
    figures = selectors.dashboard()
    charts = [revenue_chart(currency, per_day) for currency, per_day in sorted(figures.paid_per_day.items())]
    if not charts:
        charts = [revenue_chart("EUR", dict.fromkeys(figures.days, 0))]
    return render(
        request,
        "staff/dashboard.html",
        {"dashboard": figures, "charts": charts, "status_labels": dict(OrderStatus.choices)},
    )


# --- Orders -------------------------------------------------------------------------------------


@staff_required
@require_GET
def order_list(request):
    form = OrderFilterForm(request.GET)
    context = {"form": form, "status_labels": dict(OrderStatus.choices), "date_ranges": _date_ranges()}
    if not form.is_valid():
        return render(request, "staff/order_list.html", {**context, "orders": []}, status=400)
    page = selectors.orders_page(form.order_filter, start_key=form.start_key, page_size=settings.STAFF_ORDERS_PER_PAGE)
    next_cursor = cursors.make_cursor(page.next_start_key, form.order_filter) if page.next_start_key else ""
    return render(
        request,
        "staff/order_list.html",
        {**context, "orders": page.orders, "next_cursor": next_cursor, "is_first_page": form.start_key is None},
    )


@staff_required
@require_GET
def order_export(request):
    form = OrderFilterForm(request.GET)
    if not form.is_valid():
        messages.error(request, "Please correct the filters before exporting.")
        return redirect(f"{reverse('staff:orders')}?{request.GET.urlencode()}")
    lines = exports.order_lines(selectors.orders_for_export(form.order_filter))
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="orders-{timezone.now():%Y%m%d-%H%M}.csv"'
    return response


def _date_ranges():
    """The filter sidebar's shortcuts, like the admin's "Today / Past 7 days" links."""
    today = timezone.localdate()
    return [
        ("Any date", "", ""),
        ("Today", today, today),
        ("Last 7 days", today - timedelta(days=6), today),
        ("Last 30 days", today - timedelta(days=29), today),
    ]


@staff_required
@require_GET
def order_detail(request, order_id):
    detail = selectors.order_detail(order_id)
    if detail is None:
        raise Http404("No such order")
    return render(
        request,
        "staff/order_detail.html",
        {"detail": detail, "order": detail.order, "status_labels": dict(OrderStatus.choices)},
    )


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
@require_POST
def order_resend_confirmation(request, order_id):
    order = _order_or_404(order_id)

    def resend():
        payment_services.resend_confirmation(order_id=order.order_id, actor=request.staff_member.username)
        return "The order confirmation was sent again; its status is under E-mails."

    return _perform(request, order, resend)


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
    form = DoublePaymentHandledForm(request.POST if request.method == "POST" else None)
    if not form.is_valid():
        return _confirm(
            request,
            order,
            title="Mark double payment as handled",
            form=form,
            question=f"Payment attempt {attempt_no} ({row.attempt.mollie_payment_id}) paid an order that "
            f"was already paid. Mark it as handled once the money went back or the customer "
            f"agreed otherwise.",
            button="Mark as handled",
            status=422 if form.is_bound else 200,
        )

    def mark_handled():
        payment_services.mark_double_payment_handled(
            order_id=order.order_id,
            attempt_no=attempt_no,
            actor=request.staff_member.username,
            note=form.cleaned_data["note"],
        )
        return f"The double payment of attempt {attempt_no} is marked as handled."

    return _perform(request, order, mark_handled)


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
            f"Refund {made.mollie_refund_id} of {made.currency} {decimal_amount(int(made.amount_cents))} "
            f"was made; Mollie says it is {made.status}."
        )

    def confirm_again():
        messages.error(request, MOLLIE_DOWN_DURING_REFUND)
        return render(request, "staff/refund_confirm.html", {**context, "form": form}, status=503)

    return _perform(request, order, refund, when_mollie_is_down=confirm_again)


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


# --- Catalog ------------------------------------------------------------------------------------


@staff_required
@require_GET
def article_list(request):
    return render(request, "staff/article_list.html", {"articles": catalog_articles(include_inactive=True)})


@staff_required
@require_http_methods(["GET", "POST"])
def article_add(request):
    return _article_form(request, article=None)


@staff_required
@require_http_methods(["GET", "POST"])
def article_edit(request, slug):
    article = article_by_slug(slug)
    if article is None:
        raise Http404("No such article")
    return _article_form(request, article=article)


def _article_form(request, *, article):
    initial = ArticleForm.initial_for(article) if article else None
    form = ArticleForm(request.POST if request.method == "POST" else None, initial=initial, article=article)
    if form.is_valid():
        fields = form.cleaned_data
        try:
            shop_services.save_article(
                slug=fields["slug"],
                name=fields["name"],
                description=fields["description"],
                price_cents=fields["price"],
                currency=fields["currency"],
                picture=fields["picture"],
                active=fields["active"],
                stock=fields["stock"],
                stock_shown=fields["stock_shown"],
            )
        except shop_services.StockChangedMeanwhile:
            messages.error(
                request,
                "The stock changed while you were editing (an order came in). "
                "Nothing was saved; please check the numbers and save again.",
            )
            return redirect("staff:article_edit", slug=fields["slug"]) if article else redirect("staff:articles")
        messages.success(request, f"“{fields['name']}” was {'changed' if article else 'added'}.")
        return redirect("staff:articles")
    return render(
        request, "staff/article_form.html", {"form": form, "article": article}, status=422 if form.is_bound else 200
    )
