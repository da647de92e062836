"""Crash safety: the web server is killed (SIGKILL) in the middle of a checkout and of a webhook.

moto and the Mollie sandbox keep running; the server comes back on the same data and port.
Afterwards nothing is lost or doubled: one order, at most one Mollie payment per attempt (the
idempotency key is reused), and the paid state arrives through Mollie's webhook retry or the
reconciliation.
"""

import re
import threading

import pytest
import requests

from chaos.stack import LocalStack
from payments.models import AttemptStatus, Order, OrderStatus, PaymentAttempt, PaymentEvent
from payments.services import order_id_for_checkout
from shop.models import Article
from tests.concurrency import wait_until
from tests.fixtures.shopper import DUTCH_ADDRESS

SLOW_MOLLIE_MS = 3000  # the sandbox holds our call this long: the kill lands while it is in flight

pytestmark = pytest.mark.no_tables


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    with LocalStack(
        log_dir=tmp_path_factory.mktemp("crash"), sandbox_time_scale=0.1, shop_env={"STATUS_PULL_INTERVAL_SECONDS": "1"}
    ) as local_stack:
        yield local_stack


@pytest.fixture
def shop(stack):
    """The stack with a running server and no faults; the tables of this module's stack."""
    if not stack.shop.alive():
        stack.start_shop()
    stack.clear_sandbox_faults()
    with stack.models():
        yield stack
    stack.clear_sandbox_faults()


class Browser:
    """A shopper's browser: cookies, and the checkout form as the page rendered it."""

    def __init__(self, shop_url):
        self.shop_url = shop_url
        self.session = requests.Session()

    def fill_cart_and_open_checkout(self, slug, quantity=1):
        page = self.session.get(self.shop_url + "/", timeout=30)
        self.session.post(
            self.shop_url + "/en/cart/add/",
            timeout=30,
            allow_redirects=False,
            data={"slug": slug, "quantity": quantity, "csrfmiddlewaretoken": _field(page.text, "csrfmiddlewaretoken")},
        )
        form = self.session.get(self.shop_url + "/en/checkout/", timeout=30)
        assert form.status_code == 200
        return {
            "name": "Grace Hopper",
            "email": "grace@example.com",
            "checkout_id": _field(form.text, "checkout_id"),
            **DUTCH_ADDRESS,
            "csrfmiddlewaretoken": _field(form.text, "csrfmiddlewaretoken"),
        }

    def submit(self, fields, timeout=30):
        return self.session.post(self.shop_url + "/en/checkout/", data=fields, timeout=timeout, allow_redirects=False)


def _field(page, name):
    tag = next(tag for tag in re.findall(r"<input[^>]*>", page) if f'name="{name}"' in tag)
    return re.search(r'value="([^"]*)"', tag).group(1)


def mollie_payments_of(stack, order_id):
    return [p for p in stack.sandbox_payments() if (p.get("metadata") or {}).get("order_id") == order_id]


def last_mollie_call(stack):
    return max((call["request"] for call in stack.sandbox_requests()), default=0)


def kill_while_mollie_answers(stack, method, path, *, after):
    """Waits until the sandbox holds our call to Mollie (api_latency_ms), then kills the server.

    Only calls made after the call numbered `after` count. Returns the call as the sandbox
    logged it right after the kill.
    """

    def held():
        return [
            call
            for call in stack.sandbox_requests(in_flight=True)
            if (call["method"], call["path"]) == (method, path) and call["request"] > after
        ]

    [call] = wait_until(held, 15, f"{method} {path} to reach Mollie")
    stack.shop.kill()
    return next(entry for entry in stack.sandbox_requests() if entry["request"] == call["request"])


def get_attempt(order_id, attempt_no=1):
    try:
        return PaymentAttempt.get(order_id, attempt_no, consistent_read=True)
    except PaymentAttempt.DoesNotExist:
        return None


def stock_of(slug):
    return Article.get(slug, consistent_read=True).stock


def submit_and_kill_while_mollie_creates(stack, browser, fields):
    """The checkout POST is in Mollie's (slow) create when the server dies."""
    order_id = order_id_for_checkout(fields["checkout_id"])
    answers = []
    stack.sandbox_faults(api_latency_ms=SLOW_MOLLIE_MS)
    before = last_mollie_call(stack)
    post = threading.Thread(target=lambda: answers.append(_try(browser.submit, fields)))
    post.start()
    create = kill_while_mollie_answers(stack, "POST", "/v2/payments", after=before)
    post.join(35)
    assert create["status"] is None  # the kill landed while Mollie was creating the payment
    assert isinstance(answers[0], requests.ConnectionError)  # the shopper saw the connection drop
    attempt = get_attempt(order_id)
    assert attempt.status == AttemptStatus.CREATED and attempt.mollie_payment_id is None
    # Mollie finishes the create it had started, though nobody reads the answer.
    wait_until(lambda: mollie_payments_of(stack, order_id), SLOW_MOLLIE_MS / 1000 + 10, "Mollie's payment")
    stack.clear_sandbox_faults()
    return order_id


def _try(call, *args):
    try:
        return call(*args)
    except requests.RequestException as error:
        return error


def reconcile(stack):
    done = stack.manage("reconcile_payments", "--stale-after", "0", env={"ORDER_PAYMENT_WINDOW_SECONDS": "0"})
    assert done.returncode == 0, done.stderr
    assert " 0 errors" in done.stdout, done.stdout
    return done.stdout


