"""The order detail page and the staff actions on it, against the Mollie sandbox."""

import re
import secrets

import pytest
from django.utils import timezone

from payments import mollie, services
from payments.models import AttemptStatus, Order, OrderStatus, PaymentAttempt, PaymentEvent, Refund
from shop.models import Article


def detail_url(order):
    return f"/staff/orders/{order.order_id}/"


def refund_url(order, attempt_no=1):
    return f"/staff/orders/{order.order_id}/payments/{attempt_no}/refund/"


def messages_on(client, response):
    """The messages shown on the page a redirect leads to."""
    page = client.get(response["Location"]).content.decode()
    return re.findall(r'<li class="(?:success|error|info|warning)">(.*?)</li>', page, re.S)


def refund_key_from(response):
    return re.search(r'name="refund_key" value="([0-9a-f]{32})"', response.content.decode()).group(1)


def refunds_at_mollie(sandbox, payment_id):
    payment = next(p for p in sandbox.payments() if p["id"] == payment_id)
    return [refund["amount"]["value"] for refund in payment.get("_embedded", {}).get("refunds", [])]


def timeline(order):
    return list(PaymentEvent.query(order.order_id))


def reload(order):
    return Order.get(order.order_id, consistent_read=True)


def refund_through_the_pages(client, order, amount, attempt_no=1, description=""):
    """What a staff member does: open the form, review, confirm, and read the order page.

    Returns the confirmation's response, the form data sent, and the messages shown after it.
    """
    form = client.get(refund_url(order, attempt_no))
    data = {"amount": amount, "description": description, "refund_key": refund_key_from(form)}
    review = client.post(refund_url(order, attempt_no), data)
    assert review.status_code == 200, review.content.decode()[:2000]
    assert "Confirm the refund" in review.content.decode()
    response = client.post(refund_url(order, attempt_no), {**data, "confirm": "yes"})
    return response, data, messages_on(client, response)


# --- Detail page --------------------------------------------------------------------------------


def test_detail_shows_lines_customer_payments_and_timeline(staff_client, paid_order_of_two_cups):
    page = staff_client.get(detail_url(paid_order_of_two_cups)).content.decode()

    assert "Espresso cup" in page and "€25.00" in page
    assert "Ada Lovelace" in page and "ada@example.com" in page
    assert paid_order_of_two_cups.latest_mollie_payment_id in page
    assert '<span class="status status-paid">paid</span>' in page
    for kind in ("Order placed", "Webhook from Mollie", "Payment status changed", "Order status changed"):
        assert kind in page
    assert "Refund…" in page and "Cancel payment…" not in page


def test_unknown_or_malformed_order_is_404(staff_client):
    assert staff_client.get("/staff/orders/SO-00000-00000/").status_code == 404
    assert staff_client.get("/staff/orders/not-an-order/").status_code == 404
    assert staff_client.post("/staff/orders/SO-00000-00000/refresh/").status_code == 404


# --- Refunds ------------------------------------------------------------------------------------


def test_partial_refund(staff_client, paid_order_of_two_cups, sandbox):
    response, _, [message] = refund_through_the_pages(
        staff_client, paid_order_of_two_cups, "10.00", description="One cup broke"
    )

    assert response.status_code == 302 and response["Location"] == detail_url(paid_order_of_two_cups)
    assert re.match(r"Refund re_\w+ of €10.00 was made; Mollie says it is (pending|queued)\.", message)
    assert refunds_at_mollie(sandbox, paid_order_of_two_cups.latest_mollie_payment_id) == ["10.00"]
    order = reload(paid_order_of_two_cups)
    assert order.status == OrderStatus.PARTIALLY_REFUNDED and order.amount_refunded_cents == 1000
    [refund] = Refund.query(order.order_id)
    assert (refund.amount_cents, refund.created_by, refund.description) == (1000, "grace", "One cup broke")
    assert ("refund_created", "grace") in [(event.kind, event.actor) for event in timeline(order)]


