"""What staff are told about an order's money and open matters, read from its records: refunds
still on their way, money that went back twice (refunded, then charged back as well), and the
order's attention reasons grouped so that one matter is one line. Read-only.
"""

from dataclasses import dataclass

from payments.enums import RefundStatus
from shop.money import format_money


def pending_refund_cents(refunds, *, attempt_no=None) -> int:
    """Refunds Mollie has not paid out yet (ours `requested`, Mollie's queued/pending/processing):
    not in the attempt's amountRefunded, yet on their way to the shopper."""
    return sum(
        int(refund.amount_cents)
        for refund in refunds
        if refund.status in RefundStatus.UNSETTLED and attempt_no in (None, refund.attempt_no)
    )


@dataclass(frozen=True)
class MoneyBackTwice:
    """The shopper's bank took back money we had refunded already: it went back twice."""

    attempt_no: int
    mollie_payment_id: str
    refunded_cents: int
    charged_back_cents: int
    twice_cents: int
    currency: str

    @property
    def text(self):
        refunded, charged_back, twice = (
            format_money(cents, self.currency)
            for cents in (self.refunded_cents, self.charged_back_cents, self.twice_cents)
        )
        return (
            f"The money went back twice: {refunded} of payment {self.mollie_payment_id} was refunded, and "
            f"the shopper's bank then charged back {charged_back}, so {twice} went back to the shopper twice. "
            "Dispute the chargeback in Mollie's dashboard, with the refund as proof; if Mollie does not "
            f"reverse it, ask the shopper to pay {twice} back."
        )


def money_back_twice(attempts, refunds) -> list[MoneyBackTwice]:
    """Each attempt whose refunds (settled or on their way) and chargebacks add up to more than
    was paid: a bank may charge back the full amount whatever we refunded before."""
    found = []
    for attempt in attempts:
        charged_back = attempt.charged_back_cents
        if not charged_back:
            continue
        ours = sum(
            int(refund.amount_cents)
            for refund in refunds
            if refund.attempt_no == attempt.attempt_no and refund.status not in RefundStatus.WITHOUT_MONEY
        )
        refunded = max(ours, int(attempt.amount_refunded_cents or 0))
        twice = refunded + charged_back - int(attempt.amount_cents)
        if refunded and twice > 0:
            found.append(
                MoneyBackTwice(
                    attempt_no=int(attempt.attempt_no),
                    mollie_payment_id=attempt.mollie_payment_id or f"attempt {attempt.attempt_no}",
                    refunded_cents=refunded,
                    charged_back_cents=charged_back,
                    twice_cents=min(twice, refunded),
                    currency=attempt.currency,
                )
            )
    return found


# The workflow words each possible duplicate as its own reason ("Possible duplicate: order SO-…
# of the same shopper was also paid …"); nine orders of one shopper would repeat it eight times.
_DUPLICATE_START = "Possible duplicate: order "


def grouped_reasons(order) -> list[str]:
    """The order's attention reasons, one line per matter: the possible duplicates become one line
    naming the other orders."""
    duplicates = list(order.possible_duplicate_of or [])
    reasons = []
    for reason in order.attention_reasons or []:
        if reason.startswith(_DUPLICATE_START) and any(other in reason for other in duplicates):
            continue
        reasons.append(reason)
    flagged_duplicates = [
        other
        for other in duplicates
        if any(reason.startswith(_DUPLICATE_START + other) for reason in order.attention_reasons or [])
    ]
    if flagged_duplicates:
        others = ", ".join(flagged_duplicates)
        count = len(flagged_duplicates)
        reasons.insert(
            0,
            f"Possible duplicate: {count} other order{'s' if count > 1 else ''} of the same shopper "
            f"{'were' if count > 1 else 'was'} also paid within the payment window ({others}); "
            "refund one if they did not mean to buy twice",
        )
    return reasons
