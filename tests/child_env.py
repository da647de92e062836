"""The environment a test gives a child process (runserver, a settings import, the sandbox)."""

import os


def child_environment(*, without=(), **overrides):
    """This process's environment less the variables in `without`, with `overrides` set."""
    environment = {name: value for name, value in os.environ.items() if name not in without}
    environment.update(overrides)
    return environment
