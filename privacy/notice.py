"""What the privacy page tells shoppers, from the settings the retention run uses (one source)."""

from django.conf import settings


def retention_notice() -> dict:
    days = settings.PERSONAL_DATA_RETENTION_DAYS
    return {
        "personal_days": days,
        "personal_period": f"{days // 365} years" if days % 365 == 0 and days >= 730 else f"{days} days",
        "accounting_years": settings.ACCOUNTING_RETENTION_YEARS,
        "chargeback_days": settings.CHARGEBACK_LOOKBACK_DAYS,
    }
