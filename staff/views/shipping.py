"""Staff's fulfilment and shipping pages: the "to ship" list (one Query on a sparse index), an
order's packing slip with the ship form, and the shipping zones. Thin: payments.services.fulfilment
and shop.shipping decide."""

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from config.dynamodb import ConcurrentUpdateConflict
from payments.errors import ActionRefused
from payments.selectors import get_order
from payments.services import fulfilment
from shop import shipping
from shop.addresses import country_name
from staff.auth import staff_required

BUSY = "Someone else changed this order at the same moment. Please try again."


class ShipForm(forms.Form):
    carrier = forms.ChoiceField(
        label="Carrier", choices=[(key, name) for key, (name, _) in fulfilment.CARRIERS.items()]
    )
    tracking_number = forms.CharField(label="Tracking number", max_length=60)

    def __init__(self, *args, order, **kwargs):
        super().__init__(*args, **kwargs)
        for line in order.lines:
            if line.quantity_to_ship > 0:
                self.fields[f"ship_{line.slug}"] = forms.IntegerField(
                    label=f"{line.name} (of {line.quantity_to_ship} left)",
                    min_value=0,
                    max_value=line.quantity_to_ship,
                    initial=line.quantity_to_ship,
                )

    def quantities(self):
        return {name[5:]: value for name, value in self.cleaned_data.items() if name.startswith("ship_") and value}


class ZoneForm(forms.Form):
    zone_id = forms.SlugField(label="Zone code", max_length=30)
    name = forms.CharField(label="Name", max_length=100)
    countries = forms.CharField(label="Countries (ISO codes, comma-separated)", max_length=200)
    price = forms.DecimalField(label="Price (EUR)", min_value=0, max_digits=7, decimal_places=2)
    free_above = forms.DecimalField(
        label="Free from (EUR, optional)", required=False, min_value=0, max_digits=8, decimal_places=2
    )
    vat_rate = forms.RegexField(label="VAT rate (%)", regex=r"^\d{1,2}(\.\d{1,2})?$", initial="21.00")
    delivery_days = forms.CharField(label="Delivery time (days)", max_length=20, required=False)

    def clean_countries(self):
        codes = [code.strip().upper() for code in self.cleaned_data["countries"].split(",") if code.strip()]
        unknown = [code for code in codes if len(code) != 2 or country_name(code) == code]
        if not codes or unknown:
            raise forms.ValidationError("Please list two-letter country codes, like NL, BE.")
        return codes


@staff_required
@require_GET
def to_ship(request):
    return render(request, "staff/to_ship.html", {"orders": fulfilment.orders_to_ship()})


@staff_required
@require_http_methods(["GET", "POST"])
def packing_slip(request, order_id):
    order = get_order(order_id)
    if order is None:
        raise Http404("No such order")
    form = ShipForm(request.POST or None, order=order)
    if request.method == "POST" and form.is_valid():
        try:
            shipment = fulfilment.ship(
                order_id=order.order_id,
                quantities=form.quantities(),
                carrier=form.cleaned_data["carrier"],
                tracking_number=form.cleaned_data["tracking_number"],
                actor=request.staff_member.username,
            )
        except ActionRefused as refusal:
            messages.error(request, str(refusal))
        except ConcurrentUpdateConflict:
            messages.error(request, BUSY)
        else:
            messages.success(request, f"Shipment {shipment.shipment_no} recorded; the customer was e-mailed.")
            return redirect("staff:packing_slip", order_id=order.order_id)
    context = {"order": order, "form": form, "shipments": fulfilment.shipments_of(order)}
    return render(request, "staff/packing_slip.html", context, status=422 if form.errors else 200)


@staff_required
@require_POST
def capture_again(request, order_id, shipment_no):
    """Pay later: a shipment whose capture failed is captured again (a new capture, never a twin)."""
    try:
        fulfilment.retry_capture(order_id=order_id, shipment_no=shipment_no, actor=request.staff_member.username)
    except ActionRefused as refusal:
        messages.error(request, str(refusal))
    except ConcurrentUpdateConflict:
        messages.error(request, BUSY)
    else:
        messages.success(request, f"Shipment {shipment_no} is being captured again.")
    return redirect("staff:packing_slip", order_id=order_id)


@staff_required
@require_http_methods(["GET", "POST"])
def zones(request):
    form = ZoneForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        shipping.save_zone(
            zone_id=data["zone_id"],
            name=data["name"],
            countries=data["countries"],
            price_cents=int(data["price"] * 100),
            free_above_cents=None if data["free_above"] is None else int(data["free_above"] * 100),
            vat_rate=data["vat_rate"],
            delivery_days=data["delivery_days"],
        )
        messages.success(request, f"Zone {data['name']} saved.")
        return redirect("staff:zones")
    return render(
        request, "staff/zones.html", {"zones": shipping.zones(), "form": form}, status=422 if form.errors else 200
    )
