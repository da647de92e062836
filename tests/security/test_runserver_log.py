"""`make run` serves the shop with Django's development server, whose access log prints every
request line. The order page's token is a bearer credential: that line must not carry it."""

import io
import logging
import threading

import pytest
import requests
from django.core.handlers.wsgi import WSGIHandler
from django.core.servers.basehttp import WSGIRequestHandler, WSGIServer


@pytest.fixture
def access_log():
    """What runserver's access log handler prints, as configured by settings.LOGGING."""
    from django.utils.log import ServerFormatter

    # Django's own handler, not the ones pytest adds to capture logs.
    [handler] = [
        handler
        for handler in logging.getLogger("django.server").handlers
        if isinstance(handler.formatter, ServerFormatter)
    ]
    printed = io.StringIO()
    previous = handler.setStream(printed)
    yield printed
    handler.setStream(previous)


class DevServer:
    """Django's development server (the one runserver starts), on loopback, in a thread."""

    def __init__(self):
        self.server = WSGIServer(("127.0.0.1", 0), WSGIRequestHandler)
        self.server.set_app(WSGIHandler())
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
        self.thread.start()

    def stop(self):
        # The access line is written after the answer was sent: only a stopped server has written them all.
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)


@pytest.fixture
def dev_server():
    server = DevServer()
    yield server
    server.stop()


def test_the_development_servers_access_log_redacts_order_tokens(shopper, dev_server, access_log):
    shopper.buy()
    order = shopper.last_order()
    order_page = f"/en/orders/{order.order_id}/{order.public_token}/"

    answers = [
        requests.get(dev_server.url + path, timeout=30)
        for path in (order_page, order_page + "status.json", order_page + "no-such-page", "/")
    ]
    dev_server.stop()

    assert [answer.status_code for answer in answers] == [200, 200, 404, 200]
    printed = access_log.getvalue()
    assert f"GET /en/orders/{order.order_id}/[redacted]/ HTTP/1.1" in printed
    assert f"GET /en/orders/{order.order_id}/[redacted]/status.json HTTP/1.1" in printed
    assert "GET / HTTP/1.1" in printed
    assert order.public_token not in printed
