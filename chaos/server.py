"""The shop's web server for chaos and bench runs: `python -m chaos.server 127.0.0.1:PORT`.

It is `manage.py runserver --noreload` (threaded, our runserver command: it creates the tables
and seeds the catalog on the endpoints it is given) plus two dev-only switches read from the
environment, so that nothing of this reaches production code paths:

- DYNAMODB_FAULT_THROTTLE_RATE (and DYNAMODB_FAULT_SEED): DynamoDB throttling, injected by
  devstack.dynamodb_faults from the first request on (start-up itself is not throttled); each
  503 then says which injected fault explains it (chaos/middleware.py).
- ROOT_URLCONF: another urlconf, e.g. `bench.urls` with its trivial view.
- SHOP_SERVER_WORKERS: how many requests one process serves at once (default 16).

runserver starts a thread per connection, so under a thousand shoppers one process ran a
thousand requests at once, each getting a thousandth of a core: every request then took tens of
seconds and ran out of its deadline. A Lambda container serves one request at a time and API
Gateway starts more containers rather than sharing one. Here a process serves at most
SHOP_SERVER_WORKERS requests at once and the others wait for a worker (accepted, so never
dropped); a request's deadline starts when a worker takes it, as a Lambda invocation's does.
"""

import os
import sys
from concurrent.futures import ThreadPoolExecutor

DEFAULT_WORKERS = 16


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    addrport = argv[0] if argv else "127.0.0.1:8000"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command, get_commands, load_command_class
    from django.core.signals import request_started

    if os.environ.get("ROOT_URLCONF"):
        settings.ROOT_URLCONF = os.environ["ROOT_URLCONF"]
    if os.environ.get("DYNAMODB_FAULT_THROTTLE_RATE"):
        from devstack import dynamodb_faults

        # Every 503 says which injected fault, if any, explains it (chaos/middleware.py).
        dynamodb_faults.track_faults_met()
        from chaos.middleware import watch_mollie_faults

        watch_mollie_faults()
        settings.MIDDLEWARE = [
            "chaos.middleware.InjectedFaultCauseMiddleware",
            *settings.MIDDLEWARE,
            "chaos.middleware.ExceptionChainMiddleware",
        ]
        injector = dynamodb_faults.activate_from_env()
        if injector is not None:
            injector.armed = False

            def arm(**kwargs):
                injector.armed = True

            request_started.connect(arm, weak=False)
    # runserver accepts 10 waiting connections; past that the kernel drops new ones and clients
    # try again after 1 s, 3 s, …: a thousand shoppers at once would measure that, which API
    # Gateway in front of Lambda does not have.
    from django.core.servers import basehttp

    basehttp.WSGIServer.request_queue_size = 1024
    # Several processes may serve the port (chaos/stack.py): the kernel shares the connections.
    basehttp.WSGIServer.allow_reuse_port = True
    command = load_command_class(get_commands()["runserver"], "runserver")
    command.server_cls = pooled_server_class(int(os.environ.get("SHOP_SERVER_WORKERS") or DEFAULT_WORKERS))
    call_command(command, addrport, use_reloader=False, use_threading=False)
    return 0


def pooled_server_class(workers):
    """Django's WSGIServer serving each connection on one of `workers` threads. Not a
    ThreadingMixIn, so Django's handler answers `Connection: close`: an idle keep-alive
    connection never holds a worker."""
    from django.core.servers import basehttp

    class PooledWSGIServer(basehttp.WSGIServer):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="worker")

        def process_request(self, request, client_address):
            self._pool.submit(self._serve, request, client_address)

        def _serve(self, request, client_address):
            # What socketserver.ThreadingMixIn.process_request_thread does, on a pooled thread.
            try:
                self.finish_request(request, client_address)
            except Exception:  # noqa: BLE001 (socketserver reports any error of a request, and serves on)
                self.handle_error(request, client_address)
            finally:
                self.shutdown_request(request)

        def server_close(self):
            super().server_close()
            self._pool.shutdown(wait=False, cancel_futures=True)

    return PooledWSGIServer


if __name__ == "__main__":
    sys.exit(main())
