"""Template helpers of the outbox."""

from django import template

from notifications import services
from notifications.models import Notification

register = template.Library()


@register.filter
def failure_reason(notification: Notification) -> str:
    """Why a notification failed, in French; empty when it did not."""
    return services.reason(notification)
