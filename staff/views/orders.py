"""Staff's order list (filters, pages) and an order's page. Thin, like every staff view: parse a
form, call one service or selector, render. The actions on an order are in order_actions.py.
"""

from datetime import timedelta

from django.conf import settings
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from payments.enums import OrderStatus
from staff import cursors, selectors
from staff.auth import staff_required
from staff.forms import OrderFilterForm


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
        {
            **context,
            "orders": page.orders,
            "pending_refunds": selectors.pending_refunds_of(page.orders),
            "next_cursor": next_cursor,
            "is_first_page": form.start_key is None,
            "more_matches": page.more_matches,
        },
    )


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
