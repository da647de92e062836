"""A customer's page (their orders, by e-mail address), the export of their data and its erasure.
Each action asks for confirmation first; all are POSTs (CSRF) and staff only."""

import json

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods, require_POST

from privacy import customers
from privacy.forms import CustomerForm
from privacy.selectors import orders_of_email
from staff.auth import staff_required


@staff_required
@require_http_methods(["GET", "POST"])
def customer(request):
    form = CustomerForm(request.POST or None)
    if request.method == "GET" or not form.is_valid():
        status = 200 if request.method == "GET" else 422
        return render(request, "staff/customer.html", {"form": form}, status=status)
    email = form.cleaned_data["email"]
    return render(request, "staff/customer.html", {"form": form, "email": email, "orders": orders_of_email(email)})


@staff_required
@require_POST
def customer_export(request):
    form = CustomerForm(request.POST)
    if not form.is_valid():
        return render(request, "staff/customer.html", {"form": form}, status=422)
    email = form.cleaned_data["email"]
    if "confirm" not in request.POST:
        return _confirm(request, email, action="export")
    data = customers.export(email, actor=request.staff_member.username)
    response = HttpResponse(json.dumps(data, indent=2, ensure_ascii=False), content_type="application/json")
    response["Content-Disposition"] = 'attachment; filename="customer-data.json"'  # no address in the name
    return response


@staff_required
@require_POST
def customer_erase(request):
    form = CustomerForm(request.POST)
    if not form.is_valid():
        return render(request, "staff/customer.html", {"form": form}, status=422)
    email = form.cleaned_data["email"]
    if "confirm" not in request.POST:
        return _confirm(request, email, action="erase")
    erasure = customers.erase(email, actor=request.staff_member.username)
    return render(request, "staff/customer_erased.html", {"erasure": erasure})


def _confirm(request, email, *, action):
    orders = orders_of_email(email)
    return render(request, "staff/customer_confirm.html", {"email": email, "orders": orders, "action": action})