def test_full_refund_of_what_remains(staff_client, paid_order_of_two_cups, sandbox):
    refund_through_the_pages(staff_client, paid_order_of_two_cups, "10.00")
    form = staff_client.get(refund_url(paid_order_of_two_cups)).content.decode()
    assert 'name="amount" value="15.00"' in form  # the form suggests what remains

    _, _, [message] = refund_through_the_pages(staff_client, paid_order_of_two_cups, "15.00")

    assert "was made" in message
    assert sorted(refunds_at_mollie(sandbox, paid_order_of_two_cups.latest_mollie_payment_id)) == ["10.00", "15.00"]
    assert reload(paid_order_of_two_cups).status == OrderStatus.REFUNDED
    assert "Refund…" not in staff_client.get(detail_url(paid_order_of_two_cups)).content.decode()


def test_refund_of_more_than_remains_is_refused_before_confirmation(staff_client, paid_order_of_two_cups, sandbox):
    form = staff_client.get(refund_url(paid_order_of_two_cups))

    response = staff_client.post(
        refund_url(paid_order_of_two_cups), {"amount": "25.01", "refund_key": refund_key_from(form)}
    )

    assert response.status_code == 422
    assert "At most €25.00 can still be refunded." in response.content.decode()
    assert refunds_at_mollie(sandbox, paid_order_of_two_cups.latest_mollie_payment_id) == []


def test_confirmed_refund_of_more_than_remains_is_refused_by_the_workflow(
    staff_client, paid_order_of_two_cups, sandbox
):
    refund_through_the_pages(staff_client, paid_order_of_two_cups, "20.00")

    # A confirmation page left open while a colleague refunded: the workflow checks again.
    response = staff_client.post(
        refund_url(paid_order_of_two_cups), {"amount": "10.00", "refund_key": secrets.token_hex(16), "confirm": "yes"}
    )

    assert messages_on(staff_client, response) == ["The amount must be between €0.01 and €5.00."]
    assert refunds_at_mollie(sandbox, paid_order_of_two_cups.latest_mollie_payment_id) == ["20.00"]


@pytest.mark.parametrize(
    "amount, error",
    [
        ("", "This field is required."),
        ("ten", "Enter an amount like 12.50"),
        ("1.234", "Enter an amount like 12.50"),
        ("-5", "Enter an amount like 12.50"),
        ("0", "The amount must be at least 0.01."),
    ],
)
def test_refund_amount_must_be_a_positive_amount_in_cents(staff_client, paid_order_of_two_cups, sandbox, amount, error):
    form = staff_client.get(refund_url(paid_order_of_two_cups))

    response = staff_client.post(
        refund_url(paid_order_of_two_cups), {"amount": amount, "refund_key": refund_key_from(form)}
    )

    assert response.status_code == 422 and error in response.content.decode()


def test_comma_amounts_are_understood(staff_client, paid_order_of_two_cups, sandbox):
    refund_through_the_pages(staff_client, paid_order_of_two_cups, "2,50")

    assert refunds_at_mollie(sandbox, paid_order_of_two_cups.latest_mollie_payment_id) == ["2.50"]


def test_double_submitted_confirmation_refunds_once(staff_client, paid_order_of_two_cups, sandbox):
    first, data, _ = refund_through_the_pages(staff_client, paid_order_of_two_cups, "25.00")

    second = staff_client.post(refund_url(paid_order_of_two_cups), {**data, "confirm": "yes"})

    assert first.status_code == second.status_code == 302
    assert refunds_at_mollie(sandbox, paid_order_of_two_cups.latest_mollie_payment_id) == ["25.00"]
    assert len(list(Refund.query(paid_order_of_two_cups.order_id))) == 1
    assert "was made" in messages_on(staff_client, second)[0]
    assert reload(paid_order_of_two_cups).amount_refunded_cents == 2500


def test_mollie_down_keeps_the_confirmation_with_the_same_key(staff_client, paid_order_of_two_cups, sandbox):
    form = staff_client.get(refund_url(paid_order_of_two_cups))
    data = {"amount": "5.00", "refund_key": refund_key_from(form), "confirm": "yes"}
    sandbox.faults(api_error_rate=1.0, seed=1)

    down = staff_client.post(refund_url(paid_order_of_two_cups), data)

    assert down.status_code == 503
    assert "Mollie could not be reached" in down.content.decode()
    assert refund_key_from(down) == data["refund_key"]
    sandbox.clear_faults()
    staff_client.post(refund_url(paid_order_of_two_cups), data)
    staff_client.post(refund_url(paid_order_of_two_cups), data)
    assert refunds_at_mollie(sandbox, paid_order_of_two_cups.latest_mollie_payment_id) == ["5.00"]


