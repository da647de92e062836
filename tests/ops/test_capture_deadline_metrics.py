"""Pay later's money at risk as metrics (issues 30 and 33): each reconciliation run reports how many
authorizations are within CAPTURE_WARNING_DAYS of their captureBefore, and every authorization that
lapses is counted once, read back from the EMF lines on stdout."""

from datetime import timedelta

from django.utils import timezone

from config.metrics import Metric
from notifications.models import MailKind
from notifications.selectors import mails_of_order
from payments import services
from payments.models import AttemptStatus, Order, OrderStatus, PaymentAttempt
from payments.services import fulfilment
from tests.ops import emf
from tests.staff.test_pay_later_orders import pay_later_order


def another_shopper(shopper, sandbox, method):
    shopper.client.cookies.clear()
    return pay_later_order(shopper, sandbox, method=method)


def test_authorizations_near_their_deadline_and_lapsed_ones_are_counted(
    shopper, sandbox, shipping_zones, settings, capsys
):
    settings.METRICS_ENABLED, settings.STAGE = True, "dev"
    # The sandbox's deadline is 28 days away: within the warning (all of the hold counts as near).
    settings.CAPTURE_WARNING_DAYS, settings.CAPTURE_WARNING_PERCENT = 400, 100
    klarna, _ = pay_later_order(shopper, sandbox, method="klarna")
    riverty, _ = another_shopper(shopper, sandbox, "riverty")
    shipped, shipped_payment = another_shopper(shopper, sandbox, "klarna")
    fulfilment.ship(order_id=shipped.order_id, quantities=None, carrier="postnl", tracking_number="3S1", actor="t")
    sandbox.advance_clock(5)  # its capture settles: paid, no longer at risk
    shopper.webhook(shipped_payment)
    capsys.readouterr()  # only the runs below

    services.reconcile(stale_after_seconds=0)
    first_run = emf.emf_lines(capsys.readouterr().out)

    assert {line: emf.problems(line) for line in first_run} == dict.fromkeys(first_run, [])
    assert emf.total(first_run, Metric.CAPTURE_DEADLINES_NEAR, Stage="dev") == 2  # Klarna and Riverty
    assert emf.total(first_run, Metric.AUTHORIZATIONS_LAPSED, Stage="dev") == 0

    # Their captureBefore passes on the sandbox's clock; the next run finds both lapsed.
    sandbox.advance_clock((klarna.capture_before - timezone.now() + timedelta(hours=1)).total_seconds())
    services.reconcile(stale_after_seconds=0)
    services.reconcile(stale_after_seconds=0)  # a second run counts nothing again
    later_runs = emf.emf_lines(capsys.readouterr().out)

    assert {Order.get(o.order_id).status for o in (klarna, riverty)} == {OrderStatus.EXPIRED}
    assert emf.total(later_runs, Metric.AUTHORIZATIONS_LAPSED, Stage="dev") == 2
    near = [value for name, _, value in emf.datapoints(later_runs) if name == Metric.CAPTURE_DEADLINES_NEAR]
    assert near == [0, 0]  # one datapoint per run, also when there is nothing at risk


def test_a_card_held_for_seven_days_is_not_near_its_deadline_once_authorized(
    shopper, sandbox, shipping_zones, settings, capsys, monkeypatch
):
    """CARD_CAPTURE_ON_SHIPMENT: a card is held about 7 days, as long as CAPTURE_WARNING_DAYS. The
    warning waits until half of that hold is used, so a fresh card order mails no one."""
    settings.METRICS_ENABLED, settings.STAGE, settings.CARD_CAPTURE_ON_SHIPMENT = True, "dev", True
    monkeypatch.setattr(sandbox.server.app.store, "capture_seconds", 7 * 86400)
    card, _ = pay_later_order(shopper, sandbox, method="creditcard")
    capsys.readouterr()

    services.reconcile(stale_after_seconds=0)

    lines = emf.emf_lines(capsys.readouterr().out)
    assert emf.total(lines, Metric.CAPTURE_DEADLINES_NEAR, Stage="dev") == 0
    order = Order.get(card.order_id, consistent_read=True)
    assert order.status == OrderStatus.AUTHORIZED and not order.needs_attention
    assert not [mail for mail in mails_of_order(card.order_id) if mail.kind == MailKind.STAFF_ALERT]


def test_an_authorization_that_lapses_after_a_partial_capture_is_counted(
    shopper, sandbox, shipping_zones, settings, capsys
):
    settings.METRICS_ENABLED, settings.STAGE = True, "dev"
    order, payment_id = pay_later_order(shopper, sandbox, **{"espresso-cup": 2, "coffee-beans": 1})
    fulfilment.ship(
        order_id=order.order_id, quantities={"espresso-cup": 2}, carrier="postnl", tracking_number="3S1", actor="t"
    )
    sandbox.advance_clock(5)
    shopper.webhook(payment_id)
    capsys.readouterr()

    sandbox.advance_clock((order.capture_before - timezone.now() + timedelta(hours=1)).total_seconds())
    shopper.webhook(payment_id)  # Mollie tells the shop: paid for what was captured, the rest lost

    lines = emf.emf_lines(capsys.readouterr().out)
    assert Order.get(order.order_id).status == OrderStatus.PAID
    assert emf.total(lines, Metric.AUTHORIZATIONS_LAPSED, Stage="dev") == 1


