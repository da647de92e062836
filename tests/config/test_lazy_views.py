"""Views are imported on their first request (config/lazy_views.py): a cold start serving the shop
page does not import the staff area, the webhook, the checkout workflow or Mollie's client."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

pytestmark = pytest.mark.pure

ROOT = Path(__file__).resolve().parents[2]

# What the shop page never needs. (botocore's urllib3 is on every path; `requests` is not.)
NOT_FOR_THE_SHOP_PAGE = (
    "mollie",
    "requests",
    "requests_oauthlib",
    "zappa.asynchronous",
    "payments.services",
    "payments.views",
    "shop.views.cart",
    "shop.views.checkout",
    "shop.views.orders",
    "staff.views.dashboard",
    "staff.views.orders",
    "staff.views.order_actions",
    "staff.views.exports",
    "staff.views.articles",
    "staff.views.accounts",
    "staff.views.shipping",
    "shop.views.shipping",
)

FIRST_REQUEST = """
import json, sys
import django
django.setup()
from django.urls import resolve, reverse
# What the first request does: the URLconf, reversing (middleware, templates), resolving, the view.
for name in ("shop:index", "shop:cart", "staff:dashboard", "staff:login", "payments:webhook"):
    reverse(name)
resolve("/staff/").func, resolve("/payments/webhook/").func
index = resolve("/en/").func
getattr(index, "load", lambda: index)()
print(json.dumps(sorted(sys.modules)))
"""


def url_patterns(resolver=None):
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            yield from url_patterns(pattern)
        else:
            assert isinstance(pattern, URLPattern)
            yield pattern


def test_resolving_and_reversing_the_shop_page_imports_none_of_the_other_views():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "PYTHONDONTWRITEBYTECODE": "1"}
    result = subprocess.run(
        [sys.executable, "-c", FIRST_REQUEST], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    imported = set(json.loads(result.stdout.splitlines()[-1]))

    assert "shop.views.catalog" in imported  # the shop page's own
    assert not [name for name in NOT_FOR_THE_SHOP_PAGE if name in imported]


def test_every_url_leads_to_a_view_that_exists_with_its_own_csrf_exemption():
    patterns = list(url_patterns())
    assert len(patterns) > 25
    for pattern in patterns:
        view = pattern.callback.load() if hasattr(pattern.callback, "load") else pattern.callback
        assert callable(view), pattern
        assert (view.__module__, view.__name__) == (pattern.callback.__module__, pattern.callback.__name__)
        # The middleware reads the flag on the URL's entry; a view marked alone would get a 403.
        assert getattr(pattern.callback, "csrf_exempt", False) == getattr(view, "csrf_exempt", False), pattern


def test_mollie_reaches_the_webhook_without_a_csrf_token():
    response = Client(enforce_csrf_checks=True).post("/payments/webhook/", {})

    assert response.status_code == 200
    assert response.content == b"ignored"
