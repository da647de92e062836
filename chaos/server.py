"""The shop's web server for chaos and bench runs: `python -m chaos.server 127.0.0.1:PORT`.

It is `manage.py runserver --noreload` (threaded, our runserver command: it creates the tables
and seeds the catalog on the endpoints it is given) plus two dev-only switches read from the
environment, so that nothing of this reaches production code paths:

- DYNAMODB_FAULT_THROTTLE_RATE (and DYNAMODB_FAULT_SEED): DynamoDB throttling, injected by
  devstack.dynamodb_faults from the first request on (start-up itself is not throttled); each
  503 then says which injected fault explains it (chaos/middleware.py).
- ROOT_URLCONF: another urlconf, e.g. `bench.urls` with its trivial view.
"""

import os
import sys


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    addrport = argv[0] if argv else "127.0.0.1:8000"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
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
    call_command("runserver", addrport, use_reloader=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
