"""Bench-only urlconf: the shop's URLs plus `/bench/trivial`, the baseline latencies are divided by.

Selected with ROOT_URLCONF=bench.urls for the bench's server (see chaos/server.py); never part
of config.urls. The trivial view goes through the same middleware as every shop page.
"""

from django.http import HttpResponse
from django.urls import include, path


def trivial(request):
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("bench/trivial", trivial, name="bench-trivial"),
    path("", include("config.urls")),
]
