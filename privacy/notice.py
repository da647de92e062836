"""What the privacy page tells shoppers, from the settings the retention run uses (one source)."""

from django.conf import settings
from django.utils.translation import ngettext


def retention_notice() -> dict:
    days = settings.PERSONAL_DATA_RETENTION_DAYS
    return {
        "personal_days": days,
        "personal_period": (
            ngettext("%(count)s year", "%(count)s years", days // 365) % {"count": days // 365}
            if days % 365 == 0 and days >= 730
            else ngettext("%(count)s day", "%(count)s days", days) % {"count": days}
        ),
        "accounting_years": settings.ACCOUNTING_RETENTION_YEARS,
        "chargeback_days": settings.CHARGEBACK_LOOKBACK_DAYS,
    }
