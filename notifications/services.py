"""Sending emails and SMS. The transactional outbox comes with the notifications issue."""

from django.conf import settings
from django.utils.module_loading import import_string

from notifications.backends.sms import BaseSmsBackend


def get_sms_backend() -> BaseSmsBackend:
    backend_class = import_string(settings.SMS_BACKEND)
    return backend_class()


def send_sms(*, to: str, body: str) -> str:
    """Send one SMS now through the configured backend; return the provider's message id."""
    return get_sms_backend().send(to=to, body=body)