def test_unpaid_payment_cannot_be_refunded(staff_client, open_order, sandbox):
    response = staff_client.post(
        refund_url(open_order), {"amount": "1.00", "refund_key": secrets.token_hex(16), "confirm": "yes"}
    )

    assert messages_on(staff_client, response) == ["Only paid payments can be refunded."]


# --- Cancel -------------------------------------------------------------------------------------


def test_cancel_an_open_payment(staff_client, bank_transfer_order, sandbox):
    open_order = bank_transfer_order
    url = f"/staff/orders/{open_order.order_id}/payments/1/cancel/"
    assert "Yes, cancel the payment" in staff_client.get(url).content.decode()

    response = staff_client.post(url)

    assert messages_on(staff_client, response) == [f"Payment {open_order.latest_mollie_payment_id} is now canceled."]
    payment = next(p for p in sandbox.payments() if p["id"] == open_order.latest_mollie_payment_id)
    assert payment["status"] == "canceled"
    assert PaymentAttempt.get(open_order.order_id, 1).status == AttemptStatus.CANCELED
    assert ("synced_from_mollie", "grace") in [(event.kind, event.actor) for event in timeline(open_order)]
    assert reload(open_order).status == OrderStatus.PENDING_PAYMENT  # the shopper may still pay again


def test_a_paid_payment_cannot_be_canceled(staff_client, paid_order_of_two_cups, sandbox):
    response = staff_client.post(f"/staff/orders/{paid_order_of_two_cups.order_id}/payments/1/cancel/")

    assert messages_on(staff_client, response) == ["Only open payments can be canceled; this one is paid."]


def test_cancel_an_unpaid_order_gives_its_stock_back(staff_client, bank_transfer_order, sandbox):
    open_order = bank_transfer_order
    stock_before = Article.get("espresso-cup").stock
    url = f"/staff/orders/{open_order.order_id}/cancel/"
    assert "Yes, cancel the order" in staff_client.get(url).content.decode()

    response = staff_client.post(url)

    assert messages_on(staff_client, response) == ["The order was canceled and its stock given back."]
    order = reload(open_order)
    assert order.status == OrderStatus.CANCELED
    assert Article.get("espresso-cup").stock == stock_before + 1
    assert ("order_status_changed", "grace", "canceled") in [
        (event.kind, event.actor, event.to_status) for event in timeline(order)
    ]


def test_a_paid_order_cannot_be_canceled(staff_client, paid_order_of_two_cups, sandbox):
    response = staff_client.post(f"/staff/orders/{paid_order_of_two_cups.order_id}/cancel/")

    assert messages_on(staff_client, response) == ["Only orders waiting for payment can be canceled."]
    assert reload(paid_order_of_two_cups).status == OrderStatus.PAID


# --- Refresh ------------------------------------------------------------------------------------


def test_refresh_pulls_what_the_missing_webhook_would_have_said(staff_client, open_order, shopper, sandbox):
    shopper.pay_at_mollie("paid")  # no webhook arrives

    response = staff_client.post(f"/staff/orders/{open_order.order_id}/refresh/")

    assert messages_on(staff_client, response) == ["Refreshed from Mollie. The order is now: paid."]
    assert reload(open_order).status == OrderStatus.PAID
    assert ("synced_from_mollie", "grace") in [(event.kind, event.actor) for event in timeline(open_order)]


def test_refresh_with_mollie_down_says_so(staff_client, open_order, sandbox):
    sandbox.faults(api_error_rate=1.0, seed=1)

    response = staff_client.post(f"/staff/orders/{open_order.order_id}/refresh/")

    assert messages_on(staff_client, response) == [
        "Mollie could not be reached, so nothing was changed. Please try again in a moment."
    ]


# --- Double payments ----------------------------------------------------------------------------


@pytest.fixture
def double_paid_order(paid_order_of_two_cups, sandbox):
    """Attempt 2 reached Mollie although our checkout thought it failed, and was paid as well."""
    now = timezone.now()
    PaymentAttempt(
        paid_order_of_two_cups.order_id,
        2,
        idempotency_key=secrets.token_hex(8),
        amount_cents=2500,
        currency="EUR",
        created_at=now,
        updated_at=now,
    ).save()
    payment = mollie.create_payment(
        amount_cents=2500,
        currency="EUR",
        description="second tab",
        redirect_url="http://127.0.0.1:9/",
        webhook_url="http://127.0.0.1:9/webhook/",
        metadata={"order_id": paid_order_of_two_cups.order_id, "attempt_no": 2},
        idempotency_key=secrets.token_hex(8),
    )
    sandbox.set_status(payment.id, "paid")
    services.handle_webhook(payment_id=payment.id)
    order = reload(paid_order_of_two_cups)
    assert order.needs_attention and PaymentAttempt.get(order.order_id, 2).needs_refund
    return order


