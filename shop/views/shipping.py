"""The cart's country choice (what shipping costs), and the pages a shop must show: contact,
terms, returns and withdrawal, shipping, privacy. Thin: settings and templates say what they hold."""

from django.conf import settings
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from privacy.notice import retention_notice
from shop import shipping

LEGAL_PAGES = {
    "contact": gettext_lazy("Contact"),
    "terms": gettext_lazy("Terms and conditions"),
    "returns": gettext_lazy("Returns and the right of withdrawal"),
    "shipping": gettext_lazy("Shipping costs and times"),
    "privacy": gettext_lazy("Privacy"),
}


@require_POST
def cart_country(request):
    """Stores the country code only (no personal data) in the session: the cart shows its shipping."""
    if not shipping.choose_country(request.session, request.POST.get("country", "")):
        messages.error(request, gettext("We do not ship to that country; please choose one of the countries listed."))
    return redirect("shop:cart")


@require_GET
def legal_page(request, page):
    if page not in LEGAL_PAGES:
        raise Http404("No such page")
    context = {
        "title": LEGAL_PAGES[page],
        "legal": settings.SHOP_LEGAL,
        "phone": settings.SHOP_PHONE,
        "zones": shipping.zones() if page == "shipping" else [],
        "withdrawal_days": 14,
        "retention": retention_notice() if page == "privacy" else None,
    }
    return render(request, f"shop/legal/{page}.html", context)