def test_the_alarms_watch_both_with_thresholds_from_settings(settings):
    from deploy.alarms import Stage, wanted_alarms
    from deploy.local_lambda import stage_settings

    settings.ALARM_CAPTURE_DEADLINES_NEAR, settings.ALARM_AUTHORIZATIONS_LAPSED = 3, 2
    stage = Stage.from_zappa("dev", stage_settings("dev"))
    alarms = {alarm.key: alarm for alarm in wanted_alarms(stage)}

    near, lapsed = alarms["capture-deadline-near"], alarms["authorization-lapsed"]
    assert (near.metric, near.statistic, near.threshold) == (Metric.CAPTURE_DEADLINES_NEAR, "Maximum", 3)
    assert near.period == stage.reconcile_every_seconds  # one datapoint per run
    assert (lapsed.metric, lapsed.statistic, lapsed.threshold) == (Metric.AUTHORIZATIONS_LAPSED, "Sum", 2)


def test_an_authorization_with_a_refund_pending_is_synced_and_counted_once(
    shopper, sandbox, shipping_zones, settings, capsys, pending_refunds
):
    """Part shipped and captured, part refunded (Mollie not done with the refund), the rest still
    authorized: the attempt is both authorized and has an unsettled refund."""
    settings.METRICS_ENABLED, settings.STAGE = True, "dev"
    settings.CAPTURE_WARNING_DAYS, settings.CAPTURE_WARNING_PERCENT = 400, 100
    order, payment_id = pay_later_order(shopper, sandbox, **{"espresso-cup": 2, "coffee-beans": 1})
    fulfilment.ship(
        order_id=order.order_id, quantities={"espresso-cup": 2}, carrier="postnl", tracking_number="3S1", actor="t"
    )
    sandbox.advance_clock(5)
    shopper.webhook(payment_id)
    services.refund_payment(order_id=order.order_id, attempt_no=1, amount_cents=500, refund_key="r1", actor="t")
    attempt = PaymentAttempt.get(order.order_id, 1)
    assert attempt.status == AttemptStatus.AUTHORIZED and attempt.refunds_unsettled == "yes"
    capsys.readouterr()

    summary = services.reconcile(stale_after_seconds=0)

    assert summary.synced == 1 and summary.errors == []
    near = [value for name, _, value in emf.datapoints(emf.emf_lines(capsys.readouterr().out))
            if name == Metric.CAPTURE_DEADLINES_NEAR]  # fmt: skip
    assert near == [1]


def test_no_deadline_figure_when_the_authorized_payments_could_not_be_listed(
    shopper, sandbox, shipping_zones, settings, capsys, monkeypatch
):
    """A throttled listing is not "nothing near its deadline": no datapoint, and the alarm ignores
    a missing one (it keeps its state) instead of going back to OK."""
    from botocore.exceptions import ClientError
    from pynamodb.exceptions import QueryError

    from payments.services import reconciliation

    settings.METRICS_ENABLED, settings.STAGE = True, "dev"
    settings.CAPTURE_WARNING_DAYS, settings.CAPTURE_WARNING_PERCENT = 400, 100
    pay_later_order(shopper, sandbox)
    listing = reconciliation.attempts_in_status

    def throttled_for_authorized(status, *conditions):
        if status == AttemptStatus.AUTHORIZED:
            raise QueryError("Failed to query items", ClientError({"Error": {"Code": "ThrottlingException"}}, "Query"))
        return listing(status, *conditions)

    monkeypatch.setattr(reconciliation, "attempts_in_status", throttled_for_authorized)
    capsys.readouterr()
    summary = services.reconcile(stale_after_seconds=0)

    lines = emf.emf_lines(capsys.readouterr().out)
    assert [error.split(":")[0] for error in summary.errors] == ["listing authorized attempts"]
    assert [name for name, _, _ in emf.datapoints(lines) if name == Metric.CAPTURE_DEADLINES_NEAR] == []
    assert emf.total(lines, Metric.RECONCILE_RUNS, Stage="dev") == 1  # the run itself is reported


def test_the_deadline_alarm_ignores_missing_data():
    from deploy.alarms import Stage, wanted_alarms
    from deploy.local_lambda import stage_settings

    alarms = {alarm.key: alarm for alarm in wanted_alarms(Stage.from_zappa("dev", stage_settings("dev")))}
    assert alarms["capture-deadline-near"].missing == "ignore"
