"""Staff pages under /staff/, in the manner of the Django admin, one module per what they serve:
dashboard, orders, order_actions, exports, articles, accounts. Thin: each view parses a form, calls
one service or selector, and renders or redirects with a message; what an action may do is decided
by the workflow (payments.services), never here. This package imports none of them: each is
imported on its first request (config/lazy_views.py).
"""
