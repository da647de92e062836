"""The pages a shopper sees when something goes wrong: templates/404.html, 403_csrf.html, 500.html."""

import pytest
from django.template.loader import get_template
from django.test import Client

pytestmark = pytest.mark.pure


def test_unknown_page_explains_and_links_back(client):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    body = response.content.decode()
    assert "<h1>Page not found</h1>" in body and 'href="/en/"' in body


def test_form_without_csrf_cookie_explains_that_nothing_was_charged():
    response = Client(enforce_csrf_checks=True).post("/en/checkout/", {"name": "Ada", "email": "ada@example.com"})

    assert response.status_code == 403
    body = response.content.decode()
    assert "Your session has expired" in body and "nothing was ordered or charged" in body


def test_server_error_page_needs_no_context_at_all():
    # Django renders 500.html with an empty context, maybe while URLs or static files are broken.
    body = get_template("500.html").render()

    assert "Something went wrong on our side" in body
    assert "{%" not in body and "static" not in body
