from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path, register_converter

from config import health
from config.lazy_views import lazy_view
from payments.converters import OrderIdConverter

# Registered once, here, before the apps' URLconfs that use it are included.
register_converter(OrderIdConverter, "order_id")

# Called by machines or used by staff: no language in the URL, and these addresses never move
# (Mollie keeps the webhookUrl of every payment; SNS its subscription).
urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("payments/", include("payments.urls")),
    path("notifications/", include("notifications.urls")),
    path("staff/", include("staff.urls")),
    # The language switcher posts here; it sets the language cookie and goes back to the page in it.
    path("i18n/setlang/", lazy_view("config.locale.switch_language"), name="set_language"),
]
# The shop in the shopper's language: /en/, /nl/, /de/, /fr/ (docs/adr/0007). An address without
# one redirects to the language of the cookie or the browser (config/locale.py).
urlpatterns += i18n_patterns(path("", include("shop.urls")))
