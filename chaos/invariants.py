"""After a chaos run: compare every Mollie payment in the sandbox with our tables.

Reads whole tables with Scan: this is a checker, not a request path. Returns the counts worth
printing and one line per violated invariant (empty when all hold).
"""

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.conf import settings

from chaos import fulfilment_invariants
from notifications.models import MailKind, MailStatus, OutboxItem, mail_key
from payments.models import AttemptStatus, Order, OrderStatus, PaymentAttempt
from payments.services import counters
from payments.services.mails import PAID_EVENT
from shop.models import Article

MOLLIE_WAITING = {"open", "pending", "authorized"}


@dataclass
class Findings:
    counts: Counter = field(default_factory=Counter)
    violations: list = field(default_factory=list)

    def violate(self, invariant, detail):
        self.violations.append(f"{invariant}: {detail}")


def snapshot_stock():
    return {article.slug: article.stock for article in Article.scan(consistent_read=True)}


def check(*, mollie_payments, initial_stock, shopper_orders=(), sent_mails=None):
    """`mollie_payments`: the sandbox's `/_sandbox/payments`; `initial_stock`: slug -> stock before the run;
    `sent_mails`: the local mailbox's mails (devstack.mailbox.Mail), when the run's SES is to be checked."""
    findings = Findings()
    orders = {order.order_id: order for order in Order.scan(consistent_read=True)}
    attempts = {(a.order_id, a.attempt_no): a for a in PaymentAttempt.scan(consistent_read=True)}
    stock = snapshot_stock()
    by_mollie_id = {}
    for attempt in attempts.values():
        if attempt.mollie_payment_id:
            if attempt.mollie_payment_id in by_mollie_id:
                findings.violate("one attempt per Mollie payment", f"{attempt.mollie_payment_id} is on two attempts")
            by_mollie_id[attempt.mollie_payment_id] = attempt
    mollie_by_id = {payment["id"]: payment for payment in mollie_payments}

    _check_payments(findings, mollie_payments, orders, attempts, by_mollie_id)
    _check_orders(findings, orders, attempts, mollie_by_id)
    _check_stock(findings, orders, stock, initial_stock)
    _check_carts(findings, orders, attempts, mollie_by_id)
    _check_chargebacks(findings, mollie_payments, orders, attempts, by_mollie_id)
    _check_counters(findings, orders)
    _check_confirmations(findings, orders, sent_mails)
    fulfilment_invariants.check(findings, orders, mollie_payments)
    for shopper, order_id in sorted(dict(shopper_orders).items()):
        if order_id not in orders:
            findings.violate("nothing lost", f"shopper {shopper} saw order {order_id}, which is not in our table")

    findings.counts.update(
        {
            "orders": len(orders),
            "attempts": len(attempts),
            "Mollie payments": len(mollie_payments),
            **{f"orders {status}": count for status, count in Counter(o.status for o in orders.values()).items()},
            **{f"attempts {status}": count for status, count in Counter(a.status for a in attempts.values()).items()},
            **{
                f"Mollie payments {status}": count
                for status, count in Counter(p["status"] for p in mollie_payments).items()
            },
            "orders flagged for staff": sum(bool(o.needs_attention) for o in orders.values()),
            "attempts flagged needs_refund": sum(bool(a.needs_refund) for a in attempts.values()),
            "Mollie chargebacks": sum(len(_chargebacks(p)) for p in mollie_payments),
            "Mollie chargebacks reversed": sum(
                1 for p in mollie_payments for c in _chargebacks(p) if c.get("reversedAt")
            ),
            "chargebacks recorded": sum(len(a.chargebacks or []) for a in attempts.values()),
            "orders charged back": sum(bool(o.amount_charged_back_cents) for o in orders.values()),
            "attempts by bank transfer": sum(a.method == "banktransfer" for a in attempts.values()),
            "mails queued or sent": sum(1 for _ in OutboxItem.scan(consistent_read=True)),
        }
    )
    return findings


def _check_counters(findings, orders):
    """The dashboard's per-day counters are written in the orders' own transactions: after any
    run, under any faults, they equal what the orders add up to."""
    expected, stored = counters.tally(orders.values()), counters.stored_counts()
    for key in sorted(set(expected) | set(stored)):
        difference = Counter(expected.get(key, Counter()))
        difference.subtract(stored.get(key, Counter()))
        off = {name: amount for name, amount in difference.items() if amount}
        if off:
            findings.violate("dashboard counters match the orders", f"{key}: short by {off}")


# "is placed": an authorized pay-later order (docs/pay-later.md), confirmed once, before it is paid.
CONFIRMATION_SUBJECT = re.compile(r"^Your order (\S+) is (?:paid|placed)$")


