"""A local fake of Twilio's Messages API (2010-04-01), for tests and benchmarks.

It speaks HTTP like api.twilio.com does, so the REAL ``twilio`` client can be pointed at it::

    client = Client(account_sid, auth_token, http_client=TwilioHttpClient(timeout=10))
    client.api.base_url = fake.base_url  # what TWILIO_API_BASE does in the SMS backend
    client.messages.create(to="+33601020304", from_="+33700000000", body="...")
    # -> POST {base_url}/2010-04-01/Accounts/{account_sid}/Messages.json

In-process use (tests)::

    with FakeTwilio(account_sid="AC...", auth_token="...") as fake:
        fake.fail_next(status=500, times=3)
        fake.set_latency(0.2, jitter=0.1)  # every Messages request: 100 to 300 ms, as the real API
        ...
        assert fake.messages[0]["to"] == "+33601020304"

Separate process (benchmarks, Celery workers)::

    python tests/notifications/fake_twilio.py --port 0 --account-sid AC... --auth-token ... \
        --latency-ms 200 --jitter-ms 100
    # prints "READY http://127.0.0.1:PORT", then serves a JSON control API under /_control/

or, from Python, ``with FakeTwilioProcess(account_sid, auth_token) as fake: ...`` which has the
same scripting methods as ``FakeTwilio`` and drives the control API.

Standard library plus ``twilio.request_validator`` only, no Django: a benchmark can use it too.
"""

from __future__ import annotations

import argparse
import base64
import collections
import contextlib
import copy
import email.utils
import hmac
import json
import logging
import math
import os
import random
import re
import secrets
import selectors
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self

from twilio.request_validator import RequestValidator

logger = logging.getLogger(__name__)

API_VERSION = "2010-04-01"
DEFAULT_ACCOUNT_SID = "AC" + "0123456789abcdef" * 2
DEFAULT_AUTH_TOKEN = "fake-twilio-auth-token"

# E.164: a "+", then 8 to 15 digits, the first one not zero.
E164 = re.compile(r"\+[1-9][0-9]{7,14}")
MESSAGES_PATH = re.compile(rf"/{API_VERSION}/Accounts/(?P<account>[^/]+)/Messages\.json")
MESSAGE_PATH = re.compile(
    rf"/{API_VERSION}/Accounts/(?P<account>[^/]+)/Messages/(?P<sid>[^/]+)\.json"
)

MAX_BODY_BYTES = 1024 * 1024
MAX_BODY_CHARS = 1600  # Twilio's limit on a message body

# Twilio's own wording for the errors a Messages request can get. {to}, {from_}, {path} are filled.
ERROR_MESSAGES = {
    20003: "Authenticate",
    20404: "The requested resource {path} was not found",
    20429: "Too Many Requests",
    20500: "Internal Server Error",
    20503: "Service Unavailable",
    21211: "The 'To' number {to} is not a valid phone number.",
    21408: (
        "Permission to send an SMS has not been enabled for the region indicated by the "
        "'To' number: {to}."
    ),
    21602: "Message body is required.",
    21603: "A 'From' phone number is required.",
    21604: "A 'To' phone number is required.",
    21606: (
        "The From phone number {from_} is not a valid, SMS-capable inbound phone number or "
        "short code for your account."
    ),
    21610: "Attempt to send to unsubscribed recipient",
    21612: (
        "The 'To' phone number: {to}, is not currently reachable using the 'From' phone "
        "number: {from_} via SMS."
    ),
    21614: "'To' number {to} is not a valid mobile number",
    21617: "The concatenated message body exceeds the 1600 character limit.",
}
STATUS_CODES = {401: 20003, 404: 20404, 429: 20429, 500: 20500, 503: 20503}

# GSM 03.38: the basic set costs one septet, the extension set two (escape + char).
GSM_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENSION = set("^{}\\[~]|€\f")


def num_segments(body: str) -> int:
    """How many SMS segments Twilio would bill for this body (GSM-7 or UCS-2)."""
    if all(char in GSM_BASIC or char in GSM_EXTENSION for char in body):
        units = sum(2 if char in GSM_EXTENSION else 1 for char in body)
        single, multi = 160, 153
    else:
        units = len(body.encode("utf-16-le")) // 2
        single, multi = 70, 67
    return 1 if units <= single else math.ceil(units / multi)


