"""Settings for every stage, read once from the environment.

Local runs need nothing set: `python manage.py runserver` starts an embedded DynamoDB (moto) and
the Mollie sandbox. A deployed stage (STAGE other than "local") differs by environment variables
only; what it must provide (secrets, public URL, hosts) fails loudly when missing.
"""

import re
import secrets
from pathlib import Path
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

from config import languages
from config.app_secret import load_app_secret
from config.csp import inline_style_hashes as csp_inline_style_hashes
from config.csp import is_picture_origin as csp_is_picture_origin
from config.environment import env, env_bool, env_int, env_list
from config.log_config import logging_config

BASE_DIR = Path(__file__).resolve().parent.parent


def _local_secret_key(path):
    # Kept in a git-ignored file so signed-cookie sessions survive a restart of `make run`.
    path.parent.mkdir(exist_ok=True)
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
    return path.read_text().strip()


STAGE = env("STAGE", "local")
IS_LOCAL = STAGE == "local"
DEBUG = env_bool("DJANGO_DEBUG", IS_LOCAL)

# Deployed stages keep SECRET_KEY and the Mollie API key in one Secrets Manager secret (a JSON
# object); it is read once per cold start. Locally, both may come from the environment.
APP_SECRET_NAME = env("APP_SECRET_NAME")
_app_secret = load_app_secret(APP_SECRET_NAME) if APP_SECRET_NAME else {}

SECRET_KEY = _app_secret.get("SECRET_KEY") or env("DJANGO_SECRET_KEY")
if not SECRET_KEY:
    if not (DEBUG and IS_LOCAL):
        raise ImproperlyConfigured(
            "SECRET_KEY is missing: set APP_SECRET_NAME (Secrets Manager) or DJANGO_SECRET_KEY. "
            "A generated key is only used for local DEBUG runs."
        )
    SECRET_KEY = _local_secret_key(BASE_DIR / ".local" / "secret_key")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"] if IS_LOCAL else [])

# Absolute URL the outside world reaches us at. Mollie's webhookUrl and redirectUrl are built
# from it, never from the request's Host header.
PUBLIC_BASE_URL = env("PUBLIC_BASE_URL", "http://127.0.0.1:8000" if IS_LOCAL else None)
if not PUBLIC_BASE_URL:
    raise ImproperlyConfigured("PUBLIC_BASE_URL is missing (e.g. https://shop.example.com).")
PUBLIC_BASE_URL = PUBLIC_BASE_URL.rstrip("/")

# --- Deployed stages: public URL ---------------------------------------------------------------
# API Gateway's own URL carries the stage as a path (https://<id>.execute-api.<region>.amazonaws.com/dev).
# Django needs that prefix as its script name, also outside a request (scheduled reconciliation),
# while absolute URLs are built as PUBLIC_BASE_URL + reverse(...); so PUBLIC_BASE_URL keeps the origin.
_public_url = urlsplit(PUBLIC_BASE_URL)
if not IS_LOCAL and (_public_url.scheme != "https" or not _public_url.hostname):
    raise ImproperlyConfigured(f"PUBLIC_BASE_URL must be an https:// URL in stage {STAGE!r}.")
FORCE_SCRIPT_NAME = _public_url.path or None
PUBLIC_BASE_URL = f"{_public_url.scheme}://{_public_url.netloc}"
if not IS_LOCAL and not ALLOWED_HOSTS:
    ALLOWED_HOSTS = [_public_url.hostname]

INSTALLED_APPS = [
    # shop first: its runserver (which embeds the local stack) wins over staticfiles' one.
    "shop",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "csp",
    "payments",
    "staff",
    "notifications",
    "privacy",
]

MIDDLEWARE = [
    "config.request_log.RequestLogMiddleware",  # first, so its latency covers everything below
    "config.client_address.LambdaSourceAddressMiddleware",  # REMOTE_ADDR before anything reads it
    "config.deadline.RequestDeadlineMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "config.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "staff.sessions.StaffSessionMiddleware",
    "config.locale.ShopLocaleMiddleware",  # after the session, before CommonMiddleware (Django's order)
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "config.busy.StorageUnavailableMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.messages.context_processors.messages",
                "shop.context_processors.cart_summary",
            ],
        },
    },
]

