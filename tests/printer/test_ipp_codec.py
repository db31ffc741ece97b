"""The IPP encoder/decoder of the virtual printer (RFC 8010)."""

import datetime
import io
import struct

import pytest

from printer import ipp


def _request() -> ipp.Message:
    message = ipp.Message((2, 0), 0x0002, 7)
    message.add_group(ipp.OPERATION).add("attributes-charset", ipp.CHARSET, "utf-8").add(
        "attributes-natural-language", ipp.LANGUAGE, "fr"
    ).add("printer-uri", ipp.URI, "ipp://localhost/ipp/print/x")
    job = message.add_group(ipp.JOB)
    job.add("copies", ipp.INTEGER, 2)
    job.add("sides", ipp.KEYWORD, "one-sided", "two-sided-long-edge")
    job.add(
        "media-col",
        ipp.BEGIN_COLLECTION,
        [
            ipp.Attribute(
                "media-size",
                ipp.BEGIN_COLLECTION,
                [
                    [
                        ipp.Attribute("x-dimension", ipp.INTEGER, [21000]),
                        ipp.Attribute("y-dimension", ipp.INTEGER, [29700]),
                    ]
                ],
            ),
            ipp.Attribute("media-source", ipp.KEYWORD, ["auto"]),
        ],
    )
    job.add("job-name", ipp.NAME_WITH_LANGUAGE, ("fr", "Ordonnance"))
    job.add("fidelity", ipp.BOOLEAN, False)
    job.add("pages", ipp.RANGE, (1, 5))
    job.add("printer-resolution", ipp.RESOLUTION, (300, 300, 3))
    job.add("when", ipp.DATE_TIME, datetime.datetime(2026, 3, 1, 10, 5, 30, tzinfo=datetime.UTC))
    job.add("job-hold-until", ipp.NO_VALUE, None)
    return message


def test_a_message_survives_a_round_trip_with_its_order_and_collections() -> None:
    original = _request()
    decoded, data = ipp.decode(ipp.encode(original) + b"%PDF-1.7 data")
    assert decoded == original
    assert data == b"%PDF-1.7 data"
    operation = decoded.group(ipp.OPERATION)
    assert [attribute.name for attribute in operation.attributes] == [
        "attributes-charset",
        "attributes-natural-language",
        "printer-uri",
    ]
    media_col = decoded.group(ipp.JOB).get("media-col").value
    assert media_col[0].name == "media-size"
    assert media_col[0].value[1].values == [29700]
    assert decoded.group(ipp.JOB).get("sides").values == ["one-sided", "two-sided-long-edge"]


def test_the_encoding_matches_rfc_8010_byte_for_byte() -> None:
    message = ipp.Message((1, 1), 0x000B, 1)
    message.add_group(ipp.OPERATION).add("attributes-charset", ipp.CHARSET, "utf-8")
    assert ipp.encode(message) == (
        b"\x01\x01\x00\x0b\x00\x00\x00\x01\x01\x47\x00\x12attributes-charset\x00\x05utf-8\x03"
    )


def test_reading_stops_at_the_end_of_the_attributes() -> None:
    stream = io.BytesIO(ipp.encode(_request()) + b"DOCUMENT")
    ipp.read_message(stream)
    assert stream.read() == b"DOCUMENT"


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "shorter than an IPP header"),
        (b"\x02\x00\x00\x0b\x00\x00", "shorter than an IPP header"),
        (b"\x02\x00\x00\x0b\x00\x00\x00\x01", "ends in the middle"),
        (b"\x02\x00\x00\x0b\x00\x00\x00\x01\x47\x00\x01a\x00\x01b\x03", "before any group"),
        (b"\x02\x00\x00\x0b\x00\x00\x00\x01\x01\x47\x00\x00\x00\x01b\x03", "no attribute"),
        (b"\x02\x00\x00\x0b\x00\x00\x00\x01\x01\x21\x00\x01a\x00\x02\x00\x01\x03", "4 bytes"),
        (b"\x02\x00\x00\x0b\x00\x00\x00\x01\x01\x47\x00\x01a\x00\x10ab", "middle"),
        (b"\x02\x00\x00\x0b\x00\x00\x00\x01\x0e\x03", "unknown group"),
        (b"\x02\x00\x00\x0b\x00\x00\x00\x01\x01\x41\x00\x01a\x00\x01\xff\x03", "not UTF-8"),
        (b"\x02\x00\x00\x0b\x00\x00\x00\x01\x01\x34\x00\x01c\x00\x00\x03", "not closed"),
        (
            b"\x02\x00\x00\x0b\x00\x00\x00\x01\x01\x34\x00\x01c\x00\x00"
            b"\x21\x00\x00\x00\x04\x00\x00\x00\x01\x37\x00\x00\x00\x00\x03",
            "before any member name",
        ),
    ],
)
def test_a_malformed_message_raises_a_clear_error(data: bytes, reason: str) -> None:
    with pytest.raises(ipp.IppError, match=reason):
        ipp.decode(data)


def test_attributes_larger_than_the_limit_are_refused_without_reading_them_all() -> None:
    header = b"\x02\x00\x00\x0b\x00\x00\x00\x01\x01"
    huge = struct.pack(">BH", ipp.TEXT, 1) + b"a" + struct.pack(">H", 60000) + b"x" * 60000
    with pytest.raises(ipp.IppError, match="larger than the printer accepts"):
        ipp.read_message(io.BytesIO(header + huge * 10 + b"\x03"), limit=100_000)


def test_collections_nested_too_deep_are_refused() -> None:
    opening = b"\x34\x00\x00\x00\x00\x4a\x00\x00\x00\x01m"
    data = b"\x02\x00\x00\x0b\x00\x00\x00\x01\x01\x34\x00\x01c\x00\x00\x4a\x00\x00\x00\x01m"
    data += opening * 20
    with pytest.raises(ipp.IppError, match="nested too deep"):
        ipp.decode(data)
