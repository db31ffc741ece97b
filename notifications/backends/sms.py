"""SMS backends, chosen by the ``SMS_BACKEND`` setting as Django chooses its email backend.

Each backend sends one text to one number in E.164 form and returns the provider's message id.
"""

import itertools
import sys
import threading
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from notifications.models import DevMessage


@dataclass(frozen=True)
class SentSms:
    to: str
    body: str
    provider_id: str


class SmsError(Exception):
    """The provider refused or failed.

    ``permanent``: trying again cannot help. ``ambiguous``: the request may have reached the
    provider (no answer came back), so it may have been sent: never resend it blindly.
    """

    def __init__(
        self, message: str, *, code: str, permanent: bool, ambiguous: bool = False
    ) -> None:
        super().__init__(message)
        self.code = code
        self.permanent = permanent
        self.ambiguous = ambiguous


class BaseSmsBackend:
    def send(self, *, to: str, body: str) -> str:
        raise NotImplementedError


class ConsoleBackend(BaseSmsBackend):
    """Prints the SMS: for a developer's terminal only, refused in production."""

    _ids = itertools.count(1)

    def send(self, *, to: str, body: str) -> str:
        provider_id = f"console-{next(self._ids)}"
        sys.stdout.write(f"SMS to {to} ({provider_id}):\n{body}\n")
        sys.stdout.flush()
        return provider_id


# Messages sent through the locmem backend, for tests to read, like django.core.mail.outbox.
outbox: list[SentSms] = []


class LocmemBackend(BaseSmsBackend):
    def send(self, *, to: str, body: str) -> str:
        provider_id = f"locmem-{len(outbox) + 1}"
        outbox.append(SentSms(to=to, body=body, provider_id=provider_id))
        return provider_id


class OutboxBackend(BaseSmsBackend):
    """Keeps the SMS in the dev outbox page, where a developer reads the codes."""

    def send(self, *, to: str, body: str) -> str:
        message = DevMessage.objects.create(channel=DevMessage.Channel.SMS, recipient=to, body=body)
        return f"outbox-{message.pk}"


# Twilio error codes that no retry will fix.
PERMANENT_TWILIO_CODES = {21211, 21408, 21610, 21612, 21614, 21606, 21659, 21660}


class TwilioBackend(BaseSmsBackend):
    """Sends through Twilio's Messages API with the official client and a 10 s timeout.

    One client per thread: the outbox worker sends from a pool of threads (portal/workers.py),
    and a twilio client keeps state of its own (its ``requests`` session, the last request and
    response). Each thread's session keeps its connection to Twilio open between messages, so a
    worker of N threads holds at most N kept-alive connections and makes no TLS handshake per SMS.
    """

    def __init__(self) -> None:
        if not (settings.TWILIO_ACCOUNT_SID and settings.TWILIO_AUTH_TOKEN):
            raise ImproperlyConfigured(
                "SMS_BACKEND=twilio needs TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN."
            )
        if not (settings.TWILIO_MESSAGING_SERVICE_SID or settings.TWILIO_FROM):
            raise ImproperlyConfigured(
                "SMS_BACKEND=twilio needs TWILIO_MESSAGING_SERVICE_SID or TWILIO_FROM."
            )
        self._local = threading.local()

    @property
    def client(self) -> Any:
        """This thread's twilio client, made on its first message."""
        client = getattr(self._local, "client", None)
        if client is None:
            from twilio.http.http_client import TwilioHttpClient
            from twilio.rest import Client

            client = Client(
                settings.TWILIO_ACCOUNT_SID,
                settings.TWILIO_AUTH_TOKEN,
                http_client=TwilioHttpClient(timeout=settings.TWILIO_TIMEOUT),
            )
            if settings.TWILIO_API_BASE:
                client.api.base_url = settings.TWILIO_API_BASE
            self._local.client = client
        return client

    def send(self, *, to: str, body: str) -> str:
        from requests.exceptions import ConnectTimeout, RequestException
        from twilio.base.exceptions import TwilioException, TwilioRestException

        sender = (
            {"messaging_service_sid": settings.TWILIO_MESSAGING_SERVICE_SID}
            if settings.TWILIO_MESSAGING_SERVICE_SID
            else {"from_": settings.TWILIO_FROM}
        )
        callback = {}
        if settings.TWILIO_STATUS_CALLBACK:
            callback = {"status_callback": settings.TWILIO_STATUS_CALLBACK}
        try:
            message = self.client.messages.create(to=to, body=body, **sender, **callback)
        except TwilioRestException as error:
            code = int(error.code or 0)
            permanent = code in PERMANENT_TWILIO_CODES or (
                400 <= error.status < 500 and error.status != 429
            )
            raise SmsError(
                error.msg, code=str(code or error.status), permanent=permanent
            ) from error
        except ConnectTimeout as error:
            # Nothing reached Twilio: safe to try again.
            raise SmsError(repr(error), code="network", permanent=False) from error
        except RequestException as error:
            # Refused before anything was sent is safe to retry; a connection cut or a read
            # timeout after the request left may mean Twilio accepted it: never resend blindly.
            refused = _connection_refused(error)
            raise SmsError(
                repr(error),
                code="network" if refused else "timeout",
                permanent=False,
                ambiguous=not refused,
            ) from error
        except (TwilioException, OSError) as error:
            raise SmsError(repr(error), code="network", permanent=False) from error
        return str(message.sid)


def _connection_refused(error: BaseException) -> bool:
    """True when the connection could not even be opened (nothing was sent)."""
    from urllib3.exceptions import NewConnectionError

    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, NewConnectionError | ConnectionRefusedError):
            return True
        reason = getattr(current, "reason", None)
        nested = (
            current.args[0] if current.args and isinstance(current.args[0], BaseException) else None
        )
        current = reason if isinstance(reason, BaseException) else nested or current.__cause__
    return False