# No relational database: everything lives in DynamoDB through PynamoDB.
DATABASES: dict[str, dict] = {}
# Shoppers' session: the cart only (never personal data), in a signed cookie. Staff logins have
# a server-side session of their own in DynamoDB (staff/sessions.py), so they can be ended.
SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 60 * 60 * 24 * 7
MESSAGE_STORAGE = "django.contrib.messages.storage.cookie.CookieStorage"

# The shop in English, Dutch, German and French; catalogs; the switcher's cookie (config/languages.py).
LANGUAGE_CODE, LANGUAGES, LOCALE_PATHS = languages.LANGUAGE_CODE, languages.LANGUAGES, languages.LOCALE_PATHS
LANGUAGE_COOKIE_AGE, LANGUAGE_COOKIE_HTTPONLY, LANGUAGE_COOKIE_SAMESITE = languages.COOKIE.values()
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"

# DynamoDB: no endpoint means AWS itself (deployed) or, for local runserver, the embedded stack.
DYNAMODB_ENDPOINT_URL = env("DYNAMODB_ENDPOINT_URL")
AWS_REGION = env("AWS_REGION", env("AWS_DEFAULT_REGION", "eu-west-1"))
DYNAMODB_TABLE_PREFIX = env("DYNAMODB_TABLE_PREFIX", f"shop-{STAGE}-")

# Embedded local stack (moto server for DynamoDB, S3 and Secrets Manager), local stage only.
LOCAL_STACK_PORT = env_int("LOCAL_STACK_PORT", 0)
LOCAL_STACK_STATE_FILE = Path(env("LOCAL_STACK_STATE_FILE", BASE_DIR / ".local" / "dynamodb.json"))

# Mollie. No endpoint means api.mollie.com, unless runserver starts the local sandbox.
MOLLIE_API_KEY = _app_secret.get("MOLLIE_API_KEY") or env("MOLLIE_API_KEY", "")
MOLLIE_API_ENDPOINT = env("MOLLIE_API_ENDPOINT", "")
MOLLIE_SANDBOX_PORT = env_int("MOLLIE_SANDBOX_PORT", 0)
# Read timeout; a request's deadline cuts it further (config/deadline.py, payments/mollie.py).
MOLLIE_TIMEOUT_SECONDS = float(env("MOLLIE_TIMEOUT_SECONDS", "8"))
MOLLIE_CONNECT_TIMEOUT_SECONDS = float(env("MOLLIE_CONNECT_TIMEOUT_SECONDS", "2"))
# Where Mollie sends webhooks, when PUBLIC_BASE_URL is not reachable from the internet (a tunnel
# to a local shop). Unset: PUBLIC_BASE_URL when public; none for a loopback or private address,
# which Mollie refuses with 422 (the status pull and reconciliation then learn the outcome).
MOLLIE_WEBHOOK_BASE_URL = env("MOLLIE_WEBHOOK_BASE_URL", "").rstrip("/")
# Mollie refuses payments above €50,000.00 for the usual methods (docs.mollie.com, "Methods API":
# maximumAmount per method); a cart above it is refused before any stock is reserved.
MOLLIE_MAX_AMOUNT_CENTS = env_int("MOLLIE_MAX_AMOUNT_CENTS", 50_000_00)

# DynamoDB: one try takes at most connect + read timeout, so a write is started only with that
# much time left (config/deadline.py). DynamoDB answers in milliseconds; only an overloaded local
# double needs more (chaos runs raise the read timeout).
DYNAMODB_CONNECT_TIMEOUT_SECONDS = float(env("DYNAMODB_CONNECT_TIMEOUT_SECONDS", "1"))
DYNAMODB_READ_TIMEOUT_SECONDS = float(env("DYNAMODB_READ_TIMEOUT_SECONDS", "3"))

# Time limits. API Gateway answers 504 after 29 s while Lambda runs on; a request uses at most
# this budget (less if Lambda's context says less is left), which leaves room for a cold start,
# rendering and the network. Scheduled runs use Lambda's remaining time less the margin.
REQUEST_TIME_BUDGET_SECONDS = float(env("REQUEST_TIME_BUDGET_SECONDS", "20"))
LAMBDA_TIME_MARGIN_SECONDS = float(env("LAMBDA_TIME_MARGIN_SECONDS", "2"))
# Mollie waits 15 s for a webhook's answer, then counts it as failed and calls again later
# (docs.mollie.com, "Webhooks"). The webhook answers within this, 503 if it could not finish,
# leaving room for a cold start and the network.
WEBHOOK_TIME_BUDGET_SECONDS = float(env("WEBHOOK_TIME_BUDGET_SECONDS", "13"))

