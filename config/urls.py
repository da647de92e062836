from django.urls import include, path

from config import health

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("payments/", include("payments.urls")),
    path("staff/", include("staff.urls")),
    path("", include("shop.urls")),
]
