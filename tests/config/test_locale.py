"""Where a URL's language comes from (config/locale.py, config/urls.py, docs/i18n.md): shop URLs carry
it; an address without one is redirected by the cookie or Accept-Language; staff pages, webhooks
and health checks keep their addresses and stay English."""

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.pure


@pytest.mark.parametrize(
    "accept_language, expected",
    [
        ("nl-NL,nl;q=0.9,en;q=0.8", "/nl/"),
        ("de-AT", "/de/"),
        ("fr-BE,fr;q=0.9", "/fr/"),
        ("ja", "/en/"),
        ("", "/en/"),
    ],
)
def test_a_first_visit_follows_the_browsers_language(accept_language, expected):
    response = Client(HTTP_ACCEPT_LANGUAGE=accept_language).get("/")

    assert response.status_code == 302 and response["Location"] == expected
    assert "Accept-Language" in response["Vary"]


def test_the_chosen_language_wins_over_the_browsers():
    client = Client(HTTP_ACCEPT_LANGUAGE="nl")
    client.cookies["django_language"] = "fr"

    assert client.get("/cart/")["Location"] == "/fr/cart/"


def test_the_switcher_keeps_the_page_and_remembers_only_the_language():
    client = Client()
    response = client.post(reverse("set_language"), {"language": "de", "next": "/nl/articles/espresso-cup/?x=1"})

    assert response.status_code == 302 and response["Location"] == "/de/articles/espresso-cup/?x=1"
    cookie = response.cookies["django_language"]
    assert cookie.value == "de" and cookie["httponly"] and cookie["samesite"] == "Lax"
    assert int(cookie["max-age"]) == 365 * 24 * 60 * 60
    assert client.get("/")["Location"] == "/de/"


def test_the_switcher_refuses_a_language_the_shop_does_not_speak_and_a_foreign_next():
    response = Client().post(reverse("set_language"), {"language": "xx", "next": "https://evil.example/"})

    assert response.status_code == 302 and response["Location"] == "/"
    assert "django_language" not in response.cookies


def test_old_shop_addresses_lead_to_the_same_page_in_the_visitors_language():
    client = Client(HTTP_ACCEPT_LANGUAGE="nl")

    # Mollie's redirectUrl of a payment made before the shop spoke Dutch.
    old_order_page = client.get("/orders/SO-00000-00000/token/?from=mollie")
    assert old_order_page.status_code == 302
    assert old_order_page["Location"] == "/nl/orders/SO-00000-00000/token/?from=mollie"
    # A form on a page cached before the move: 307 keeps the POST and its body.
    old_form = client.post("/cart/add/", {"slug": "espresso-cup"})
    assert old_form.status_code == 307 and old_form["Location"] == "/nl/cart/add/"
    assert client.get("/cart")["Location"] == "/nl/cart/"  # the slash added, as before


def test_an_unknown_address_is_a_404_in_the_visitors_language():
    response = Client(HTTP_ACCEPT_LANGUAGE="de").get("/no-such-page/")

    assert response.status_code == 404 and "Seite nicht gefunden" in response.content.decode()


def test_machine_and_staff_addresses_never_move_and_stay_english():
    assert reverse("payments:webhook") == "/payments/webhook/"
    assert reverse("notifications:ses_events") == "/notifications/ses/"
    assert reverse("healthz") == "/healthz"
    assert reverse("staff:login") == "/staff/login/"

    client = Client(HTTP_ACCEPT_LANGUAGE="nl")
    client.cookies["django_language"] = "nl"
    staff = client.get("/staff/login/")
    assert staff.status_code == 200 and staff["Content-Language"] == "en"
    assert client.get("/healthz")["Content-Language"] == "en"


LANGUAGES_LOADED = """
import json
import django
django.setup()
from django.test import Client
from django.utils.translation import trans_real
Client().get("/nl/pages/terms/")  # a shop page with its switcher and its hreflang alternates
print(json.dumps(sorted(trans_real._translations)))
"""


def test_a_page_loads_the_catalogs_of_its_own_language_only():
    # Cold start: the alternates and the switcher name every language without activating it.
    import json
    import subprocess
    import sys

    from django.conf import settings

    env = {"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "config.settings", "DJANGO_SECRET_KEY": "x"}
    result = subprocess.run(
        [sys.executable, "-c", LANGUAGES_LOADED],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == ["en", "nl"]  # Dutch, with English as its fallback
