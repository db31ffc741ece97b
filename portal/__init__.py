"""Project package of the portal and app of the patient accounts."""

from portal.celery import app as celery_app

__all__ = ["celery_app"]