# Reconciliation works on this many orders at once: each mostly waits for Mollie and DynamoDB,
# so a run on Lambda's 30 s gets through a backlog (after a webhook outage) several times faster.
RECONCILE_WORKERS = env_int("RECONCILE_WORKERS", 4)

# Payment workflow timings (seconds).
ORDER_PAYMENT_WINDOW_SECONDS = env_int("ORDER_PAYMENT_WINDOW_SECONDS", 2 * 60 * 60)
PAYMENT_STALE_AFTER_SECONDS = env_int("PAYMENT_STALE_AFTER_SECONDS", 15 * 60)
# What one visitor can hold by bank transfer (docs/payments.md, "What one visitor can hold"). A
# transfer keeps its order's stock off sale until it is paid or its dueDate passes (Mollie's default
# is 12 days): we send a dueDate this many days ahead (Mollie: from tomorrow up to 100 days).
BANK_TRANSFER_DUE_DAYS = max(1, min(env_int("BANK_TRANSFER_DUE_DAYS", 3), 100))
# Orders that may be paid by transfer while waiting, per e-mail address and per client address
# (several shoppers may share one address: an office, a mobile network); past it, not offered.
BANK_TRANSFER_MAX_OPEN_PER_EMAIL = env_int("BANK_TRANSFER_MAX_OPEN_PER_EMAIL", 1)
BANK_TRANSFER_MAX_OPEN_PER_ADDRESS = env_int("BANK_TRANSFER_MAX_OPEN_PER_ADDRESS", 3)
# One order paid by transfer holds at most this share (percent) of an article's stock: the last
# units of an article are for those who pay at once.
BANK_TRANSFER_MAX_STOCK_PERCENT = env_int("BANK_TRANSFER_MAX_STOCK_PERCENT", 50)
# A payment pending or authorized at Mollie this long is stuck: staff get one alert per order.
PAYMENT_STUCK_AFTER_SECONDS = env_int("PAYMENT_STUCK_AFTER_SECONDS", 24 * 60 * 60)
# Pay later (docs/pay-later.md): staff warned this many days before captureBefore; cards captured on shipping too.
CAPTURE_WARNING_DAYS = env_int("CAPTURE_WARNING_DAYS", 7)
# ...but never earlier than this share (percent) of the authorization's own length before its end:
# a card held 7 days is not "near its deadline" the moment it is authorized.
CAPTURE_WARNING_PERCENT = max(1, min(env_int("CAPTURE_WARNING_PERCENT", 50), 100))
CARD_CAPTURE_ON_SHIPMENT = env_bool("CARD_CAPTURE_ON_SHIPMENT", False)
STATUS_PULL_INTERVAL_SECONDS = env_int("STATUS_PULL_INTERVAL_SECONDS", 10)
# The shop page's in-process copy of the catalog is at most this old (shop/selectors.py); 0 = none.
CATALOG_CACHE_SECONDS = env_int("CATALOG_CACHE_SECONDS", 5)
# How far back reconciliation reads Mollie's chargeback list for those a lost webhook did not
# report. Card schemes allow disputes up to 120 days after the payment (SEPA direct debits: 8
# weeks), so 120 covers every method the shop offers; a longer list costs more pages per run.
CHARGEBACK_LOOKBACK_DAYS = env_int("CHARGEBACK_LOOKBACK_DAYS", 120)

# Personal data (privacy.policy): a closed order's names, e-mail, addresses and payment details are
# anonymised this many days after it closed. Two years: the EU's minimum legal guarantee (Directive
# 2019/771, art. 10) runs two years from delivery, and the shop needs to know whom it sold to
# while a claim can come. The accounting record (amounts, VAT, lines) is deleted this many years
# after the end of the order's year: seven in the Netherlands (art. 52 AWR; BE 7, DE 8-10, FR 10:
# raise it there). An order counts as closed only after its chargeback window, which is
# CHARGEBACK_LOOKBACK_DAYS (card schemes: up to 120 days) from its last payment or shipment.
PERSONAL_DATA_RETENTION_DAYS = env_int("PERSONAL_DATA_RETENTION_DAYS", 730)
ACCOUNTING_RETENTION_YEARS = env_int("ACCOUNTING_RETENTION_YEARS", 7)