def test_double_payment_is_shown_refunded_and_marked_handled(staff_client, double_paid_order, sandbox):
    order = double_paid_order
    page = staff_client.get(detail_url(order)).content.decode()
    assert "double payment: refund it" in page and "Mark handled…" in page
    assert "Needs attention" in staff_client.get("/staff/").content.decode()

    refund_through_the_pages(staff_client, order, "25.00", attempt_no=2)
    response = staff_client.post(
        f"/staff/orders/{order.order_id}/payments/2/handled/", {"note": "Refunded the second payment"}
    )

    assert messages_on(staff_client, response) == ["The double payment of attempt 2 is marked as handled."]
    attempt = PaymentAttempt.get(order.order_id, 2)
    assert attempt.double_payment_handled and attempt.amount_refunded_cents == 2500
    order = reload(order)
    assert not order.needs_attention
    assert order.status == OrderStatus.PAID  # the order's own payment was not touched
    handled = [event for event in timeline(order) if event.kind == "double_payment_handled"]
    assert [(event.actor, event.message) for event in handled] == [("grace", "Refunded the second payment")]


def test_only_flagged_payments_can_be_marked_handled(staff_client, paid_order_of_two_cups, sandbox):
    response = staff_client.post(f"/staff/orders/{paid_order_of_two_cups.order_id}/payments/1/handled/", {"note": ""})

    assert messages_on(staff_client, response) == ["This payment attempt is not flagged as a double payment."]


# --- What real Mollie refuses (issue 18) -------------------------------------------------------


def test_an_open_payment_mollie_cannot_cancel_has_no_cancel_buttons(staff_client, open_order, sandbox):
    # No method chosen yet (or iDEAL, card, PayPal): Mollie's isCancelable is false and DELETE
    # answers 422 (mollie/api-documentation#675). It expires by itself.
    page = staff_client.get(detail_url(open_order)).content.decode()
    assert "Cancel payment…" not in page and "Cancel order…" not in page

    response = staff_client.post(f"/staff/orders/{open_order.order_id}/payments/1/cancel/")

    [message] = messages_on(staff_client, response)
    assert "only bank transfers can be canceled while open" in message
    assert PaymentAttempt.get(open_order.order_id, 1).status == AttemptStatus.OPEN
    response = staff_client.post(f"/staff/orders/{open_order.order_id}/cancel/")
    assert "cannot cancel" in messages_on(staff_client, response)[0]
    assert reload(open_order).status == OrderStatus.PENDING_PAYMENT


def test_a_cancel_repeated_after_a_lost_answer_is_a_success(staff_client, bank_transfer_order, sandbox):
    # Mollie ignores Idempotency-Key on DELETE: the repeat gets 422, yet the payment is canceled.
    sandbox.faults(api_lost_answer_rate=1.0)
    url = f"/staff/orders/{bank_transfer_order.order_id}/payments/1/cancel/"
    assert "Mollie could not be reached" in messages_on(staff_client, staff_client.post(url))[0]
    sandbox.clear_faults()

    response = staff_client.post(url)

    assert messages_on(staff_client, response) == [
        f"Payment {bank_transfer_order.latest_mollie_payment_id} is now canceled."
    ]
    assert PaymentAttempt.get(bank_transfer_order.order_id, 1).status == AttemptStatus.CANCELED


def test_a_pending_refund_still_counts_against_what_can_be_refunded(
    staff_client, paid_order_of_two_cups, sandbox, pending_refunds
):
    # Mollie lowers amountRemaining when a refund is created, amountRefunded only once processed.
    services.refund_payment(order_id=paid_order_of_two_cups.order_id, amount_cents=2500, refund_key="all", actor="sam")

    with pytest.raises(services.RefundRefused):
        services.refund_payment(
            order_id=paid_order_of_two_cups.order_id, amount_cents=2000, refund_key="more", actor="sam"
        )
    assert len(sandbox.payments()[0]["_embedded"]["refunds"]) == 1


