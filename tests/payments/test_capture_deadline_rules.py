"""When an authorization is near its capture deadline (docs/pay-later.md#the-capture-deadline):
CAPTURE_WARNING_DAYS before it, but never earlier than CAPTURE_WARNING_PERCENT of its own length."""

from datetime import UTC, datetime, timedelta

import pytest

from payments.models import AttemptStatus, PaymentAttempt
from payments.services.capture_deadline import deadline_near

pytestmark = pytest.mark.pure

NOW = datetime(2026, 12, 7, 12, tzinfo=UTC)


def authorized(*, held_days, left_days, known_start=True):
    before = NOW + timedelta(days=left_days)
    return PaymentAttempt(
        "ord_1",
        1,
        status=AttemptStatus.AUTHORIZED,
        capture_before=before,
        authorized_at=before - timedelta(days=held_days) if known_start else None,
    )


@pytest.mark.parametrize(
    "held_days, left_days, near",
    [
        (7, 7, False),  # a card just authorized: the hold is as long as the 7-day warning
        (7, 3.6, False),
        (7, 3.5, True),  # half of the card's hold is used
        (28, 7.1, False),  # Klarna: the 7 days decide
        (28, 7, True),
        (28, -1, True),  # past it and not yet ended by Mollie
    ],
)
def test_the_warning_is_the_shorter_of_the_days_and_half_the_hold(settings, held_days, left_days, near):
    settings.CAPTURE_WARNING_DAYS, settings.CAPTURE_WARNING_PERCENT = 7, 50
    assert deadline_near(authorized(held_days=held_days, left_days=left_days), NOW) is near


def test_without_authorized_at_the_days_alone_decide(settings):
    settings.CAPTURE_WARNING_DAYS, settings.CAPTURE_WARNING_PERCENT = 7, 50
    assert deadline_near(authorized(held_days=7, left_days=6, known_start=False), NOW)


def test_only_an_authorized_attempt_is_near(settings):
    paid = authorized(held_days=28, left_days=1)
    paid.status = AttemptStatus.PAID
    assert not deadline_near(paid, NOW)