def _check_confirmations(findings, orders, sent_mails):
    """Exactly one confirmation decided per order that was ever paid, none for an order never paid.
    With the mailbox: each decided one sent, or still queued for the next reconciliation (nothing
    lost); sent twice only after a send whose outcome was lost (an SES answer after the read
    timeout, or a stale claim taken over: notifications/services.py), which SES's SendEmail, having
    no idempotency key, cannot rule out. Staff resends have event ids of their own and are not counted."""
    first_confirmation = mail_key(MailKind.ORDER_CONFIRMATION, PAID_EVENT)
    decided = {}
    for item in OutboxItem.scan(consistent_read=True):
        if item.mail_key == first_confirmation:
            decided[item.order_id] = item
            findings.counts[f"confirmations {item.status}"] += 1
    sent = Counter()
    for mail in sent_mails or ():
        match = CONFIRMATION_SUBJECT.match(mail.subject)
        if match:
            sent[match.group(1)] += 1
    for order_id, order in orders.items():
        # Ever a sale: paid, or authorized (pay later; paid_attempt_no stays when it is released).
        ever_paid = order.is_sold or order.paid_at is not None or order.paid_attempt_no is not None
        item = decided.get(order_id)
        if not ever_paid:
            if item or sent[order_id]:
                findings.violate(
                    "no confirmation for an unpaid order",
                    f"{order_id} ({order.status}): {int(item is not None)} decided, {sent[order_id]} sent",
                )
        elif item is None:
            findings.violate("one confirmation per paid order", f"{order_id}: none decided")
        elif sent_mails is not None:
            _check_sent(findings, order_id, item, sent[order_id])
    if sent_mails is not None:
        findings.counts["confirmation mails sent"] = sum(sent[order_id] for order_id in orders)


def _check_sent(findings, order_id, item, sent):
    lost_outcomes = item.tries + item.takeovers
    if sent == 0 and item.status in (MailStatus.QUEUED, MailStatus.SENDING):
        findings.counts["confirmations left for the next reconciliation"] += 1
    elif sent == 0 or sent > 1 + lost_outcomes:
        findings.violate(
            "one confirmation per paid order",
            f"{order_id}: {sent} sent ({item.status}, {item.tries} failed tries, {item.takeovers} takeovers)",
        )
    elif sent > 1:
        findings.counts["confirmations sent again after a lost SES answer"] += 1


def _check_payments(findings, mollie_payments, orders, attempts, by_mollie_id):
    per_attempt = Counter()
    for payment in mollie_payments:
        metadata = payment.get("metadata") or {}
        key = (str(metadata.get("order_id")), _int(metadata.get("attempt_no")))
        per_attempt[key] += 1
        attempt = by_mollie_id.get(payment["id"])
        if attempt is None:
            # Created at Mollie but never stored by us (our write after the create failed, or we
            # crashed). Harmless while nobody can pay it: the shopper never got its checkout URL.
            findings.counts["Mollie payments never recorded (orphans)"] += 1
            if payment["status"] == "paid" or payment.get("paidAt"):
                findings.violate(
                    "every paid Mollie payment recorded", f"{payment['id']} for {key} is paid but on no attempt"
                )
            continue
        if (attempt.order_id, attempt.attempt_no) != key:
            findings.violate(
                "payment on the right attempt",
                f"{payment['id']} metadata {key} but stored on {attempt.order_id}/{attempt.attempt_no}",
            )
        order = orders.get(attempt.order_id)
        if payment["status"] == "paid":
            if attempt.status != AttemptStatus.PAID:
                findings.violate(
                    "every paid Mollie payment recorded as paid",
                    f"{payment['id']} is paid, attempt {attempt.order_id}/{attempt.attempt_no} is {attempt.status}",
                )
            elif order is None or not order.is_paid:
                findings.violate(
                    "every paid Mollie payment recorded as paid",
                    f"{payment['id']} is paid, order {attempt.order_id} is {order and order.status}",
                )
            elif order.paid_attempt_no != attempt.attempt_no and not attempt.needs_refund:
                findings.violate(
                    "no double charge unflagged",
                    f"{payment['id']} paid on {attempt.order_id} attempt "
                    f"{attempt.attempt_no}, order paid by attempt {order.paid_attempt_no}, no refund flag",
                )
            if attempt.mollie_amount_cents is not None and attempt.mollie_amount_cents != _cents(payment["amount"]):
                findings.violate(
                    "amounts agree", f"{payment['id']}: Mollie {payment['amount']}, ours {attempt.mollie_amount_cents}"
                )
        elif payment["status"] in MOLLIE_WAITING:
            if attempt.status != payment["status"]:
                findings.violate(
                    "no attempt stuck",
                    f"{payment['id']} is {payment['status']} at Mollie, {attempt.status} in our table",
                )
            if payment["status"] == "open" and order is not None and order.replaced_by:
                # The shopper checked out a changed cart meanwhile: if paid, it is flagged (merge).
                findings.counts["replaced orders whose payment is still open at Mollie"] += 1
            elif payment["status"] == "open" and order is not None and not order.is_open_for_payment:
                findings.violate(
                    "closed orders cannot be paid",
                    f"{payment['id']} is still open at Mollie but order {order.order_id} is {order.status}",
                )
        elif attempt.status != payment["status"]:
            findings.violate(
                "no attempt stuck",
                f"{payment['id']} is {payment['status']} at Mollie, "
                f"{attempt.status} in our table ({attempt.order_id}/{attempt.attempt_no})",
            )
    for key, count in per_attempt.items():
        if count > 1:
            findings.violate("one Mollie payment per attempt", f"{count} Mollie payments for attempt {key}")