def test_a_duplicate_refund_is_explained_to_staff(staff_client, paid_order_of_two_cups, sandbox):
    services.refund_payment(order_id=paid_order_of_two_cups.order_id, amount_cents=500, refund_key="first", actor="sam")
    key = refund_key_from(staff_client.get(refund_url(paid_order_of_two_cups)))

    response = staff_client.post(
        refund_url(paid_order_of_two_cups), {"amount": "5.00", "refund_key": key, "description": "", "confirm": "yes"}
    )

    [message] = messages_on(staff_client, response)
    assert "duplicate" in message and "within the last hour" in message
    assert Refund.get(paid_order_of_two_cups.order_id, key).status == "rejected"
    # A different amount still works: nothing is left stuck as unconfirmed.
    services.refund_payment(
        order_id=paid_order_of_two_cups.order_id, amount_cents=600, refund_key="second", actor="sam"
    )


def test_a_refund_confirmed_again_after_its_answer_was_lost_is_not_made_twice(
    staff_client, paid_order_of_two_cups, sandbox
):
    key = refund_key_from(staff_client.get(refund_url(paid_order_of_two_cups)))
    form = {"amount": "7.00", "refund_key": key, "description": "", "confirm": "yes"}
    sandbox.faults(api_lost_answer_rate=1.0)
    assert staff_client.post(refund_url(paid_order_of_two_cups), form).status_code == 503
    sandbox.clear_faults()
    # More than an hour later Mollie has forgotten our idempotency key.
    sandbox.forget_idempotency_keys()

    response = staff_client.post(refund_url(paid_order_of_two_cups), form)

    assert "was made" in messages_on(staff_client, response)[0]
    [refund] = sandbox.payments()[0]["_embedded"]["refunds"]
    assert Refund.get(paid_order_of_two_cups.order_id, key).mollie_refund_id == refund["id"]


def test_a_payment_pending_for_days_keeps_its_stock_and_says_why(staff_client, shopper, sandbox, settings):
    # PayPal payments may stay pending for more than 48 hours (mollie/mollie-api-python#129).
    shopper.buy("espresso-cup", 1)
    stock = Article.get("espresso-cup").stock
    shopper.webhook(shopper.pay_at_mollie("pending"))
    order = shopper.last_order()
    settings.ORDER_PAYMENT_WINDOW_SECONDS = 0

    services.reconcile(stale_after_seconds=0)

    page = staff_client.get(detail_url(order)).content.decode()
    assert "this can take more than 48 hours" in page
    assert reload(order).status == OrderStatus.PENDING_PAYMENT and Article.get("espresso-cup").stock == stock


def test_an_open_payment_says_mollie_expires_it(staff_client, open_order, sandbox):
    services.sync_attempt(attempt=PaymentAttempt.get(open_order.order_id, 1), source="staff")
    assert "it expires by itself" in staff_client.get(detail_url(open_order)).content.decode()


def test_handled_page_does_not_open_for_a_payment_that_is_not_flagged(staff_client, paid_order_of_two_cups, sandbox):
    url = f"/staff/orders/{paid_order_of_two_cups.order_id}/payments/1/handled/"

    response = staff_client.get(url)

    assert response.status_code == 302 and response["Location"] == detail_url(paid_order_of_two_cups)
    assert messages_on(staff_client, response) == ["This payment attempt is not flagged as a double payment."]
    assert url not in staff_client.get(detail_url(paid_order_of_two_cups)).content.decode()


# --- Actions that cannot succeed are not offered --------------------------------------------------


def test_refund_form_does_not_open_for_a_failed_payment(staff_client, shopper, sandbox):
    shopper.buy()
    shopper.webhook(shopper.pay_at_mollie("failed"))
    order = shopper.last_order()

    response = staff_client.get(refund_url(order))

    assert response.status_code == 302 and response["Location"] == detail_url(order)
    assert messages_on(staff_client, response) == [
        "Payment attempt 1 is failed with nothing to refund: only paid payments can be refunded."
    ]
    assert refund_url(order) not in staff_client.get(detail_url(order)).content.decode()
    assert (
        staff_client.post(refund_url(order), {"amount": "12.50", "refund_key": secrets.token_hex(16)}).status_code
        == 302
    )  # the review step does not open either


