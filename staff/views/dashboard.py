"""Staff's start page: today's figures and the revenue charts (staff/dashboard.py computes them)."""

from django.shortcuts import render
from django.views.decorators.http import require_GET

from payments.enums import OrderStatus
from staff import dashboard as staff_dashboard
from staff.auth import staff_required
from staff.charts import revenue_chart


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
