"""The chaos run's invariant check finds what it is meant to find (a checker that cannot fail
proves nothing)."""

from chaos import invariants
from payments.models import Order, OrderDayCount, PaymentAttempt
from payments.sharding import order_shard
from shop.services import DEMO_ARTICLES

INITIAL_STOCK = {slug: stock for slug, _, _, _, stock in DEMO_ARTICLES}


def check(shopper, initial_stock=INITIAL_STOCK):
    return invariants.check(mollie_payments=shopper.sandbox.payments(), initial_stock=initial_stock)


def test_a_paid_order_that_matches_mollie_keeps_every_invariant(shopper):
    shopper.buy("espresso-cup", 2)
    shopper.webhook(shopper.pay_at_mollie("paid"))

    findings = check(shopper)

    assert findings.violations == []
    assert findings.counts["orders paid"] == 1
    assert findings.counts["stock espresso-cup"] == INITIAL_STOCK["espresso-cup"] - 2


def test_a_payment_paid_at_mollie_but_not_here_is_found(shopper):
    shopper.buy()
    shopper.pay_at_mollie("paid")  # and the webhook never came, nor did reconciliation

    violations = check(shopper).violations

    assert any(v.startswith("every paid Mollie payment recorded as paid") for v in violations)


def test_stock_that_does_not_add_up_is_found(shopper):
    shopper.buy("linen-apron")

    violations = check(shopper, {**INITIAL_STOCK, "linen-apron": INITIAL_STOCK["linen-apron"] + 1}).violations

    assert [v for v in violations if v.startswith("stock")] == [
        "stock consistent with orders: linen-apron: started 9, orders hold 1, stock is 7"
    ]


def test_an_order_paid_without_a_paid_payment_is_found(shopper):
    shopper.buy()
    order = shopper.last_order()
    order.update(actions=[Order.status.set("paid"), Order.paid_attempt_no.set(1)])

    violations = check(shopper).violations

    assert any(v.startswith("no order paid without a paid payment") for v in violations)


def test_a_second_paid_attempt_without_a_refund_flag_is_found(shopper):
    shopper.buy()
    first = shopper.pay_at_mollie("failed")
    shopper.webhook(first)
    shopper.client.post(f"/en/orders/{shopper.last_order().order_id}/{shopper.last_order().public_token}/pay/")
    shopper.webhook(shopper.pay_at_mollie("paid"))
    # Pretend Mollie had charged the first attempt too and we had missed the flag.
    shopper.sandbox.set_status(first, "paid")
    PaymentAttempt.get(shopper.last_order().order_id, 1).update(actions=[PaymentAttempt.status.set("paid")])

    violations = check(shopper).violations

    assert any(v.startswith("no double charge unflagged") for v in violations)


def test_an_order_waiting_for_an_open_bank_transfer_keeps_every_invariant(shopper):
    # Mollie can cancel an open transfer, yet nobody should: the shopper has days to pay it.
    shopper.add("espresso-cup")
    assert shopper.checkout(method="banktransfer").status_code == 303
    shopper.order_page()  # back from Mollie's page, where the transfer's details were shown

    findings = check(shopper)

    assert findings.violations == []
    assert findings.counts["orders waiting for an open bank transfer"] == 1


def charged_back(shopper):
    """A paid order whose bank took the money back, and the webhooks that reported both."""
    shopper.buy()
    payment_id = shopper.pay_at_mollie("paid")
    shopper.webhook(payment_id)
    chargeback = shopper.sandbox.chargeback(payment_id)
    shopper.webhook(payment_id)
    return payment_id, chargeback


def test_chargebacks_that_agree_with_mollie_keep_every_invariant(shopper):
    payment_id, chargeback = charged_back(shopper)
    shopper.sandbox.reverse_chargeback(chargeback["id"])
    shopper.sandbox.chargeback(payment_id)
    shopper.webhook(payment_id)

    findings = check(shopper)

    assert findings.violations == []
    assert findings.counts["Mollie chargebacks"] == findings.counts["chargebacks recorded"] == 2
    assert findings.counts["orders charged back"] == 1


def test_a_chargeback_whose_webhook_never_came_is_found(shopper):
    shopper.buy()
    payment_id = shopper.pay_at_mollie("paid")
    shopper.webhook(payment_id)
    shopper.sandbox.chargeback(payment_id)  # no webhook, no reconciliation

    violations = check(shopper).violations

    assert any(v.startswith("every chargeback recorded") for v in violations)


def test_a_reversal_not_recorded_and_a_lost_flag_are_found(shopper):
    _, chargeback = charged_back(shopper)
    shopper.sandbox.reverse_chargeback(chargeback["id"])  # not reported here
    order = shopper.last_order()
    order.update(actions=[Order.needs_attention.set(False), Order.attention_reasons.set([])])

    violations = check(shopper).violations

    assert any(v.startswith("chargeback reversals agree") for v in violations)
    assert any(v.startswith("a chargeback flags its order for staff") for v in violations)


def test_dashboard_counters_out_of_step_with_the_orders_are_found(shopper):
    shopper.buy("espresso-cup", 1)
    order = shopper.last_order()
    for item in OrderDayCount.scan():
        item.update(actions=[OrderDayCount.count_pending_payment.add(1)])  # type: ignore[attr-defined]

    violations = check(shopper).violations

    assert [v for v in violations if v.startswith("dashboard counters")] == [
        f"dashboard counters match the orders: ('counts#{order_shard(order.order_id)}', "
        f"'{order.created_at.date().isoformat()}#EUR'): short by {{'count_pending_payment': -1}}"
    ]