# --- Paid after a final status, and duplicate orders ------------------------------------------------


def test_paid_after_expired_is_never_ignored(staff_client, shopper, sandbox):
    shopper.buy("linen-apron", 1)
    payment_id = shopper.pay_at_mollie("expired")
    shopper.webhook(payment_id)
    services.reconcile(now=timezone.now() + timezone.timedelta(days=1))  # the order expires: stock back
    order = shopper.last_order()
    assert order.status == OrderStatus.EXPIRED and Article.get("linen-apron").stock == 8

    sandbox.set_status(payment_id, "paid")  # Mollie now says the money arrived after all
    assert shopper.webhook(payment_id).status_code == 200

    order = reload(order)
    assert order.status == OrderStatus.PAID and order.paid_attempt_no == 1
    assert order.needs_attention
    assert "Mollie reported attempt 1 paid after it was expired" in order.attention_reason
    assert [(e.from_status, e.to_status) for e in timeline(order) if e.kind == "paid_after_final_status"] == [
        ("expired", "paid")
    ]
    page = staff_client.get(detail_url(order)).content.decode()
    assert "paid after it was expired" in page and refund_url(order) in page  # refund one click away
    assert "Thank you! Your payment was received." in shopper.order_page(order).content.decode()


def test_paid_after_failed_while_the_order_waits_pays_the_order(staff_client, shopper, sandbox):
    shopper.buy("espresso-cup", 1)
    payment_id = shopper.pay_at_mollie("failed")
    shopper.webhook(payment_id)

    sandbox.set_status(payment_id, "paid")
    shopper.webhook(payment_id)

    order = shopper.last_order()
    assert order.status == OrderStatus.PAID and order.needs_attention
    assert PaymentAttempt.get(order.order_id, 1).status == AttemptStatus.PAID
    assert Article.get("espresso-cup").stock == 39  # its reservation was still held


def test_two_paid_orders_of_one_shopper_are_flagged_as_possible_duplicates(staff_client, shopper, sandbox):
    from django.test import Client

    from tests.fixtures.shopper import Shopper

    shopper.buy("espresso-cup", 1)
    shopper.webhook(shopper.pay_at_mollie("paid"))
    laptop = shopper.last_order()
    phone = Shopper(Client(), sandbox)  # the same person on another device: another cart
    phone.buy("espresso-cup", 1, email="ADA@example.com")
    phone.webhook(phone.pay_at_mollie("paid"))
    second = phone.last_order()

    for order, other in ((laptop, second), (second, laptop)):
        order = reload(order)
        assert order.status == OrderStatus.PAID and order.needs_attention
        assert order.possible_duplicate_of == [other.order_id]
        page = staff_client.get(detail_url(order)).content.decode()
        assert f"order {other.order_id} of the same shopper was also paid" in page
        assert f'href="/staff/orders/{other.order_id}/"' in page and refund_url(order) in page


def test_orders_of_other_shoppers_are_not_flagged(staff_client, shopper, sandbox):
    from django.test import Client

    from tests.fixtures.shopper import Shopper

    shopper.buy("espresso-cup", 1)
    shopper.webhook(shopper.pay_at_mollie("paid"))
    other = Shopper(Client(), sandbox)
    other.buy("espresso-cup", 1, email="grace@example.com")
    other.webhook(other.pay_at_mollie("paid"))

    assert not reload(shopper.last_order()).needs_attention
    assert not reload(other.last_order()).needs_attention


def test_no_change_it_keeps_the_amount_and_the_note(staff_client, paid_order_of_two_cups, sandbox):
    form = staff_client.get(refund_url(paid_order_of_two_cups))
    data = {"amount": "2.00", "description": "One cup chipped", "refund_key": refund_key_from(form)}
    review = staff_client.post(refund_url(paid_order_of_two_cups), data).content.decode()
    assert "No, change it" in review

    again = staff_client.post(refund_url(paid_order_of_two_cups), {**data, "change": "yes"})

    page = again.content.decode()
    assert again.status_code == 200 and "Review the refund…" in page
    assert 'name="amount" value="2.00"' in page and 'value="One cup chipped"' in page
    assert 'name="amount" value="25.00"' not in page
    assert refunds_at_mollie(sandbox, paid_order_of_two_cups.latest_mollie_payment_id) == []
