from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from config.lazy_views import lazy_view

app_name = "notifications"

urlpatterns = [
    # SNS cannot send a CSRF token; the view checks SNS's signature instead.
    path("ses/", csrf_exempt(lazy_view("notifications.views.ses_events")), name="ses_events"),
]
