"""Shopper pages, one module per what they serve: catalog, cart, checkout, orders. This package
imports none of them: each is imported on its first request (config/lazy_views.py)."""
