import re

import pytest

from payments.models import Order


@pytest.fixture
def shopper(client, catalog, sandbox):
    return Shopper(client, sandbox)


class Shopper:
    """Drives the shop as a person would, through the Django test client."""

    def __init__(self, client, sandbox):
        self.client = client
        self.sandbox = sandbox

    def add(self, slug, quantity=1):
        return self.client.post("/cart/add/", {"slug": slug, "quantity": quantity})

    def checkout(self, name="Ada Lovelace", email="ada@example.com", checkout_id=None):
        page = self.client.get("/checkout/")
        checkout_id = checkout_id or re.search(r'name="checkout_id" value="([0-9a-f]{32})"', page.content.decode()).group(1)
        return self.client.post("/checkout/", {"name": name, "email": email, "checkout_id": checkout_id})

    def buy(self, slug="espresso-cup", quantity=1, **details):
        self.add(slug, quantity)
        response = self.checkout(**details)
        assert response.status_code == 303, response.content[:500]
        return response

    def last_order(self):
        return Order.get(self.client.session["last_order_id"], consistent_read=True)

    def pay_at_mollie(self, status, order=None):
        """The shopper picks an outcome on the sandbox's checkout page."""
        order = order or self.last_order()
        self.sandbox.set_status(order.latest_mollie_payment_id, status)
        return order.latest_mollie_payment_id

    def webhook(self, payment_id):
        return self.client.post("/payments/webhook/", {"id": payment_id})

    def order_page(self, order=None):
        order = order or self.last_order()
        return self.client.get(f"/orders/{order.order_id}/{order.public_token}/")

    def status(self, order=None):
        order = order or self.last_order()
        return self.client.get(f"/orders/{order.order_id}/{order.public_token}/status.json").json()
