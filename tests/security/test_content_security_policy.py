"""Content-Security-Policy on every page, shop and staff, error pages included; and no inline
script anywhere in the templates, so the policy never needs 'unsafe-inline' for scripts."""

import base64
import hashlib
import re
from pathlib import Path

import pytest
from django.test import Client

from tests.fixtures.staff import log_in

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = sorted(ROOT.glob("templates/**/*.html")) + sorted(ROOT.glob("*/templates/**/*.html"))


def policy_of(response):
    header = response["Content-Security-Policy"]
    return {
        name: sources.split()
        for name, _, sources in (directive.strip().partition(" ") for directive in header.split(";"))
    }


def assert_strict(response):
    policy = policy_of(response)
    assert policy["script-src"] == ["'self'"]
    assert policy["default-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"] and policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"]
    assert not any("unsafe" in source for sources in policy.values() for source in sources)
    return policy


def test_every_shop_page_has_the_policy(shopper):
    shopper.buy()
    order = shopper.last_order()
    order_page = f"/en/orders/{order.order_id}/{order.public_token}/"
    shopper.add("espresso-cup")

    for path in (
        "/en/",
        "/en/articles/espresso-cup/",
        "/en/cart/",
        "/en/checkout/",
        order_page,
        order_page + "status.json",
    ):
        response = shopper.client.get(path)
        assert response.status_code == 200, path
        assert_strict(response)


def test_the_checkout_form_may_lead_on_to_mollies_checkout_and_nowhere_else(shopper, sandbox):
    shopper.add("espresso-cup")

    policy = assert_strict(shopper.client.get("/en/checkout/"))
    checkout = shopper.checkout()

    # Browsers apply form-action to the redirect that answers the form, too.
    assert checkout.status_code == 303 and checkout["Location"].startswith(sandbox.url)
    assert policy["form-action"] == ["'self'", sandbox.url]


def test_without_the_sandbox_forms_lead_to_mollie_itself(client, catalog, settings):
    settings.MOLLIE_API_ENDPOINT = ""

    assert policy_of(client.get("/en/"))["form-action"] == ["'self'", "https://www.mollie.com"]


def test_staff_pages_have_the_policy(staff_member):
    staff = Client()
    assert_strict(staff.get("/staff/login/"))
    log_in(staff)

    for path in ("/staff/", "/staff/orders/", "/staff/articles/", "/staff/password/"):
        response = staff.get(path)
        assert response.status_code == 200, path
        assert_strict(response)


def test_error_pages_have_the_policy(catalog):
    not_found = Client().get("/no-such-page/")
    csrf_refusal = Client(enforce_csrf_checks=True).post("/en/cart/add/", {"slug": "espresso-cup"})

    assert not_found.status_code == 404 and csrf_refusal.status_code == 403
    assert_strict(not_found)
    assert_strict(csrf_refusal)


def inline_style_hash(page):
    [style] = re.findall(r"<style>(.*?)</style>", page, flags=re.DOTALL)
    return f"'sha256-{base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()}'"


@pytest.mark.no_tables
def test_the_self_contained_500_page_keeps_its_own_style():
    # No tables at all: a fault that does not pass by itself, so a 500 with its own inline style.
    response = Client(raise_request_exception=False).get("/en/")

    assert response.status_code == 500
    policy = assert_strict(response)
    assert inline_style_hash(response.content.decode()) in policy["style-src"]


def test_the_busy_page_keeps_its_own_style(catalog, injector, no_backoff):
    injector(rate=1.0, operations={"Query"})

    response = Client(raise_request_exception=False).get("/en/")

    assert response.status_code == 503
    policy = assert_strict(response)
    assert inline_style_hash(response.content.decode()) in policy["style-src"]


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda path: str(path.relative_to(ROOT)))
def test_templates_have_no_inline_script_or_event_handler(template):
    html = template.read_text()

    for attributes, body in re.findall(r"<script\b([^>]*)>(.*?)</script>", html, flags=re.DOTALL | re.IGNORECASE):
        assert "src=" in attributes and not body.strip(), f"inline script in {template.name}"
    assert not re.search(r"<[^>]*\son[a-z]+\s*=", html, flags=re.IGNORECASE), f"event handler in {template.name}"
    assert "javascript:" not in html.lower()