# E-mail (notifications/): sent through Amazon SES v2 by django-anymail's backend. SES only sends
# from a verified identity, so deployed stages must name their from-address.
SHOP_NAME = env("SHOP_NAME", "Brew & Co.")
# The shop's legal details, on the contact page and in the footer (EU law: who sells, and how to
# reach them). Local runs show examples; a deployed stage refuses to start without them (below).
_LEGAL_EXAMPLES = {  # env name: local example
    "SHOP_LEGAL_NAME": "Brew & Co. B.V. (example)",
    "SHOP_LEGAL_ADDRESS": "Keizersgracht 1, 1015 AA Amsterdam, Netherlands",
    "SHOP_CONTACT_EMAIL": "hello@shop.example.com",
    "SHOP_COC_NUMBER": "12345678",  # Chamber of Commerce (KvK)
    "SHOP_VAT_NUMBER": "NL000099998B57",
}
SHOP_LEGAL = {name: env(name, example if IS_LOCAL else None) for name, example in _LEGAL_EXAMPLES.items()}
SHOP_PHONE = env("SHOP_PHONE", "")
# VAT of an article or zone stored without a rate (Mollie's vatRate form), and the country the
# cart's shipping cost is shown for until the shopper chooses one (shop.shipping).
SHOP_DEFAULT_VAT_RATE = env("SHOP_DEFAULT_VAT_RATE", "21.00")
if not re.fullmatch(r"\d{1,2}(\.\d{1,2})?", SHOP_DEFAULT_VAT_RATE):
    raise ImproperlyConfigured(f"SHOP_DEFAULT_VAT_RATE must be a rate like 21.00, not {SHOP_DEFAULT_VAT_RATE!r}.")
SHOP_DEFAULT_COUNTRY = env("SHOP_DEFAULT_COUNTRY", "NL")
SHIPPING_ZONES_CACHE_SECONDS = env_int("SHIPPING_ZONES_CACHE_SECONDS", 60)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", f"{SHOP_NAME} <orders@shop.example.com>" if IS_LOCAL else None)
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_BACKEND = env("EMAIL_BACKEND", "anymail.backends.amazon_ses.EmailBackend")
SES_REGION = env("SES_REGION", AWS_REGION)
# Unset = SES itself; locally runserver points it at its moto server, which keeps every mail for
# the local mailbox (devstack/mailbox.py).
SES_ENDPOINT_URL = env("SES_ENDPOINT_URL")
# Where staff alerts go; none set = no alerts are decided (comma-separated addresses).
STAFF_ALERT_EMAILS = env_list("STAFF_ALERT_EMAILS", ["staff@shop.example.com"] if IS_LOCAL else [])
# The SNS topic SES publishes bounces and complaints to (notifications/bounces.py); it delivers
# them to /notifications/ses/. Unset: every message there is refused.
SES_NOTIFICATIONS_TOPIC_ARN = env("SES_NOTIFICATIONS_TOPIC_ARN", "")
# A mail is given up (status failed, shown to staff) after this many failed sends.
MAIL_MAX_TRIES = env_int("MAIL_MAX_TRIES", 5)
# A claim older than this is taken to be a sender that died; longer than any one send can take.
MAIL_CLAIM_STALE_SECONDS = env_int("MAIL_CLAIM_STALE_SECONDS", 10 * 60)

# Metrics as CloudWatch Embedded Metric Format lines on stdout (config/metrics.py): on in deployed
# stages, off locally unless asked for (they would crowd `make run`'s console).
METRICS_ENABLED = env_bool("METRICS_ENABLED", not IS_LOCAL)
METRICS_NAMESPACE = env("METRICS_NAMESPACE", "Shop")

