"""The development outbox: the emails and SMS caught instead of sent, for the dev page."""

from notifications.models import DevMessage

DEV_OUTBOX_SIZE = 100


def dev_outbox_messages() -> list[DevMessage]:
    """What the development outbox page shows: the latest messages caught, newest first."""
    return list(DevMessage.objects.order_by("-created_at", "-pk")[:DEV_OUTBOX_SIZE])
