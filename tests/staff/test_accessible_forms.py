"""Forms with errors, as a screen reader meets them (issue 27): every id a field's
aria-describedby names exists, and a summary at the top is announced and links to each field."""

import re

import pytest

from tests.fixtures.staff import log_in


def described_by_ids(page):
    return {name for names in re.findall(r'aria-describedby="([^"]*)"', page) for name in names.split()}


def ids_on(page):
    return set(re.findall(r'\sid="([^"]+)"', page))


def assert_errors_are_announced_and_linked(page, *fields):
    missing = described_by_ids(page) - ids_on(page)
    assert not missing, f"aria-describedby names ids that do not exist: {sorted(missing)}"
    summary = re.search(
        r'<div class="errornote error-summary" role="alert" id="error-summary"[^>]*>(.*?)</div>', page, re.S
    )
    assert summary, "no error summary at the top of the form"
    assert re.search(r"<title>Error: ", page), "the title does not say that something is wrong"
    for field in fields:
        assert f'href="#id_{field}"' in summary.group(1), f"the summary does not link to {field}"
        assert re.search(rf'id="id_{field}"[^>]*aria-invalid="true"|aria-invalid="true"[^>]*id="id_{field}"', page)
    return summary.group(1)


def test_a_wrong_login_is_an_alert_not_a_list_with_a_role(client, staff_member):
    page = log_in(client, password="not the password").content.decode()

    summary = assert_errors_are_announced_and_linked(page)
    assert "correct" in summary.lower() or "password" in summary.lower()
    assert not re.search(r"<ul[^>]*role=", page)


def test_an_empty_login_names_both_fields(client, staff_member):
    page = client.post("/staff/login/", {}).content.decode()

    assert_errors_are_announced_and_linked(page, "username", "password")


def test_an_empty_article_form_lists_each_error_linked_to_its_field(staff_client):
    response = staff_client.post("/staff/articles/add/", {})

    assert response.status_code == 422
    assert_errors_are_announced_and_linked(response.content.decode(), "slug", "name", "price")


def test_a_wrong_refund_amount_is_announced_and_linked(staff_client, paid_order_of_two_cups):
    url = f"/staff/orders/{paid_order_of_two_cups.order_id}/payments/1/refund/"
    response = staff_client.post(url, {"amount": "ten", "refund_key": "a" * 32})

    assert response.status_code == 422
    assert_errors_are_announced_and_linked(response.content.decode(), "amount")


def test_a_wrong_new_password_is_announced_and_linked(staff_client):
    response = staff_client.post(
        "/staff/password/", {"current_password": "x", "new_password": "short", "new_password_again": "other"}
    )

    assert_errors_are_announced_and_linked(response.content.decode(), "new_password_again")


@pytest.mark.parametrize(
    "query, fields",
    [("created_from=2026-02-02&created_to=2026-02-01", ["created_to"]), ("q=what", ["q"]), ("status=nope", ["status"])],
)
def test_wrong_order_filters_are_announced_and_linked(staff_client, query, fields):
    response = staff_client.get(f"/staff/orders/?{query}")

    assert response.status_code == 400
    assert_errors_are_announced_and_linked(response.content.decode(), *fields)


def test_messages_are_a_live_region_around_a_list(staff_client, paid_order_of_two_cups):
    staff_client.post(f"/staff/orders/{paid_order_of_two_cups.order_id}/resend-confirmation/")
    page = staff_client.get(f"/staff/orders/{paid_order_of_two_cups.order_id}/").content.decode()

    assert re.search(r'<div class="messagelist" role="status">\s*<ul><li class="success">', page)
    assert not re.search(r"<ul[^>]*role=", page)
