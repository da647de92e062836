"""The decisions apply_mollie_payment and refund_payment make, on their own: items and Mollie's
answers built in memory, no DynamoDB, no Mollie (the paths through the stack are in
test_webhook.py and test_refunds.py)."""

import pytest

from payments.enums import EventKind, EventSource
from payments.errors import ErrorCode, RefundRefused
from payments.models import AttemptStatus, OrderStatus
from payments.services.refunds import check_refund_amount
from payments.services.sync import became_paid, call_event, changes_nothing, refunds_to_follow
from tests.payments.test_merge_rules import NOW, an_attempt, an_order, merge, mollie_says

pytestmark = pytest.mark.pure


def test_a_webhook_that_changes_nothing_is_not_written():
    repeat = merge(an_order(), an_attempt(), mollie_says(AttemptStatus.OPEN))

    assert changes_nothing(repeat, EventSource.WEBHOOK)
    # A staff refresh or reconciliation may still record that it asked.
    assert not changes_nothing(repeat, EventSource.STAFF)


def test_a_webhook_that_moves_the_status_is_written():
    paid = merge(an_order(), an_attempt(), mollie_says(AttemptStatus.PAID))

    assert not changes_nothing(paid, EventSource.WEBHOOK)
    assert became_paid(paid.events)


def test_a_refund_on_an_order_paid_before_is_not_it_becoming_paid():
    refunded = merge(
        an_order(status=OrderStatus.PAID, paid_attempt_no=1),
        an_attempt(status=AttemptStatus.PAID),
        mollie_says(AttemptStatus.PAID, refunded=1000),
    )

    assert not became_paid(refunded.events)
    assert [event.to_status for event in refunded.events if event.to_status] == [OrderStatus.PARTIALLY_REFUNDED]


def test_refunds_are_followed_while_any_exist_or_any_were_unsettled():
    settled = an_attempt()
    unsettled = an_attempt()
    unsettled.refunds_unsettled = True

    assert not refunds_to_follow(mollie_says(AttemptStatus.PAID), settled, had_refunds=False)
    assert refunds_to_follow(mollie_says(AttemptStatus.PAID, refunded=500), settled, had_refunds=False)
    # Mollie's total went back to 0 (a refund failed): ours must follow it down.
    assert refunds_to_follow(mollie_says(AttemptStatus.PAID), settled, had_refunds=True)
    assert refunds_to_follow(mollie_says(AttemptStatus.PAID), unsettled, had_refunds=False)


def test_the_call_line_says_who_asked_and_what_mollie_said():
    webhook = call_event(an_order(), an_attempt(), mollie_says(AttemptStatus.PAID), EventSource.WEBHOOK, "", NOW)
    refresh = call_event(an_order(), an_attempt(), mollie_says(AttemptStatus.OPEN), EventSource.STAFF, "ada", NOW)

    assert (webhook.kind, webhook.message) == (EventKind.WEBHOOK_RECEIVED, "Mollie status: paid")
    assert (refresh.kind, refresh.actor) == (EventKind.SYNCED_FROM_MOLLIE, "ada")


@pytest.mark.parametrize("amount_cents", [1, 499, 500])
def test_a_refund_of_one_cent_up_to_what_is_left_is_accepted(amount_cents):
    check_refund_amount(amount_cents, 500, "EUR")


@pytest.mark.parametrize("amount_cents", [0, -1, 501])
def test_a_refund_of_nothing_or_more_than_is_left_is_refused_in_the_shops_notation(amount_cents):
    with pytest.raises(RefundRefused) as refused:
        check_refund_amount(amount_cents, 500, "EUR")

    assert refused.value.code == ErrorCode.AMOUNT_OUT_OF_RANGE
    assert str(refused.value) == "The amount must be between €0.01 and €5.00."
