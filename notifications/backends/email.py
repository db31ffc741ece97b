"""An email backend that keeps every message in the dev outbox instead of sending it."""

from collections.abc import Sequence

from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.core.mail.backends.base import BaseEmailBackend

from notifications.models import DevMessage


class OutboxEmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        captured = []
        for message in email_messages:
            html = ""
            if isinstance(message, EmailMultiAlternatives):
                html = next(
                    (
                        str(alt.content)
                        for alt in message.alternatives
                        if alt.mimetype == "text/html"
                    ),
                    "",
                )
            captured.extend(
                DevMessage(
                    channel=DevMessage.Channel.EMAIL,
                    recipient=recipient,
                    subject=str(message.subject),
                    body=str(message.body),
                    html_body=html,
                )
                for recipient in message.recipients()
            )
        DevMessage.objects.bulk_create(captured)
        return len(email_messages)