def test_one_confirmation_per_paid_order_and_none_for_an_unpaid_one_hold(shopper, local_aws):
    from devstack.mailbox import sent_mails

    shopper.buy("espresso-cup", 2)
    shopper.webhook(shopper.pay_at_mollie("paid"))
    shopper.buy("pour-over-kettle")

    findings = invariants.check(
        mollie_payments=shopper.sandbox.payments(),
        initial_stock=INITIAL_STOCK,
        sent_mails=sent_mails(local_aws.endpoint_url),
    )

    assert findings.violations == []
    assert findings.counts["confirmation mails sent"] == 1 and findings.counts["confirmations sent"] == 1


def test_a_paid_order_without_its_confirmation_is_found(shopper, local_aws):
    from devstack.mailbox import sent_mails
    from notifications.models import OutboxItem

    shopper.buy()
    shopper.webhook(shopper.pay_at_mollie("paid"))
    order = shopper.last_order()
    for item in OutboxItem.query(order.order_id):
        item.delete()  # as if the workflow had never decided it

    violations = invariants.check(
        mollie_payments=shopper.sandbox.payments(), initial_stock=INITIAL_STOCK, sent_mails=[]
    ).violations

    assert f"one confirmation per paid order: {order.order_id}: none decided" in violations
    assert sent_mails(local_aws.endpoint_url)  # the mailbox had it; the checker was given none


def _paid_with_confirmation(shopper, local_aws):
    from devstack.mailbox import sent_mails
    from notifications.models import MailKind, OutboxItem, mail_key
    from payments.services.mails import PAID_EVENT

    shopper.buy()
    shopper.webhook(shopper.pay_at_mollie("paid"))
    order = shopper.last_order()
    item = OutboxItem.get(order.order_id, mail_key(MailKind.ORDER_CONFIRMATION, PAID_EVENT))
    return order, item, sent_mails(local_aws.endpoint_url)


def confirmation_findings(shopper, sent):
    return invariants.check(mollie_payments=shopper.sandbox.payments(), initial_stock=INITIAL_STOCK, sent_mails=sent)


def test_a_confirmation_sent_twice_is_found_unless_a_send_outcome_was_lost(shopper, local_aws):
    from notifications.models import OutboxItem

    order, item, mails = _paid_with_confirmation(shopper, local_aws)
    [confirmation] = [mail for mail in mails if order.order_id in mail.subject]
    item.update(actions=[OutboxItem.tries.set(0), OutboxItem.takeovers.set(0)])  # one clean send

    violations = confirmation_findings(shopper, [*mails, confirmation]).violations
    assert any(v.startswith(f"one confirmation per paid order: {order.order_id}: 2 sent") for v in violations)

    # SES answered after the read timeout (tries + 1), or a stale claim was taken over: a second
    # mail is then possible (SendEmail has no idempotency key), and accounted for.
    for lost in (OutboxItem.tries.add(1), OutboxItem.takeovers.add(1)):
        item.update(actions=[OutboxItem.tries.set(0), OutboxItem.takeovers.set(0)])
        item.update(actions=[lost])
        findings = confirmation_findings(shopper, [*mails, confirmation])
        assert findings.violations == []
        assert findings.counts["confirmations sent again after a lost SES answer"] == 1
    assert confirmation_findings(shopper, [*mails, confirmation, confirmation]).violations  # three is one too many


def test_a_confirmation_not_sent_yet_passes_only_while_it_is_still_queued(shopper, local_aws):
    from notifications.models import MailStatus, OutboxItem

    order, item, mails = _paid_with_confirmation(shopper, local_aws)
    item.update(actions=[OutboxItem.status.set(MailStatus.QUEUED.value)])

    findings = confirmation_findings(shopper, [])
    assert findings.violations == []
    assert findings.counts["confirmations left for the next reconciliation"] == 1

    item.update(actions=[OutboxItem.status.set(MailStatus.FAILED.value), OutboxItem.tries.set(5)])
    violations = confirmation_findings(shopper, []).violations
    assert (
        f"one confirmation per paid order: {order.order_id}: 0 sent (failed, 5 failed tries, 0 takeovers)" in violations
    )


def test_a_confirmation_for_an_unpaid_order_is_found(shopper):
    from payments.services.mails import confirmation_mail

    shopper.buy()
    order = shopper.last_order()
    confirmation_mail(order, PaymentAttempt.get(order.order_id, 1)).save()  # decided, yet never paid

    violations = check(shopper).violations

    assert any(v.startswith(f"no confirmation for an unpaid order: {order.order_id}") for v in violations)


def test_a_paid_order_both_to_ship_and_shipped_is_found(shopper):
    from payments.services import fulfilment

    shopper.buy("espresso-cup", 2)
    shopper.webhook(shopper.pay_at_mollie("paid"))
    order = shopper.last_order()
    fulfilment.ship(
        order_id=order.order_id, quantities={"espresso-cup": 1}, carrier="dhl", tracking_number="1", actor="t"
    )
    assert check(shopper).violations == []

    # A write that raised the shipped quantity without its shipment, and left the index key behind.
    order = Order.get(order.order_id, consistent_read=True)
    line = order.lines[0]
    order.update(actions=[Order.lines[0].shipped_quantity.set(2), Order.to_ship.set(Order.TO_SHIP)])
    assert line.slug == "espresso-cup"

    violations = check(shopper).violations

    assert any(v.startswith("every paid order is to ship or shipped, never both") for v in violations)
    assert any(v.startswith("shipments add up to what was shipped") for v in violations)
