"""The maps stored inside orders and attempts: a method's details, a chargeback, an address."""

from pynamodb.attributes import MapAttribute, NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute


class MethodDetails(MapAttribute):
    """Mollie's `details` of the method used, in Mollie's names (payments.mollie.DETAIL_FIELDS):
    what the thank-you page and staff show, and a bank transfer's instructions."""

    cardHolder = UnicodeAttribute(null=True)
    cardNumber = UnicodeAttribute(null=True)  # the last four digits only
    cardLabel = UnicodeAttribute(null=True)
    cardCountryCode = UnicodeAttribute(null=True)
    consumerName = UnicodeAttribute(null=True)
    consumerAccount = UnicodeAttribute(null=True)
    consumerBic = UnicodeAttribute(null=True)
    bankName = UnicodeAttribute(null=True)
    bankAccount = UnicodeAttribute(null=True)
    bankBic = UnicodeAttribute(null=True)
    transferReference = UnicodeAttribute(null=True)


class ChargebackRecord(MapAttribute):
    """A chargeback Mollie reported for the attempt's payment: the shopper's bank took money back."""

    chargeback_id = UnicodeAttribute()
    amount_cents = NumberAttribute()
    currency = UnicodeAttribute()
    reason_code = UnicodeAttribute(default="")
    reason = UnicodeAttribute(default="")
    created_at = UTCDateTimeAttribute()  # Mollie's createdAt
    reversed_at = UTCDateTimeAttribute(null=True)  # Mollie's reversedAt: the money came back
    recorded_at = UTCDateTimeAttribute()
    # Staff dealt with it (contacted the shopper, shipped nothing): off "Needs attention".
    handled_at = UTCDateTimeAttribute(null=True)
    handled_by = UnicodeAttribute(null=True)


class Address(MapAttribute):
    """A delivery or billing address as the shopper entered it at checkout (shop.addresses), kept
    with the order: the parcel's label, the packing slip and Mollie's shippingAddress/billingAddress."""

    given_name = UnicodeAttribute()
    family_name = UnicodeAttribute(default="")
    street_and_number = UnicodeAttribute()
    postal_code = UnicodeAttribute()
    city = UnicodeAttribute()
    country = UnicodeAttribute()  # ISO 3166-1 alpha-2, one of the shipping zones' countries
    phone = UnicodeAttribute(null=True)  # E.164
    # The company ordering, when the shopper gave one: Mollie's billingAddress.organizationName,
    # which Billie (pay later for businesses) requires.
    organization_name = UnicodeAttribute(null=True)

    @property
    def full_name(self):
        return f"{self.given_name} {self.family_name}".strip()