def error_body(code: int, status: int, message: str | None = None, **fields: str) -> dict:
    """Twilio's (legacy, non RFC-9457) error JSON: code, message, more_info, status."""
    if message is None:
        template = ERROR_MESSAGES.get(code, "Error {code}")
        message = template.format_map(collections.defaultdict(str, code=str(code), **fields))
    payload = {
        "code": code,
        "message": message,
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": status,
    }
    if code == 20003:
        payload["detail"] = "Your AccountSid or AuthToken was incorrect."
    return payload


def _rfc2822_now() -> str:
    return email.utils.format_datetime(datetime.now(UTC))  # "Thu, 24 Aug 2023 05:01:45 +0000"


@dataclass(frozen=True)
class _Step:
    """One scripted answer, consumed by one Messages API request."""

    delay: float = 0.0
    status: int | None = None  # None: answer normally after the delay
    code: int | None = None
    message: str | None = None
    drop: bool = False  # close the connection without answering


@dataclass(frozen=True)
class _Rule:
    status: int
    code: int
    message: str | None


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # stop() must not wait for a handler sleeping in a scripted delay
    allow_reuse_address = True
    # A pool of workers opens dozens of kept-alive connections at once: with the default backlog
    # of 5, the kernel drops the extra SYNs and the client retries them a second later.
    request_queue_size = 256

    def __init__(self, address: tuple[str, int], fake: FakeTwilio) -> None:
        self.fake = fake
        self.connections: set[socket.socket] = set()
        self.connections_lock = threading.Lock()
        super().__init__(address, _Handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self.connections_lock:
            self.connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self.connections_lock:
            self.connections.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        """Cut the kept-alive connections, so that no handler answers after stop()."""
        with self.connections_lock:
            connections = list(self.connections)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)

    def handle_error(self, request: Any, client_address: Any) -> None:
        error = sys.exc_info()[1]
        if isinstance(error, (ConnectionError, TimeoutError)):
            logger.debug("fake Twilio: connection from %s lost: %r", client_address, error)
        else:
            logger.exception("fake Twilio: error while serving %s", client_address)


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"  # keep-alive, like the real API (the client pools connections)
    server_version = "nginx"
    sys_version = ""
    timeout = 30  # an idle kept-alive connection frees its thread after this
    # TCP_NODELAY: otherwise Nagle's algorithm and the client's delayed ACK add ~40 ms to every
    # answer on a kept-alive connection (headers and body are two writes).
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("fake Twilio: " + format, *args)

    def do_GET(self) -> None:
        self._dispatch()

    def do_POST(self) -> None:
        self._dispatch()

    def do_PUT(self) -> None:
        self._dispatch()

    def do_DELETE(self) -> None:
        self._dispatch()

    def _dispatch(self) -> None:
        try:
            status, payload, headers = self.server.fake._handle(self)
        except _BadRequest as error:
            status, payload, headers = error.status, {"error": str(error)}, {}
        except (ConnectionError, TimeoutError):
            self.close_connection = True
            return
        if status is None:  # scripted drop
            self.close_connection = True
            return
        self._send(status, payload, headers)

    def _send(self, status: int, payload: Any, headers: dict[str, str]) -> None:
        body = json.dumps(payload).encode() if payload is not None else b""
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Twilio-Request-Id", "RQ" + secrets.token_hex(16))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)
        except (ConnectionError, TimeoutError):  # the client gave up (e.g. its timeout)
            self.close_connection = True

    def read_body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            raise _BadRequest(HTTPStatus.LENGTH_REQUIRED, "chunked bodies are not supported")
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            raise _BadRequest(HTTPStatus.BAD_REQUEST, "bad Content-Length") from None
        if length < 0 or length > MAX_BODY_BYTES:
            self.close_connection = True
            raise _BadRequest(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "body too large")
        return self.rfile.read(length) if length else b""