# Alarms (`manage.py sync_alarms --stage S`, deploy/alarms.py): thresholds, per 5 minutes unless
# said otherwise. Each alarm's description links its entry in the runbook at RUNBOOK_URL.
RUNBOOK_URL = env("RUNBOOK_URL", "docs/runbook.md")
ALARM_LAMBDA_ERRORS = env_int("ALARM_LAMBDA_ERRORS", 1)
ALARM_LAMBDA_THROTTLES = env_int("ALARM_LAMBDA_THROTTLES", 1)
ALARM_DURATION_PERCENT_OF_TIMEOUT = env_int("ALARM_DURATION_PERCENT_OF_TIMEOUT", 80)
ALARM_API_5XX = env_int("ALARM_API_5XX", 5)
ALARM_WEBHOOK_503 = env_int("ALARM_WEBHOOK_503", 3)
# Reconciliation errors or work left over this many runs in a row; or this many runs missing.
ALARM_RECONCILE_RUNS_IN_A_ROW = env_int("ALARM_RECONCILE_RUNS_IN_A_ROW", 3)
ALARM_PAYMENTS_STUCK = env_int("ALARM_PAYMENTS_STUCK", 1)  # per hour
ALARM_MAILS_FAILED = env_int("ALARM_MAILS_FAILED", 1)  # per hour
# Bounces and complaints as a share of mails sent, per hour. SES reviews an account whose bounce
# rate reaches 5% (complaints: 0.1%) and may pause its sending at 10% (SES developer guide,
# "Sending review process").
ALARM_BOUNCE_RATE_PERCENT = env_int("ALARM_BOUNCE_RATE_PERCENT", 5)
ALARM_DYNAMODB_THROTTLES = env_int("ALARM_DYNAMODB_THROTTLES", 1)
# Pay later (docs/pay-later.md): this many authorizations near (capture_deadline.warning_window) their
# captureBefore at a reconciliation run (each also mailed staff once); lapsed ones, per hour.
ALARM_CAPTURE_DEADLINES_NEAR = env_int("ALARM_CAPTURE_DEADLINES_NEAR", 1)
ALARM_AUTHORIZATIONS_LAPSED = env_int("ALARM_AUTHORIZATIONS_LAPSED", 1)
# No paid order for this many hours where the shop expects orders; 0 = no such alarm.
ALARM_NO_PAID_ORDER_HOURS = env_int("ALARM_NO_PAID_ORDER_HOURS", 24)

# JSON lines in deployed stages (CloudWatch Logs Insights reads the fields), plain text locally.
LOG_FORMAT = env("LOG_FORMAT", "text" if IS_LOCAL else "json")
# Staff area (staff/): login throttling, list size, password rules.
STAFF_LOGIN_MAX_FAILURES = env_int("STAFF_LOGIN_MAX_FAILURES", 5)
# Several staff may share one office address, so the per-address limit is higher.
STAFF_LOGIN_MAX_FAILURES_PER_ADDRESS = env_int("STAFF_LOGIN_MAX_FAILURES_PER_ADDRESS", 20)
STAFF_LOGIN_WINDOW_SECONDS = env_int("STAFF_LOGIN_WINDOW_SECONDS", 15 * 60)
STAFF_LOGIN_LOCKOUT_SECONDS = env_int("STAFF_LOGIN_LOCKOUT_SECONDS", 15 * 60)
STAFF_ORDERS_PER_PAGE = env_int("STAFF_ORDERS_PER_PAGE", 25)
# CSV exports of at most this many orders stream straight to the browser (API Gateway buffers a
# response and caps it at 6 MB: about 20,000 lines); larger ones are written to S3 in the
# background, under EXPORT_PREFIX of the stage's bucket, and fetched with a link valid this long.
EXPORT_DIRECT_MAX_ORDERS = env_int("EXPORT_DIRECT_MAX_ORDERS", 5000)
EXPORT_BUCKET = env("EXPORT_BUCKET", "local-exports")
EXPORT_PREFIX = "private/exports/"
EXPORT_LINK_SECONDS = env_int("EXPORT_LINK_SECONDS", 5 * 60)
# A background step uploads whole parts of this size (S3's smallest but the last: 5 MB; only a
# test against a lenient S3 double goes lower) and hands on to the next step after this long (the
# function's timeout is 30 s; a part takes a few seconds to read and upload).
EXPORT_PART_BYTES = env_int("EXPORT_PART_BYTES", 5 * 1024 * 1024)
EXPORT_STEP_SECONDS = env_int("EXPORT_STEP_SECONDS", 15)
# A staff login lasts a working day at most; logging out ends it at once.
STAFF_SESSION_SECONDS = env_int("STAFF_SESSION_SECONDS", 10 * 60 * 60)
AUTH_PASSWORD_VALIDATORS: list[dict] = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("username", "display_name")},
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGGING = logging_config(log_format=LOG_FORMAT, level=env("LOG_LEVEL", "INFO"))

