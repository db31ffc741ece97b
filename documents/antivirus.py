"""A small client of ClamAV's daemon (clamd) over its socket, Unix or TCP (``ANTIVIRUS_URL``).

Files are streamed with the INSTREAM command: ``zINSTREAM\\0``, then chunks each prefixed by
their length (4 bytes, big-endian), then a zero-length chunk. clamd answers one line ended by a
NUL: ``stream: OK``, ``stream: <signature> FOUND`` or ``<reason> ERROR``. Anything but a verdict
(nothing listening, a timeout, an error such as a file over clamd's StreamMaxLength) raises
``ScannerUnavailable``: the caller holds the file, it never treats it as clean.
"""

import io
import socket
import struct
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import IO
from urllib.parse import urlsplit

from django.conf import settings

CHUNK_SIZE = 256 * 1024
MAX_REPLY = 4096


class ScannerUnavailable(Exception):
    """clamd gave no verdict: not configured, not answering, too slow, or an error."""


@dataclass(frozen=True)
class ScanResult:
    clean: bool
    signature: str = ""


def is_configured() -> bool:
    return bool(settings.ANTIVIRUS_URL)


def scan(content: bytes | IO[bytes]) -> ScanResult:
    """clamd's verdict on these bytes, or on this file read from its start by 256 kB chunks."""
    reply = _exchange(
        b"zINSTREAM\0", _chunks(io.BytesIO(content) if isinstance(content, bytes) else content)
    )
    if reply == "stream: OK":
        return ScanResult(clean=True)
    if reply.startswith("stream: ") and reply.endswith(" FOUND"):
        return ScanResult(clean=False, signature=reply.removeprefix("stream: ")[: -len(" FOUND")])
    raise ScannerUnavailable(f"clamd answered {reply[:200]!r}")


def ping() -> bool:
    """True when clamd answers; the sweeper asks before retrying held sendings."""
    try:
        return _exchange(b"zPING\0") == "PONG"
    except ScannerUnavailable:
        return False


def _chunks(handle: IO[bytes]) -> Iterator[bytes]:
    handle.seek(0)
    while chunk := handle.read(CHUNK_SIZE):
        yield struct.pack(">I", len(chunk)) + chunk
    yield struct.pack(">I", 0)


def _exchange(command: bytes, payload: Iterable[bytes] = ()) -> str:
    """Send one command (and its payload) on a new connection; clamd's reply, NUL removed."""
    if not is_configured():
        raise ScannerUnavailable("ANTIVIRUS_URL is not set")
    reply = b""
    try:
        with _connect() as connection:
            connection.sendall(command)
            for part in payload:
                connection.sendall(part)
            while not reply.endswith(b"\0") and len(reply) < MAX_REPLY:
                received = connection.recv(MAX_REPLY)
                if not received:
                    break
                reply += received
    except OSError as error:  # refused, no such socket, timeout, unknown host, cut
        raise ScannerUnavailable(f"clamd at {settings.ANTIVIRUS_URL}: {error}") from None
    return reply.rstrip(b"\0").decode("utf-8", "replace").strip()


def _connect() -> socket.socket:
    url = urlsplit(settings.ANTIVIRUS_URL)
    if url.scheme == "tcp":
        return socket.create_connection((url.hostname, url.port), settings.ANTIVIRUS_TIMEOUT)
    connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    connection.settimeout(settings.ANTIVIRUS_TIMEOUT)
    try:
        connection.connect(url.path)
    except OSError:
        connection.close()
        raise
    return connection
