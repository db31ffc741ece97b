"""Template context shared by every page."""

from django.conf import settings
from django.http import HttpRequest


def brand(request: HttpRequest) -> dict[str, object]:
    """The region's names: another region deploys the same templates under its own brand."""
    return {
        "PORTAL_NAME": settings.PORTAL_NAME,
        "PRINTER_NAME": settings.PRINTER_NAME,
        "PORTAL_OPERATOR": settings.PORTAL_OPERATOR,
        "PORTAL_CONTACT_EMAIL": settings.PORTAL_CONTACT_EMAIL,
        "DEV_OUTBOX": settings.DEV_OUTBOX,
        "SESSION_IDLE_SECONDS": settings.PORTAL_IDLE_MINUTES * 60,
    }
