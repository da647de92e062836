"""Reading settings from the environment: an empty variable counts as unset, so a stage can
clear a setting back to its default."""

import os


def env(name, default=None):
    value = os.environ.get(name)
    return default if value is None or value == "" else value


def env_bool(name, default):
    value = env(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name, default):
    value = env(name)
    return default if value is None else int(value)


def env_list(name, default):
    value = env(name)
    return default if value is None else [item.strip() for item in value.split(",") if item.strip()]
