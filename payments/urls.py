from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from config.lazy_views import lazy_view

app_name = "payments"

urlpatterns = [
    # Mollie cannot send a CSRF token (the view is csrf_exempt too; config/lazy_views.py says why here).
    path("webhook/", csrf_exempt(lazy_view("payments.views.webhook")), name="webhook"),
]
