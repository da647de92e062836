"""Staff pages under /staff/, in the manner of the Django admin. Thin: each view parses a form,
calls one service or selector, and renders or redirects with a message. What an action may do
is decided by the payment workflow (payments.services), never here. The actions on an order
are in staff/order_actions.py.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from payments.enums import OrderStatus
from shop import services as shop_services
from shop.selectors import article_by_slug, catalog_articles
from staff import cursors, selectors
from staff import dashboard as staff_dashboard
from staff.auth import staff_required
from staff.charts import revenue_chart
from staff.forms import (
    ArticleForm,
    OrderFilterForm,
)

# --- Dashboard ----------------------------------------------------------------------------------


@staff_required
@require_GET
def dashboard(request):
    figures = staff_dashboard.dashboard()
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
