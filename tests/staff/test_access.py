"""Every /staff/ page and action needs a staff login, and every action a CSRF token."""

import pytest
from django.test import Client
from django.urls import get_resolver
from django.utils import timezone

from payments.models import Refund
from staff.models import ExportJob, StaffMember
from tests.fixtures.staff import STAFF_PASSWORD, csrf_token_from, log_in

ORDER = "{order}"
EXPORT_JOB = "e" * 32
PAGES = [
    "/staff/",
    "/staff/password/",
    "/staff/orders/",
    "/staff/orders/export.csv",
    f"/staff/orders/{ORDER}/",
    f"/staff/orders/{ORDER}/cancel/",
    f"/staff/orders/{ORDER}/release-rest/",
    f"/staff/orders/{ORDER}/payments/1/cancel/",
    f"/staff/orders/{ORDER}/payments/1/refund/",
    f"/staff/orders/{ORDER}/payments/1/handled/",
    f"/staff/orders/{ORDER}/payments/1/chargebacks/chb_test/handled/",
    "/staff/articles/",
    "/staff/articles/add/",
    "/staff/articles/espresso-cup/",
    f"/staff/exports/{EXPORT_JOB}/",
    "/staff/to-ship/",
    f"/staff/orders/{ORDER}/packing-slip/",
    "/staff/shipping-zones/",
    "/staff/customers/",
]
ACTIONS = [
    (
        "/staff/password/",
        {
            "current_password": STAFF_PASSWORD,
            "new_password": "a whole new secret",
            "new_password_again": "a whole new secret",
        },
    ),
    (f"/staff/orders/{ORDER}/refresh/", {}),
    (f"/staff/orders/{ORDER}/cancel/", {}),
    (f"/staff/orders/{ORDER}/release-rest/", {}),
    (f"/staff/orders/{ORDER}/resend-confirmation/", {}),
    (f"/staff/orders/{ORDER}/payments/1/cancel/", {}),
    (f"/staff/orders/{ORDER}/payments/1/refund/", {"amount": "5.00", "refund_key": "a" * 32, "confirm": "yes"}),
    (f"/staff/orders/{ORDER}/payments/1/handled/", {"note": "sorted"}),
    (f"/staff/orders/{ORDER}/payments/1/chargebacks/chb_test/handled/", {"note": "sorted"}),
    ("/staff/articles/add/", {"slug": "new-mug", "name": "Mug", "price": "9.95", "currency": "EUR", "active": "on"}),
    ("/staff/articles/espresso-cup/", {"name": "Cup", "price": "1.00", "currency": "EUR", "active": "on"}),
    ("/staff/orders/export.csv", {"job_id": EXPORT_JOB}),
    (f"/staff/orders/{ORDER}/packing-slip/", {"carrier": "postnl", "tracking_number": "3S1"}),
    (f"/staff/orders/{ORDER}/shipments/2/capture/", {}),
    ("/staff/shipping-zones/", {"zone_id": "nl", "name": "NL", "countries": "NL", "price": "1", "vat_rate": "21"}),
    ("/staff/customers/", {"email": "ada@example.com"}),
    ("/staff/customers/export/", {"email": "ada@example.com", "confirm": "1"}),
    ("/staff/customers/erase/", {"email": "ada@example.com", "confirm": "1"}),
    ("/staff/logout/", {}),
]
ACTION_URLS = [url for url, _ in ACTIONS]
# Reachable without a login, on purpose.
PUBLIC = {"/staff/login/"}


def test_every_staff_url_is_covered_here():
    staff_routes = get_resolver().url_patterns
    routes = {
        "/staff/" + str(pattern.pattern)
        for resolver in staff_routes
        if str(resolver.pattern) == "staff/"
        for pattern in resolver.url_patterns
    }
    covered = {_route(url) for url in PAGES + ACTION_URLS} | PUBLIC
    assert routes == covered


def _route(url):
    return (
        url.replace(ORDER, "<order_id:order_id>")
        .replace("/shipments/2/", "/shipments/<int:shipment_no>/")
        .replace("/1/", "/<int:attempt_no>/")
        .replace("/chb_test/", "/<str:chargeback_id>/")
        .replace("articles/espresso-cup/", "articles/<slug:slug>/")
        .replace(EXPORT_JOB, "<str:job_id>")
    )