class _BadRequest(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = int(status)


class FakeTwilio:
    """Twilio's Messages API on 127.0.0.1, with scriptable faults. Thread-safe."""

    def __init__(
        self,
        account_sid: str = DEFAULT_ACCOUNT_SID,
        auth_token: str = DEFAULT_AUTH_TOKEN,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        max_records: int = 100_000,
        max_delay: float = 120.0,
        latency: float = 0.0,
        jitter: float = 0.0,
    ) -> None:
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.host = host
        self.port = port
        self.max_delay = max_delay
        self.latency = 0.0
        self.jitter = 0.0
        self._lock = threading.Lock()
        self.set_latency(latency, jitter=jitter)
        self._changed = threading.Condition(self._lock)
        self._steps: collections.deque[_Step] = collections.deque()
        self._rules: dict[str, _Rule] = {}
        self._messages: collections.deque[dict] = collections.deque(maxlen=max_records)
        self._by_sid: dict[str, dict] = {}
        self._requests: collections.deque[dict] = collections.deque(maxlen=max_records)
        self._callbacks: collections.deque[dict] = collections.deque(maxlen=max_records)
        self._stopping = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle -------------------------------------------------------------------------------

    def start(self) -> Self:
        if self._server is not None:
            return self
        self._stopping.clear()
        self._server = _Server((self.host, self.port), self)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.1},
            name=f"fake-twilio-{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        self._stopping.set()  # wakes up handlers sleeping in a scripted delay
        server.shutdown()
        server.close_connections()
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        """What to put in ``client.api.base_url`` (and TWILIO_API_BASE)."""
        if self._server is None:
            raise RuntimeError("FakeTwilio is not started")
        return f"http://{self.host}:{self.port}"

    @property
    def messages_url(self) -> str:
        return f"{self.base_url}/{API_VERSION}/Accounts/{self.account_sid}/Messages.json"

    def client(self, *, timeout: float | None = 10.0, **client_kwargs: Any) -> Any:
        """A real ``twilio.rest.Client`` pointed at this fake."""
        from twilio.http.http_client import TwilioHttpClient
        from twilio.rest import Client

        client = Client(
            self.account_sid,
            self.auth_token,
            http_client=TwilioHttpClient(timeout=timeout),
            **client_kwargs,
        )
        client.api.base_url = self.base_url
        return client

    # -- scripting -------------------------------------------------------------------------------

    def fail_next(
        self,
        status: int | None = None,
        *,
        code: int | None = None,
        times: int = 1,
        message: str | None = None,
        delay: float = 0.0,
    ) -> None:
        """The next ``times`` Messages requests get this Twilio error (after ``delay`` seconds).

        ``status`` defaults to 400 when a ``code`` is given, else 500; ``code`` defaults to
        Twilio's generic one for the status (20429 for 429, 20500 for 500...).
        """
        if status is None:
            status = 400 if code is not None else 500
        if not 400 <= status <= 599:
            raise ValueError(f"not an error status: {status}")
        if code is None:
            code = STATUS_CODES.get(status, status)
        self._script(
            _Step(delay=self._delay(delay), status=status, code=code, message=message), times
        )

    def delay_next(self, seconds: float, times: int = 1) -> None:
        """The next ``times`` Messages requests wait ``seconds``, then are answered normally."""
        self._script(_Step(delay=self._delay(seconds)), times)

    def drop_next(self, times: int = 1, *, delay: float = 0.0) -> None:
        """The next ``times`` Messages requests get their connection closed, with no answer."""
        self._script(_Step(delay=self._delay(delay), drop=True), times)

    def reject_number(
        self, number: str, code: int = 21614, *, status: int = 400, message: str | None = None
    ) -> None:
        """Every message to ``number`` gets this Twilio error, until ``reset()``."""
        with self._lock:
            self._rules[number] = _Rule(status=status, code=code, message=message)

    def set_latency(self, latency: float, *, jitter: float = 0.0) -> None:
        """Every Messages API request waits ``latency`` seconds, plus or minus up to ``jitter``
        (uniform), before its answer: the real API takes 100 to 400 ms. Scripted delays add to
        it. Kept by ``reset()``."""
        latency, jitter = self._delay(latency), self._delay(jitter)
        if jitter > latency:
            raise ValueError(f"jitter ({jitter} s) must not exceed the latency ({latency} s)")
        with self._lock:
            self.latency, self.jitter = latency, jitter

    def _provider_delay(self) -> float:
        with self._lock:
            latency, jitter = self.latency, self.jitter
        if not jitter:
            return latency
        return latency + random.uniform(-jitter, jitter)  # nosec B311

    def reset(self) -> None:
        """Forget the scripted answers, number rules, messages, requests and callbacks."""
        with self._changed:
            self._steps.clear()
            self._rules.clear()
            self._messages.clear()
            self._by_sid.clear()
            self._requests.clear()
            self._callbacks.clear()
            self._changed.notify_all()

    def _delay(self, seconds: float) -> float:
        seconds = float(seconds)
        if not 0 <= seconds <= self.max_delay:
            raise ValueError(f"delay must be between 0 and {self.max_delay} s: {seconds}")
        return seconds

    def _script(self, step: _Step, times: int) -> None:
        if not 1 <= times <= 100_000:
            raise ValueError(f"times must be between 1 and 100000: {times}")
        with self._lock:
            self._steps.extend([step] * times)

    # -- records ---------------------------------------------------------------------------------

    @property
    def messages(self) -> list[dict]:
        """The accepted messages, oldest first (copies)."""
        with self._lock:
            return copy.deepcopy(list(self._messages))

    @property
    def requests(self) -> list[dict]:
        """Every Messages API request, failed ones included, oldest first (copies)."""
        with self._lock:
            return copy.deepcopy(list(self._requests))

    @property
    def callbacks(self) -> list[dict]:
        """The status callbacks sent by ``send_status_callback`` (copies)."""
        with self._lock:
            return copy.deepcopy(list(self._callbacks))

    @property
    def pending_steps(self) -> int:
        with self._lock:
            return len(self._steps)

    def wait_for_messages(self, count: int, timeout: float = 10.0) -> list[dict]:
        """Wait until at least ``count`` messages were accepted; TimeoutError otherwise."""
        with self._changed:
            if not self._changed.wait_for(lambda: len(self._messages) >= count, timeout):
                accepted = len(self._messages)
                raise TimeoutError(f"{accepted} message(s) accepted, not {count}, in {timeout} s")
            return copy.deepcopy(list(self._messages))

    # -- status callbacks ------------------------------------------------------------------------

    def send_status_callback(
        self,
        sid: str,
        status: str,
        error_code: int | str | None = None,
        url: str | None = None,
        *,
        auth_token: str | None = None,
        signature: str | None = None,
        extra: dict[str, str] | None = None,
        timeout: float = 10.0,
    ) -> int:
        """POST Twilio's status callback for message ``sid``; returns the HTTP status answered.

        Signed like Twilio (X-Twilio-Signature, HMAC-SHA1 of URL + sorted params with the auth
        token). ``auth_token`` signs with another token, ``signature`` sends that header value
        as is: both make a callback our endpoint must refuse.
        """
        with self._lock:
            message = self._by_sid.get(sid)
            message = dict(message) if message else None
        if url is None:
            if message is None or not message.get("status_callback"):
                raise ValueError(f"no StatusCallback recorded for {sid}; pass url=")
            url = message["status_callback"]
        params = {
            "ApiVersion": API_VERSION,
            "AccountSid": self.account_sid,
            "MessageSid": sid,
            "SmsSid": sid,
            "MessageStatus": status,
            "SmsStatus": status,
        }
        if message is not None:
            params["To"] = message["to"]
            if message.get("from_"):
                params["From"] = message["from_"]
            if message.get("messaging_service_sid"):
                params["MessagingServiceSid"] = message["messaging_service_sid"]
        if error_code is not None:
            params["ErrorCode"] = str(error_code)
        params.update(extra or {})
        if signature is None:
            token = self.auth_token if auth_token is None else auth_token
            signature = RequestValidator(token).compute_signature(url, params)

        if not url.startswith(("http://", "https://")):
            raise ValueError(f"not an HTTP URL: {url}")
        request = urllib.request.Request(  # noqa: S310 - scheme checked just above
            url,
            data=urllib.parse.urlencode(params).encode(),
            method="POST",
            headers={
                "Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
                "User-Agent": "TwilioProxy/1.1",
                "X-Twilio-Signature": signature,
                "I-Twilio-Idempotency-Token": secrets.token_hex(16),
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
                http_status = response.status
        except urllib.error.HTTPError as error:
            http_status = error.code
            error.close()

        with self._changed:
            recorded = self._by_sid.get(sid)
            if recorded is not None:
                recorded["status"] = status
                recorded["error_code"] = int(error_code) if error_code is not None else None
            self._callbacks.append(
                {
                    "url": url,
                    "params": params,
                    "signature": signature,
                    "http_status": http_status,
                    "sent_at": time.monotonic(),
                }
            )
            self._changed.notify_all()
        return http_status

    # -- the HTTP side ---------------------------------------------------------------------------

    def _handle(self, handler: _Handler) -> tuple[int | None, Any, dict[str, str]]:
        path = urllib.parse.urlsplit(handler.path).path
        if path.startswith("/_control/"):
            return self._control(handler, path)
        body = handler.read_body()
        form = urllib.parse.parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
        record = {
            "method": handler.command,
            "path": path,
            "form": {name: values[-1] for name, values in form.items()},
            "headers": {
                name: value
                for name, value in handler.headers.items()
                if name.lower() != "authorization"
            },
            "auth_username": self._credentials(handler)[0],
            "received_at": time.monotonic(),
        }
        status, payload, headers = self._answer(handler, path, form)
        record["status"] = status
        record["code"] = payload.get("code") if isinstance(payload, dict) else None
        with self._changed:
            self._requests.append(record)
            self._changed.notify_all()
        return status, payload, headers

    def _answer(
        self, handler: _Handler, path: str, form: dict[str, list[str]]
    ) -> tuple[int | None, Any, dict[str, str]]:
        create = MESSAGES_PATH.fullmatch(path)
        fetch = MESSAGE_PATH.fullmatch(path)
        latency = self._provider_delay() if create or fetch else 0.0
        if latency and self._stopping.wait(latency):
            return None, None, {}  # stopping: drop the connection
        if create and handler.command == "POST":
            with self._lock:
                step = self._steps.popleft() if self._steps else None
            if step is not None:
                if step.delay and self._stopping.wait(step.delay):
                    return None, None, {}  # stopping: drop the connection
                if step.drop:
                    return None, None, {}
                if step.status is not None:
                    to, from_ = _first(form, "To"), _first(form, "From")
                    payload = error_body(step.code, step.status, step.message, to=to, from_=from_)
                    return step.status, payload, {}

        username, password = self._credentials(handler)
        if not (
            hmac.compare_digest(username.encode(), self.account_sid.encode())
            and hmac.compare_digest(password.encode(), self.auth_token.encode())
        ):
            return 401, error_body(20003, 401), {"WWW-Authenticate": 'Basic realm="Twilio API"'}
        match = create or fetch
        if match is None or match["account"] != self.account_sid:
            return 404, error_body(20404, 404, path=path), {}
        if create and handler.command == "POST":
            return self._create(form)
        if fetch and handler.command == "GET":
            with self._lock:
                message = self._by_sid.get(fetch["sid"])
                resource = self._resource(message) if message else None
            if resource is None:
                return 404, error_body(20404, 404, path=path), {}
            return 200, resource, {}
        return 405, error_body(20004, 405, f"Method {handler.command} not allowed"), {}

    def _create(self, form: dict[str, list[str]]) -> tuple[int, dict, dict[str, str]]:
        to = _first(form, "To")
        from_ = _first(form, "From")
        service = _first(form, "MessagingServiceSid")
        body = _first(form, "Body")
        media = form.get("MediaUrl", [])

        def error(code: int, status: int = 400, message: str | None = None) -> tuple:
            return status, error_body(code, status, message, to=to, from_=from_), {}

        if not to:
            return error(21604)
        if not (from_ or service):
            return error(21603)
        if not (body or media or _first(form, "ContentSid")):
            return error(21602)
        if len(body) > MAX_BODY_CHARS:
            return error(21617)
        if not E164.fullmatch(to):
            return error(21211)
        with self._lock:
            rule = self._rules.get(to)
        if rule is not None:
            return error(rule.code, rule.status, rule.message)

        now = _rfc2822_now()
        message = {
            "sid": "SM" + secrets.token_hex(16),
            "account_sid": self.account_sid,
            "to": to,
            "from_": from_ or None,
            "body": body,
            "messaging_service_sid": service or None,
            "status_callback": _first(form, "StatusCallback") or None,
            "media_urls": media,
            # With a Messaging Service and no From, Twilio answers "accepted" and picks the sender
            # later; with a From, "queued".
            "status": "queued" if from_ else "accepted",
            "error_code": None,
            "num_segments": num_segments(body),
            "date_created": now,
            "received_at": time.monotonic(),
        }
        with self._changed:
            if len(self._messages) == self._messages.maxlen:
                self._by_sid.pop(self._messages.popleft()["sid"], None)
            self._messages.append(message)
            self._by_sid[message["sid"]] = message
            resource = self._resource(message)
            self._changed.notify_all()
        return 201, resource, {}

    def _resource(self, message: dict) -> dict:
        """The Message resource JSON, as api.twilio.com returns it."""
        uri = f"/{API_VERSION}/Accounts/{self.account_sid}/Messages/{message['sid']}"
        return {
            "account_sid": self.account_sid,
            "api_version": API_VERSION,
            "body": message["body"],
            "date_created": message["date_created"],
            "date_sent": None,
            "date_updated": message["date_created"],
            "direction": "outbound-api",
            "error_code": message["error_code"],
            "error_message": None,
            "from": message["from_"],
            "messaging_service_sid": message["messaging_service_sid"],
            "num_media": str(len(message["media_urls"])),
            "num_segments": str(message["num_segments"]),
            "price": None,
            "price_unit": "USD",
            "sid": message["sid"],
            "status": message["status"],
            "subresource_uris": {"media": f"{uri}/Media.json"},
            "to": message["to"],
            "uri": f"{uri}.json",
        }

    @staticmethod
    def _credentials(handler: _Handler) -> tuple[str, str]:
        scheme, _, value = (handler.headers.get("Authorization") or "").partition(" ")
        if scheme.lower() != "basic":
            return "", ""
        try:
            decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
        except ValueError:
            return "", ""
        username, _, password = decoded.partition(":")
        return username, password

    def _control(self, handler: _Handler, path: str) -> tuple[int, Any, dict[str, str]]:
        """The JSON control API, for a fake running in another process."""
        action = path.removeprefix("/_control/")
        if handler.command == "GET":
            if action == "messages":
                return 200, {"messages": self.messages}, {}
            if action == "requests":
                return 200, {"requests": self.requests}, {}
            if action == "callbacks":
                return 200, {"callbacks": self.callbacks}, {}
            if action == "health":
                return 200, {"ok": True, "pending_steps": self.pending_steps}, {}
            raise _BadRequest(HTTPStatus.NOT_FOUND, f"unknown control endpoint: {path}")
        if handler.command != "POST":
            raise _BadRequest(HTTPStatus.METHOD_NOT_ALLOWED, "use GET or POST")
        raw = handler.read_body()
        try:
            args = json.loads(raw) if raw.strip() else {}
        except ValueError:
            raise _BadRequest(HTTPStatus.BAD_REQUEST, "the body must be JSON") from None
        if not isinstance(args, dict):
            raise _BadRequest(HTTPStatus.BAD_REQUEST, "the body must be a JSON object")
        actions = {
            "fail_next": self.fail_next,
            "set_latency": self.set_latency,
            "delay_next": self.delay_next,
            "drop_next": self.drop_next,
            "reject_number": self.reject_number,
            "reset": self.reset,
            "status_callback": self.send_status_callback,
        }
        if action not in actions:
            raise _BadRequest(HTTPStatus.NOT_FOUND, f"unknown control endpoint: {path}")
        try:
            result = actions[action](**args)
        except (TypeError, ValueError) as error:
            raise _BadRequest(HTTPStatus.BAD_REQUEST, str(error)) from None
        except OSError as error:  # a status callback whose receiver is unreachable
            raise _BadRequest(HTTPStatus.BAD_GATEWAY, repr(error)) from None
        if action == "status_callback":
            return 200, {"http_status": result}, {}
        return 200, {"ok": True, "pending_steps": self.pending_steps}, {}


def _first(form: dict[str, list[str]], name: str) -> str:
    values = form.get(name)
    return values[-1] if values else ""


class FakeTwilioProcess:
    """Runs this module as a separate process and scripts it through its control API.

    Same scripting methods as ``FakeTwilio``; ``messages``/``requests`` cross the process
    boundary as JSON (``received_at`` is the other process's ``time.monotonic()``).
    """

    def __init__(
        self,
        account_sid: str = DEFAULT_ACCOUNT_SID,
        auth_token: str = DEFAULT_AUTH_TOKEN,
        *,
        port: int = 0,
        lifetime: float = 3600.0,
        startup_timeout: float = 15.0,
        python: str = sys.executable,
        latency: float = 0.0,
        jitter: float = 0.0,
    ) -> None:
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.port = port
        self.latency = latency
        self.jitter = jitter
        self.lifetime = lifetime
        self.startup_timeout = startup_timeout
        self.python = python
        self.process: subprocess.Popen[bytes] | None = None
        self._base_url: str | None = None

    def start(self) -> Self:
        if self.process is not None:
            return self
        self.process = subprocess.Popen(
            [
                self.python,
                os.path.abspath(__file__),
                "--port",
                str(self.port),
                "--account-sid",
                self.account_sid,
                "--auth-token",
                self.auth_token,
                "--lifetime",
                str(self.lifetime),
                "--latency-ms",
                str(self.latency * 1000),
                "--jitter-ms",
                str(self.jitter * 1000),
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
        )
        try:
            line = _read_line(self.process, self.startup_timeout)
        except BaseException:
            self.stop()
            raise
        if not line.startswith("READY "):
            self.stop()
            raise RuntimeError(f"fake Twilio did not start: {line!r}")
        self._base_url = line.removeprefix("READY ").strip()
        return self

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None:
            return
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)
        if process.stdout is not None:
            process.stdout.close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        if self._base_url is None or self.process is None:
            raise RuntimeError("FakeTwilioProcess is not started")
        return self._base_url

    def control(self, action: str, payload: dict | None = None, *, timeout: float = 30.0) -> Any:
        """GET /_control/<action> when ``payload`` is None, else POST it as JSON."""
        url = f"{self.base_url}/_control/{action}"
        data = None if payload is None else json.dumps(payload).encode()
        request = urllib.request.Request(  # noqa: S310 - our own http://127.0.0.1 URL
            url, data=data, headers={"Content-Type": "application/json"}
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
                return json.load(response)
        except urllib.error.HTTPError as error:
            with error:
                detail = error.read().decode("utf-8", "replace")
            raise RuntimeError(f"control {action}: HTTP {error.code} {detail}") from None

    def fail_next(self, status: int | None = None, **kwargs: Any) -> None:
        self.control("fail_next", {"status": status, **kwargs})

    def delay_next(self, seconds: float, times: int = 1) -> None:
        self.control("delay_next", {"seconds": seconds, "times": times})

    def set_latency(self, latency: float, *, jitter: float = 0.0) -> None:
        self.control("set_latency", {"latency": latency, "jitter": jitter})
        self.latency, self.jitter = latency, jitter

    def drop_next(self, times: int = 1, **kwargs: Any) -> None:
        self.control("drop_next", {"times": times, **kwargs})

    def reject_number(self, number: str, code: int = 21614, **kwargs: Any) -> None:
        self.control("reject_number", {"number": number, "code": code, **kwargs})

    def reset(self) -> None:
        self.control("reset", {})

    def send_status_callback(self, sid: str, status: str, **kwargs: Any) -> int:
        return self.control("status_callback", {"sid": sid, "status": status, **kwargs})[
            "http_status"
        ]

    @property
    def messages(self) -> list[dict]:
        return self.control("messages")["messages"]

    @property
    def requests(self) -> list[dict]:
        return self.control("requests")["requests"]

    @property
    def callbacks(self) -> list[dict]:
        return self.control("callbacks")["callbacks"]


def _read_line(process: subprocess.Popen[bytes], timeout: float) -> str:
    """The first stdout line of ``process``, waiting at most ``timeout`` seconds."""
    assert process.stdout is not None
    deadline = time.monotonic() + timeout
    buffer = b""
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        while b"\n" not in buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"no READY line within {timeout} s (got {buffer!r})")
            if selector.select(remaining):
                chunk = os.read(process.stdout.fileno(), 4096)
                if not chunk:
                    raise RuntimeError(
                        f"fake Twilio exited with {process.wait(timeout=5)} (got {buffer!r})"
                    )
                buffer += chunk
    return buffer.split(b"\n", 1)[0].decode()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0: a free port")
    parser.add_argument("--account-sid", default=DEFAULT_ACCOUNT_SID)
    parser.add_argument("--auth-token", default=DEFAULT_AUTH_TOKEN)
    parser.add_argument(
        "--lifetime", type=float, default=3600.0, help="exit after this many seconds"
    )
    parser.add_argument(
        "--latency-ms", type=float, default=0.0, help="each Messages request waits this long"
    )
    parser.add_argument(
        "--jitter-ms", type=float, default=0.0, help="plus or minus up to this much (uniform)"
    )
    args = parser.parse_args(argv)

    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    fake = FakeTwilio(
        args.account_sid,
        args.auth_token,
        host=args.host,
        port=args.port,
        latency=args.latency_ms / 1000,
        jitter=args.jitter_ms / 1000,
    )
    with fake:
        print(f"READY {fake.base_url}", flush=True)
        # Nothing else goes to stdout: a parent that stopped reading the pipe cannot block us.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
        stop.wait(args.lifetime)
    return 0


if __name__ == "__main__":
    sys.exit(main())