# --- Deployed stages: secrets, static files on S3, HTTPS only --------------------------------
if not IS_LOCAL:
    if not APP_SECRET_NAME:
        raise ImproperlyConfigured(
            f"APP_SECRET_NAME is missing: stage {STAGE!r} reads SECRET_KEY and MOLLIE_API_KEY from Secrets Manager."
        )
    _missing_secrets = [name for name in ("SECRET_KEY", "MOLLIE_API_KEY") if not _app_secret.get(name)]
    if _missing_secrets:
        raise ImproperlyConfigured(f"The app secret {APP_SECRET_NAME!r} lacks {', '.join(_missing_secrets)}.")

    STATIC_BUCKET = env("STATIC_BUCKET")
    if not STATIC_BUCKET:
        raise ImproperlyConfigured(f"STATIC_BUCKET is missing: stage {STAGE!r} serves static files from S3.")
    # Exports go under a private prefix of the same bucket (only `static/` is public).
    EXPORT_BUCKET = env("EXPORT_BUCKET", STATIC_BUCKET)
    if not DEFAULT_FROM_EMAIL:
        raise ImproperlyConfigured(f"DEFAULT_FROM_EMAIL is missing: stage {STAGE!r} sends mail from its SES identity.")
    _missing_legal = [name for name, value in SHOP_LEGAL.items() if not value]
    if _missing_legal:
        raise ImproperlyConfigured(
            f"{', '.join(_missing_legal)} missing: stage {STAGE!r} must show the shop's legal details (docs/shipping.md)."
        )
    # Where browsers fetch them: a CDN in front of the bucket, or the (public-read) bucket itself.
    _static_base_url = urlsplit(env("STATIC_BASE_URL", f"https://{STATIC_BUCKET}.s3.{AWS_REGION}.amazonaws.com"))
    STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {
            # Hashed file names (listed in the manifest collectstatic uploads) can be cached for good.
            "BACKEND": "config.static_storage.PublicManifestStaticStorage",
            "OPTIONS": {
                "bucket_name": STATIC_BUCKET,
                "location": env("STATIC_LOCATION", "static"),
                "region_name": AWS_REGION,
                "url_protocol": f"{_static_base_url.scheme}:",
                "custom_domain": _static_base_url.netloc + _static_base_url.path.rstrip("/"),
                "querystring_auth": False,
                "object_parameters": {"CacheControl": "public, max-age=31536000, immutable"},
            },
        },
    }

    # API Gateway only speaks HTTPS; Zappa sets wsgi.url_scheme to https for every API Gateway event
    # (zappa/handler.py, _create_lambda_wsgi_environ), whatever X-Forwarded-Proto says.
    SECURE_SSL_REDIRECT = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = LANGUAGE_COOKIE_SECURE = True
    CSRF_TRUSTED_ORIGINS = [PUBLIC_BASE_URL]
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 365 * 24 * 60 * 60)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)

# Article pictures by web address come only from these origins (e.g. "https://images.example.com",
# comma-separated): the article form accepts no other, and the policy below lets browsers load them.
ARTICLE_PICTURE_ORIGINS = env_list("ARTICLE_PICTURE_ORIGINS", [])
for _origin in ARTICLE_PICTURE_ORIGINS:
    if not csp_is_picture_origin(_origin):
        raise ImproperlyConfigured(
            f"ARTICLE_PICTURE_ORIGINS: {_origin!r} is not an https origin like https://img.example.com"
        )

# --- Content-Security-Policy (django-csp, config/csp.py) on every response ---------------------
# Scripts, styles and pictures come from us or our static files' origin, never inline; pages
# cannot be framed; forms post to us (and lead on to Mollie's checkout, added per response).
_static_origins = [] if IS_LOCAL else [f"{_static_base_url.scheme}://{_static_base_url.netloc}"]
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", *_static_origins],
        "style-src": ["'self'", *_static_origins, *csp_inline_style_hashes(BASE_DIR / "templates")],
        "img-src": ["'self'", *_static_origins],  # and ARTICLE_PICTURE_ORIGINS, added per response
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    },
}