@pytest.fixture(autouse=True)
def export_job():
    """A finished background export, so its progress page has something to show."""
    now = timezone.now()
    ExportJob(
        EXPORT_JOB,
        requested_by="grace",
        status=ExportJob.DONE,
        rows_expected=1,
        rows_written=1,
        object_key=f"private/exports/{EXPORT_JOB}/orders.csv",
        created_at=now,
        updated_at=now,
    ).save()


def _url(template, order):
    return template.replace(ORDER, order.order_id)


@pytest.fixture
def shopper_client(catalog):
    """Someone with a shop session (a cart) but no staff login."""
    client = Client()
    client.post("/en/cart/add/", {"slug": "espresso-cup", "quantity": 1})
    return client


@pytest.fixture
def disabled_staff_client(staff_client, staff_member):
    StaffMember.get(staff_member.username).update(actions=[StaffMember.active.set(False)], add_version_condition=False)
    return staff_client


@pytest.fixture
def non_staff_clients(shopper_client, disabled_staff_client):
    """Everyone without staff rights, by name: each test tries them one after another (one paid
    order for the three, not one each)."""
    return {"anonymous": Client(), "shopper": shopper_client, "disabled staff member": disabled_staff_client}


@pytest.mark.parametrize("page", PAGES)
def test_pages_send_non_staff_to_the_login(page, paid_order_of_two_cups, non_staff_clients):
    url = _url(page, paid_order_of_two_cups)

    for who, client in non_staff_clients.items():
        response = client.get(url)

        assert response.status_code == 302, who
        assert response["Location"].startswith("/staff/login/?next="), who


@pytest.mark.parametrize("action", ACTIONS, ids=ACTION_URLS)
def test_actions_send_non_staff_to_the_login_and_do_nothing(action, paid_order_of_two_cups, non_staff_clients, sandbox):
    url, data = action

    for who, client in non_staff_clients.items():
        response = client.post(_url(url, paid_order_of_two_cups), data)

        assert response.status_code == 302, who
        assert response["Location"].startswith("/staff/login/"), who
        assert list(Refund.query(paid_order_of_two_cups.order_id)) == [], who


@pytest.mark.parametrize("page", PAGES)
def test_staff_sees_every_page(page, staff_client, paid_order_of_two_cups):
    response = staff_client.get(_url(page, paid_order_of_two_cups))
    if page.endswith("/handled/"):
        # Opens only for a flagged double payment or an unhandled chargeback
        # (tests/staff/test_order_actions.py, test_methods_and_chargebacks.py); this order has neither.
        assert (
            response.status_code == 302 and response["Location"] == f"/staff/orders/{paid_order_of_two_cups.order_id}/"
        )
    else:
        assert response.status_code == 200


@pytest.fixture
def csrf_checked_staff_client(staff_member):
    client = Client(enforce_csrf_checks=True)
    token = csrf_token_from(client.get("/staff/login/"))
    response = client.post(
        "/staff/login/", {"username": "grace", "password": STAFF_PASSWORD, "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302
    return client


@pytest.mark.parametrize("action", ACTIONS, ids=ACTION_URLS)
def test_actions_refuse_a_post_without_csrf_token(action, csrf_checked_staff_client, paid_order_of_two_cups, sandbox):
    url, data = action

    response = csrf_checked_staff_client.post(_url(url, paid_order_of_two_cups), data)

    assert response.status_code == 403
    assert list(Refund.query(paid_order_of_two_cups.order_id)) == []
    assert csrf_checked_staff_client.get("/staff/").status_code == 200  # still logged in: logout was refused too


def test_login_itself_needs_a_csrf_token(staff_member):
    client = Client(enforce_csrf_checks=True)

    assert log_in(client).status_code == 403


def test_an_action_with_its_csrf_token_goes_through(csrf_checked_staff_client, paid_order_of_two_cups, sandbox):
    page = csrf_checked_staff_client.get(f"/staff/orders/{paid_order_of_two_cups.order_id}/")

    response = csrf_checked_staff_client.post(
        f"/staff/orders/{paid_order_of_two_cups.order_id}/refresh/", {"csrfmiddlewaretoken": csrf_token_from(page)}
    )

    assert response.status_code == 302
    assert response["Location"] == f"/staff/orders/{paid_order_of_two_cups.order_id}/"
