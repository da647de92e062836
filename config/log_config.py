"""The logging configuration (Django's LOGGING setting), apart from config/settings.py for its size:
JSON lines in deployed stages (CloudWatch Logs Insights reads the fields), plain text locally."""


def logging_config(*, log_format: str, level: str) -> dict:
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "json": {"()": "config.json_log.JsonFormatter"},
            "text": {"format": "%(levelname)s %(name)s %(message)s"},
            "django.server": {
                "()": "django.utils.log.ServerFormatter",
                "format": "[{server_time}] {message}",
                "style": "{",
            },
        },
        # The order page's token is a bearer credential: out of every line (see config/request_log.py).
        "filters": {"redact_secrets": {"()": "config.request_log.RedactSecretsFilter"}},
        "handlers": {
            "console": {"class": "logging.StreamHandler", "formatter": log_format, "filters": ["redact_secrets"]},
            # runserver's access log (`make run`): Django's own look, with the request line redacted.
            "django.server": {
                "class": "logging.StreamHandler",
                "formatter": "django.server",
                "filters": ["redact_secrets"],
            },
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            # Django's lines carry the raw path ("Not Found: /orders/…") and the request. A logger's
            # filter does not see its children's records, so CSRF's own logger is named too.
            "django.request": {"filters": ["redact_secrets"]},
            "django.security": {"filters": ["redact_secrets"]},
            "django.security.csrf": {"filters": ["redact_secrets"]},
            "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
            "botocore": {"level": "WARNING"},
            "pynamodb": {"level": "WARNING"},
            "werkzeug": {"level": "WARNING"},
            # Zappa's own access line repeats ours, unredacted and with the query string.
            "zappa": {"level": "WARNING"},
        },
    }
