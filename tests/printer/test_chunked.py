"""De-chunking a body that Django's development server passes on as it came."""

import io

import pytest

from printer.chunked import ChunkedError, ChunkedReader


def test_it_reads_the_chunks_then_stops_at_the_last_one() -> None:
    raw = io.BytesIO(b"5\r\nhello\r\n7;ext=1\r\n, world\r\n0\r\nTrailer: x\r\n\r\nNEXT REQUEST")
    reader = ChunkedReader(raw)
    assert reader.read(3) == b"hel"
    assert reader.read() == b"lo, world"
    assert reader.read(10) == b""
    assert raw.read() == b"NEXT REQUEST"  # the connection's next request is left untouched


@pytest.mark.parametrize(
    "body",
    [b"zz\r\nhello\r\n0\r\n\r\n", b"5\r\nhel", b"5\r\nhelloXX0\r\n\r\n", b"5"],
)
def test_malformed_chunks_raise_a_clear_error(body: bytes) -> None:
    with pytest.raises(ChunkedError):
        ChunkedReader(io.BytesIO(body)).read()