def _check_orders(findings, orders, attempts, mollie_by_id):
    by_order = {}
    for attempt in attempts.values():
        by_order.setdefault(attempt.order_id, []).append(attempt)
    for order_id, order in orders.items():
        own = sorted(by_order.get(order_id, []), key=lambda a: a.attempt_no)
        if [a.attempt_no for a in own] != list(range(1, order.attempt_count + 1)):
            findings.violate(
                "nothing lost",
                f"order {order_id} counts {order.attempt_count} attempts, table has {[a.attempt_no for a in own]}",
            )
        paid_at_mollie = [
            a for a in own if a.mollie_payment_id and mollie_by_id.get(a.mollie_payment_id, {}).get("status") == "paid"
        ]
        if order.is_paid:
            paid = next((a for a in own if a.attempt_no == order.paid_attempt_no), None)
            if paid is None or paid.status != AttemptStatus.PAID or paid not in paid_at_mollie:
                findings.violate(
                    "no order paid without a paid payment",
                    f"order {order_id} is {order.status} by attempt {order.paid_attempt_no}, "
                    f"which is {paid and paid.status} here and "
                    f"{paid and mollie_by_id.get(paid.mollie_payment_id, {}).get('status')} at Mollie",
                )
            if order.stock_released and not order.needs_attention:
                findings.violate(
                    "stock consistent with paid orders",
                    f"paid order {order_id} gave its stock back without a flag for staff",
                )
        for attempt in paid_at_mollie if order.is_paid else ():
            if attempt.attempt_no != order.paid_attempt_no and not attempt.needs_refund:
                findings.violate(
                    "no double charge unflagged",
                    f"order {order_id} attempt {attempt.attempt_no} paid too, not flagged for refund",
                )
        if len(paid_at_mollie) > 1:
            findings.counts["orders paid twice at Mollie"] += 1
        if order.status == OrderStatus.PENDING_PAYMENT:
            settling = [
                a
                for a in own
                if a.mollie_payment_id
                and mollie_by_id.get(a.mollie_payment_id, {}).get("status") in ("pending", "authorized")
            ]
            # Open, and Mollie will not cancel it (a card or iDEAL payment): it expires at Mollie.
            uncancelable = [
                a
                for a in own
                if a.mollie_payment_id
                and mollie_by_id.get(a.mollie_payment_id, {}).get("status") == "open"
                and mollie_by_id.get(a.mollie_payment_id, {}).get("isCancelable") is False
            ]
            # An open bank transfer: the shopper has days to pay it (its expiresAt), and the order
            # keeps its stock until then.
            transfer = [
                a
                for a in own
                if a.mollie_payment_id
                and mollie_by_id.get(a.mollie_payment_id, {}).get("status") == "open"
                and mollie_by_id.get(a.mollie_payment_id, {}).get("method") == "banktransfer"
            ]
            if settling:
                findings.counts["orders still settling (pending at Mollie)"] += 1
            elif uncancelable:
                findings.counts["orders waiting for an open payment Mollie will not cancel"] += 1
            elif transfer:
                findings.counts["orders waiting for an open bank transfer"] += 1
            else:
                findings.violate(
                    "no order left waiting after reconciliation",
                    f"order {order_id} is pending_payment; attempts {[(a.attempt_no, a.status) for a in own]}",
                )
        for attempt in own:
            mollie_status = mollie_by_id.get(attempt.mollie_payment_id, {}).get("status")
            if attempt.status in (AttemptStatus.CREATED, AttemptStatus.OPEN) and mollie_status not in MOLLIE_WAITING:
                findings.violate(
                    "no attempt stuck in open/created after reconciliation",
                    f"{order_id}/{attempt.attempt_no} is {attempt.status} (Mollie: {mollie_status})",
                )


