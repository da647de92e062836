from django.urls import include, path, register_converter

from config import health
from payments.converters import OrderIdConverter

# Registered once, here, before the apps' URLconfs that use it are included.
register_converter(OrderIdConverter, "order_id")

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("payments/", include("payments.urls")),
    path("notifications/", include("notifications.urls")),
    path("staff/", include("staff.urls")),
    path("", include("shop.urls")),
]
