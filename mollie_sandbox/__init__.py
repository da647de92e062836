"""A local stand-in for Mollie's Payments API v2, for development and tests.

It answers like ``https://api.mollie.com/v2`` on loopback so that the real
``mollie-api-python`` client works unchanged, shows a hosted checkout page on
which a person picks the outcome of a payment, calls webhooks the way Mollie
does (with its retry schedule) and can inject faults on request.

This package is a development tool: it never imports the shop and is never
shipped with it.  Start it with ``mollie-sandbox`` (``python -m mollie_sandbox``) or in-process with
:class:`mollie_sandbox.server.SandboxServer`.
"""

__version__ = "1.3.0"  # up with every change of behaviour; see CHANGELOG.md
