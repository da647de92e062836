"""URLconf entries whose view module is imported on the first request to one of its views.

The first time Django resolves or reverses any URL it imports every URLconf, and with eager view
references every view module and all they use: a Lambda cold start serving the shop page
imported the staff area, the webhook and the checkout workflow (~20 ms CPU, `make bench-deploy`).

Django's middleware reads one flag from the view it is given rather than the one it runs:
`csrf_exempt`. A URLconf marks such a view `csrf_exempt(lazy_view(...))`; tests/config/
test_lazy_views.py checks that each entry's flags are the view's own.
"""

from functools import cache
from importlib import import_module


def lazy_view(dotted_path):
    """A view function standing for `dotted_path` ("shop.views.catalog.index"), importing it on first call."""
    module_name, _, name = dotted_path.rpartition(".")

    @cache
    def load():
        return getattr(import_module(module_name), name)

    def view(request, *args, **kwargs):
        return load()(request, *args, **kwargs)

    # What Django shows of a view (ResolverMatch._func_path, URLPattern.lookup_str): the real one's.
    view.__module__, view.__name__, view.__qualname__ = module_name, name, name
    view.load = load  # type: ignore[attr-defined]
    return view
