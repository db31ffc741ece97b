"""A reader of an HTTP/1.1 chunked body (RFC 9112 7.1), for servers that pass it on as is.

Django's development server (``make run``) gives the view the raw socket with the chunks
still in it; gunicorn de-chunks by itself.
"""

from typing import BinaryIO

from printer.ipp import IppError

MAX_LINE = 4096


class ChunkedError(IppError):
    """The body is not well-formed chunked data."""


class ChunkedReader:
    def __init__(self, raw: BinaryIO) -> None:
        self.raw = raw
        self.left = 0  # bytes left in the current chunk
        self.done = False

    def _line(self) -> bytes:
        line = self.raw.readline(MAX_LINE)
        if not line.endswith(b"\n"):
            raise ChunkedError("a chunk line is cut short or too long")
        return line.rstrip(b"\r\n")

    def _next_chunk(self) -> None:
        size = self._line().split(b";", 1)[0].strip()
        try:
            self.left = int(size, 16)
        except ValueError:
            raise ChunkedError("a chunk size is not hexadecimal") from None
        if self.left < 0:
            raise ChunkedError("a chunk size is negative")
        if self.left == 0:
            self.done = True
            while self._line():  # trailer fields, up to the empty line
                pass

    def read(self, size: int = -1) -> bytes:
        out = bytearray()
        while not self.done and (size < 0 or len(out) < size):
            if self.left == 0:
                self._next_chunk()
                continue
            wanted = self.left if size < 0 else min(self.left, size - len(out))
            data = self.raw.read(wanted)
            if not data:
                raise ChunkedError("the body ends in the middle of a chunk")
            out += data
            self.left -= len(data)
            if self.left == 0 and self.raw.read(2) != b"\r\n":
                raise ChunkedError("a chunk is not followed by CRLF")
        return bytes(out)