def _check_carts(findings, orders, attempts, mollie_by_id):
    """Each chaos shopper has one browser, one cart and an e-mail address of its own, so the orders
    of one address are the orders of one cart."""
    orders_by_email = {}
    for order in orders.values():
        orders_by_email.setdefault(order.customer_email, []).append(order)
    waiting_by_email = Counter()
    for attempt in attempts.values():
        order = orders.get(attempt.order_id)
        if (
            order
            and not order.replaced_by  # replaced by the cart's next order: a late payment of it is flagged
            and mollie_by_id.get(attempt.mollie_payment_id, {}).get("status") in MOLLIE_WAITING
        ):
            waiting_by_email[order.customer_email] += 1
    for email, count in sorted(waiting_by_email.items()):
        if count > 1:
            findings.violate("no cart has two payable payments", f"{email}: {count} payments open or settling")
    window = timedelta(seconds=settings.ORDER_PAYMENT_WINDOW_SECONDS)
    for email, own in sorted(orders_by_email.items()):
        findings.counts["carts with more than one order"] += len(own) > 1
        paid = [order for order in own if order.is_paid]
        for order in paid:
            for other in paid:
                if (
                    other is not order
                    and abs(other.created_at - order.created_at) <= window
                    and other.order_id not in (order.possible_duplicate_of or [])
                    and not _replaced_and_flagged(order, other)
                ):
                    findings.violate(
                        "no unflagged duplicate paid orders",
                        f"{order.order_id} and {other.order_id} "
                        f"of {email} are both paid, {order.order_id} is not flagged",
                    )
        findings.counts["orders flagged as possible duplicates"] += sum(bool(o.possible_duplicate_of) for o in own)


def _replaced_and_flagged(order, other):
    """One of the pair was replaced by the other (a changed cart checked out while its payment was
    open) and is flagged for staff to refund it ("Paid after the shopper replaced this order by
    ..."): the double charge is called out, naming both. Reconciliation, which runs here with a
    payment window of 0, would also flag them as possible duplicates in a shop."""
    replaced = order if order.replaced_by == other.order_id else other if other.replaced_by == order.order_id else None
    return (
        replaced is not None
        and replaced.needs_attention
        and any("replaced this order" in reason for reason in replaced.attention_reasons or [])
    )


def _check_stock(findings, orders, stock, initial_stock):
    reserved = Counter()
    for order in orders.values():
        if not order.stock_released:
            for line in order.lines:
                if line.reserves_stock:
                    reserved[line.slug] += line.quantity
    for slug, initial in sorted(initial_stock.items()):
        if initial is None:
            continue
        current = stock.get(slug)
        if current is None or current < 0:
            findings.violate("stock never negative", f"{slug}: {current}")
        elif initial - reserved[slug] != current:
            findings.violate(
                "stock consistent with orders",
                f"{slug}: started {initial}, orders hold {reserved[slug]}, stock is {current}",
            )
        findings.counts[f"stock {slug}"] = current


def _chargebacks(payment):
    return (payment.get("_embedded") or {}).get("chargebacks") or []


def _check_chargebacks(findings, mollie_payments, orders, attempts, by_mollie_id):
    """Every chargeback at Mollie is recorded on its attempt, reversals too, and nothing else; an
    order's charged-back total is its attempts' unreversed ones, and such an order needs staff."""
    for payment in mollie_payments:
        attempt = by_mollie_id.get(payment["id"])
        theirs = {c["id"]: c for c in _chargebacks(payment)}
        ours = {r.chargeback_id: r for r in (attempt.chargebacks or [])} if attempt is not None else {}
        for chargeback_id, chargeback in theirs.items():
            record = ours.get(chargeback_id)
            if record is None:
                findings.violate(
                    "every chargeback recorded", f"{chargeback_id} of {payment['id']} is not on its attempt"
                )
                continue
            if int(record.amount_cents) != _cents(chargeback["amount"]):
                findings.violate("chargeback amounts agree", f"{chargeback_id}: {record.amount_cents} cents here")
            if bool(chargeback.get("reversedAt")) != (record.reversed_at is not None):
                findings.violate(
                    "chargeback reversals agree",
                    f"{chargeback_id}: reversed at Mollie is {bool(chargeback.get('reversedAt'))}",
                )
        for chargeback_id in set(ours) - set(theirs):
            findings.violate("no chargeback Mollie does not know", f"{chargeback_id} on {payment['id']}")
    for order in orders.values():
        charged_back = sum(a.charged_back_cents for a in attempts.values() if a.order_id == order.order_id)
        if int(order.amount_charged_back_cents or 0) != charged_back:
            findings.violate(
                "order charged-back totals agree",
                f"{order.order_id}: {order.amount_charged_back_cents} cents on the order, {charged_back} on its attempts",
            )
        if charged_back and not (
            order.needs_attention and any(r.startswith("Charged back") for r in order.attention_reasons or [])
        ):
            findings.violate("a chargeback flags its order for staff", order.order_id)


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _cents(amount):
    return int(Decimal(str(amount["value"])) * 100)
