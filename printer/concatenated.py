"""Several PDFs back to back in one document: how CUPS sends ``lp a.pdf b.pdf``.

A CUPS queue runs each file of a job through its filters and writes their outputs, one after
the other, into the one stream its backend sends to the printer (a single Send-Document).
Read as one PDF, that stream shows only its last document. Each document starts with
``%PDF-`` right after the previous one's ``%%EOF``; the cut is kept only if every part is a
whole PDF on its own (its cross-reference table read without repair), so a PDF that merely
contains those bytes (another PDF stored uncompressed in a stream) stays one document. Parts
of which one is cut short (and the whole no PDF either) are ``Damaged``.
"""

import os
import re
import tempfile
from typing import BinaryIO

import pikepdf

CHUNK = 64 * 1024
_BOUNDARY = re.compile(rb"%%EOF[ \t\r\n\f\x00]*(?=%PDF-\d\.\d)")
# Bytes kept from one read to the next, so that a boundary across two reads is still found:
# ``%%EOF``, up to a thousand bytes of white space, ``%PDF-1.7``.
_OVERLAP = 1024


class Damaged(ValueError):
    """PDFs back to back of which one is cut short or broken."""


def parts(path: str) -> list[tuple[int, int]]:
    """The (start, end) byte ranges of the PDFs in this file: one range when it is one PDF."""
    with open(path, "rb") as handle:
        size = handle.seek(0, 2)
        if not size:
            return [(0, 0)]
        handle.seek(0)
        starts = [0, *_boundaries(handle)]
    ranges = list(zip(starts, [*starts[1:], size], strict=True))
    if len(ranges) == 1 or all(_whole(path, start, end) for start, end in ranges):
        return ranges
    if _whole(path, 0, size):
        return [(0, size)]
    raise Damaged


def _boundaries(handle: BinaryIO) -> list[int]:
    """Where each PDF after the first starts, reading the file by chunks (a mapping of the
    whole file would count in the worker's memory as the regex touches its pages)."""
    found: set[int] = set()
    offset, buffer = 0, b""  # the file offset of buffer[0]
    while chunk := handle.read(CHUNK):
        buffer += chunk
        found.update(offset + match.end() for match in _BOUNDARY.finditer(buffer))
        kept = min(len(buffer), _OVERLAP)
        offset += len(buffer) - kept
        buffer = buffer[-kept:]
    return sorted(found)


def copy_range(source: BinaryIO, start: int, end: int, target: BinaryIO) -> None:
    """Bytes ``start`` to ``end`` of ``source`` into ``target``, by chunks."""
    source.seek(start)
    left = end - start
    while left > 0 and (chunk := source.read(min(left, CHUNK))):
        target.write(chunk)
        left -= len(chunk)
    target.flush()


def _whole(path: str, start: int, end: int) -> bool:
    """Whether these bytes are a PDF of its own; copied beside the file, never whole in memory."""
    with (
        open(path, "rb") as handle,
        tempfile.NamedTemporaryFile(dir=os.path.dirname(path), suffix=".tmp") as part,
    ):
        copy_range(handle, start, end, part)
        try:
            with pikepdf.open(part.name, attempt_recovery=False) as pdf:
                return len(pdf.pages) > 0
        except pikepdf.PdfError:
            return False
