"""Shipments: what staff sent of an order, when, with which carrier and tracking number.

Access pattern: the shipments of an order (order page, staff detail, packing slip): Query
`shipments` on order_id (range: shipment_no, 1, 2, ... in the order they were sent). Written in
the transaction that raises the order's shipped quantities (payments.services.fulfilment).
"""

from pynamodb.attributes import (
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.models import Model

from config import dynamodb


class ShippedLine(MapAttribute):
    slug = UnicodeAttribute()
    name = UnicodeAttribute()
    quantity = NumberAttribute()


@dynamodb.table
class Shipment(Model):
    class Meta:
        table_name = "shipments"

    order_id = UnicodeAttribute(hash_key=True)
    shipment_no = NumberAttribute(range_key=True)
    carrier = UnicodeAttribute()  # a key of payments.services.fulfilment.CARRIERS
    tracking_number = UnicodeAttribute()
    tracking_url = UnicodeAttribute(default="")
    lines = ListAttribute(of=ShippedLine)
    created_by = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    # Pay later (payments/services/shipment_capture.py): the capture of this shipment's amount and
    # its status (Mollie's pending, succeeded, failed; None: nothing to capture). The shopper sees
    # the shipment, and gets its mail, once its capture succeeded.
    capture_id = UnicodeAttribute(null=True)
    capture_status = UnicodeAttribute(null=True)

    @property
    def is_done(self):
        return self.capture_status in (None, "succeeded")

    @property
    def capture_failed(self):
        return self.capture_status == "failed"
