"""The sandbox's conformance suite: Mollie's two Python clients against the sandbox (or real Mollie),
every answer checked against Mollie's OpenAPI description. Run with ``make conformance``."""