def test_killed_during_checkout_then_the_shopper_resubmits(shop):
    browser = Browser(shop.shop_url)
    stock_before = stock_of("espresso-cup")
    fields = browser.fill_cart_and_open_checkout("espresso-cup", 2)

    order_id = submit_and_kill_while_mollie_creates(shop, browser, fields)
    shop.start_shop()
    again = browser.submit(fields)  # the browser's "resubmit the form?"

    mollie = mollie_payments_of(shop, order_id)
    assert again.status_code == 303
    assert len(mollie) == 1  # the same idempotency key: Mollie answered with the first payment
    assert again.headers["Location"].endswith(f"/checkout/{mollie[0]['id']}")
    attempts = list(PaymentAttempt.query(order_id, consistent_read=True))
    assert [(a.attempt_no, a.status, a.mollie_payment_id) for a in attempts] == [(1, "open", mollie[0]["id"])]

    # The shopper pays; the webhook arrives; reconciliation afterwards changes nothing.
    paid = requests.post(
        f"{shop.sandbox_url}/checkout/{mollie[0]['id']}", data={"status": "paid"}, allow_redirects=False, timeout=30
    )
    assert paid.status_code == 303
    wait_until(lambda: Order.get(order_id, consistent_read=True).status == OrderStatus.PAID, 20, "the webhook")
    reconcile(shop)

    assert [o.order_id for o in Order.scan() if o.order_id == order_id] == [order_id]  # the order exists once
    assert Order.get(order_id, consistent_read=True).status == OrderStatus.PAID
    assert stock_of("espresso-cup") == stock_before - 2  # reserved exactly once
    assert len(mollie_payments_of(shop, order_id)) == 1


def test_killed_during_checkout_and_the_shopper_never_returns(shop):
    browser = Browser(shop.shop_url)
    stock_before = stock_of("ceramic-dripper")
    fields = browser.fill_cart_and_open_checkout("ceramic-dripper")

    order_id = submit_and_kill_while_mollie_creates(shop, browser, fields)
    shop.start_shop()
    reconcile(shop)

    order = Order.get(order_id, consistent_read=True)
    attempt = get_attempt(order_id)
    assert order.status == OrderStatus.EXPIRED
    assert attempt.status == AttemptStatus.ABANDONED  # never reached us from Mollie
    assert stock_of("ceramic-dripper") == stock_before  # the reservation was given back, once
    # Mollie's payment was never shown to anyone; when Mollie expires it, its webhook finds the attempt.
    payment_id = mollie_payments_of(shop, order_id)[0]["id"]
    shop.settle_at_mollie(payment_id, "expired")
    wait_until(lambda: get_attempt(order_id).mollie_payment_id == payment_id, 20, "the expiry webhook")
    assert get_attempt(order_id).status == AttemptStatus.EXPIRED
    assert Order.get(order_id, consistent_read=True).status == OrderStatus.EXPIRED
    assert stock_of("ceramic-dripper") == stock_before


def test_killed_during_a_webhook_then_mollie_retries(shop):
    browser = Browser(shop.shop_url)
    stock_before = stock_of("pour-over-kettle")
    fields = browser.fill_cart_and_open_checkout("pour-over-kettle")
    checkout = browser.submit(fields)
    assert checkout.status_code == 303
    order_id = order_id_for_checkout(fields["checkout_id"])
    payment_id = checkout.headers["Location"].rsplit("/", 1)[1]

    # The webhook's fetch from Mollie is slow; the server dies while it waits for the answer.
    shop.sandbox_faults(api_latency_ms=SLOW_MOLLIE_MS)
    before = last_mollie_call(shop)
    paid = requests.post(
        f"{shop.sandbox_url}/checkout/{payment_id}", data={"status": "paid"}, allow_redirects=False, timeout=30
    )
    assert paid.status_code == 303  # the shopper closes the tab: only the webhook can tell us
    # The webhook's handler asks Mollie for the payment; the sandbox holds that call.
    fetch = kill_while_mollie_answers(shop, "GET", f"/v2/payments/{payment_id}", after=before)
    first = wait_until(lambda: shop.sandbox_webhooks(payment_id), 10, "the first delivery to be logged")
    assert fetch["status"] is None  # the kill landed while the webhook was being handled...
    assert not first[0]["ok"] and first[0]["status"] is None  # ...so Mollie got no answer at all
    assert get_attempt(order_id).status == AttemptStatus.OPEN

    shop.clear_sandbox_faults()
    shop.start_shop()
    wait_until(
        lambda: Order.get(order_id, consistent_read=True).status == OrderStatus.PAID, 40, "Mollie's webhook retry"
    )
    reconcile(shop)

    deliveries = shop.sandbox_webhooks(payment_id)
    assert any(delivery["ok"] for delivery in deliveries)
    order = Order.get(order_id, consistent_read=True)
    assert order.status == OrderStatus.PAID and order.paid_attempt_no == 1
    paid_events = [
        e for e in PaymentEvent.query(order_id) if e.kind == "order_status_changed" and e.to_status == "paid"
    ]
    assert len(paid_events) == 1
    assert stock_of("pour-over-kettle") == stock_before - 1
    assert len(mollie_payments_of(shop, order_id)) == 1
