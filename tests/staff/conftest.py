"""Fixtures for the staff pages: a staff member and a logged-in client, real orders paid through
the shop and the Mollie sandbox, and orders written directly with a chosen age and status."""

import re
import secrets
from datetime import timedelta

import pytest
import requests
from django.test import Client
from pynamodb.transactions import TransactWrite

from config import dynamodb
from payments import services as payment_services
from payments.models import AttemptStatus, Order, OrderLine, OrderStatus, PaymentAttempt
from payments.services import counters
from staff import services

STAFF_USERNAME = "grace"
STAFF_PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Django's default hasher is slow on purpose; these tests log in many times.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def password_file(settings, tmp_path):
    """Where seed_demo keeps the demo staff password: a temporary folder, not the repo's .local/."""
    settings.STAFF_DEMO_PASSWORD_FILE = tmp_path / ".local" / "demo-staff-password"
    return settings.STAFF_DEMO_PASSWORD_FILE


@pytest.fixture
def staff_member():
    return services.create_staff_member(username=STAFF_USERNAME, password=STAFF_PASSWORD, display_name="Grace Hopper")


@pytest.fixture
def staff_client(staff_member):
    client = Client()
    response = log_in(client)
    assert response.status_code == 302, response.content[:500]
    return client


def log_in(client, username=STAFF_USERNAME, password=STAFF_PASSWORD, **extra):
    return client.post("/staff/login/", {"username": username, "password": password}, **extra)


def csrf_token_from(response):
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.content.decode()).group(1)


@pytest.fixture
def paid_order(shopper):
    """Two espresso cups (EUR 25.00), paid through the sandbox and its webhook. The shopper uses
    pytest-django's `client`; staff use a Client of their own."""
    shopper.buy("espresso-cup", 2)
    shopper.webhook(shopper.pay_at_mollie("paid"))
    order = shopper.last_order()
    assert order.status == OrderStatus.PAID
    return order


@pytest.fixture
def open_order(shopper):
    """An order whose payment is open at Mollie: the shopper has not paid yet."""
    shopper.buy("espresso-cup", 1)
    order = shopper.last_order()
    assert order.latest_attempt_status == AttemptStatus.OPEN
    return order


@pytest.fixture
def bank_transfer_order(shopper, open_order):
    """An open payment the shopper chose to pay by bank transfer: Mollie can cancel it."""
    requests.post(
        open_order.latest_checkout_url,
        data={"status": "open", "method": "banktransfer"},
        allow_redirects=False,
        timeout=5,
    ).raise_for_status()
    payment_services.sync_attempt(attempt=PaymentAttempt.get(open_order.order_id, 1), source="staff")
    return shopper.last_order()


def make_order(
    *,
    created_at,
    status=OrderStatus.PAID,
    total_cents=1000,
    email="ada@example.com",
    currency="EUR",
    paid_at=None,
    mollie_payment_id=None,
    name="Ada Lovelace",
    order_id=None,
    **fields,
):
    """An order written straight to DynamoDB, for lists and figures with a known shape."""
    order_id = order_id or f"SO-{secrets.token_hex(3)[:5].upper()}-{secrets.token_hex(3)[:5].upper()}"
    if status in OrderStatus.PAID_LIKE and paid_at is None:
        paid_at = created_at + timedelta(minutes=5)
    order = Order(
        order_id,
        public_token=secrets.token_urlsafe(24),
        status=status,
        customer_name=name,
        customer_email=email.lower(),
        currency=currency,
        total_cents=total_cents,
        lines=[OrderLine(slug="espresso-cup", name="Espresso cup", unit_price_cents=total_cents, quantity=1)],
        created_at=created_at,
        updated_at=created_at,
        expires_at=created_at + timedelta(hours=2),
        paid_at=paid_at,
        attempt_count=1,
        latest_mollie_payment_id=mollie_payment_id,
        **fields,
    )
    # Counted like the workflow counts a new order, in the same transaction.
    with TransactWrite(connection=dynamodb.connection()) as transaction:
        transaction.save(order)
        counters.add_changes(transaction, [order])
    counters.counted([order])
    if mollie_payment_id:
        PaymentAttempt(
            order_id,
            1,
            idempotency_key=secrets.token_hex(8),
            mollie_payment_id=mollie_payment_id,
            amount_cents=total_cents,
            currency=currency,
            created_at=created_at,
            updated_at=created_at,
            status=AttemptStatus.PAID if status in OrderStatus.PAID_LIKE else AttemptStatus.OPEN,
        ).save()
    return order
