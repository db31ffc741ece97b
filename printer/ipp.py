"""A small encoder/decoder of IPP messages (RFC 8010), the virtual printer's wire format.

It keeps the attributes in the order they were sent (the request checks of RFC 8011 depend on
it) and understands collections (``media-col``...). A message is read from a stream up to its
end-of-attributes tag only: the document data that follows stays in the stream, so the view can
copy it to storage without holding it in memory.
"""

import datetime
import io
import struct
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, BinaryIO

# Group delimiters.
OPERATION = 0x01
JOB = 0x02
END = 0x03
PRINTER = 0x04
UNSUPPORTED = 0x05
GROUP_TAGS = {OPERATION, JOB, PRINTER, UNSUPPORTED, 0x06, 0x07, 0x08, 0x09, 0x0A, 0x0B}

# Value tags.
UNSUPPORTED_VALUE = 0x10
UNKNOWN = 0x12
NO_VALUE = 0x13
INTEGER = 0x21
BOOLEAN = 0x22
ENUM = 0x23
OCTET_STRING = 0x30
DATE_TIME = 0x31
RESOLUTION = 0x32
RANGE = 0x33
BEGIN_COLLECTION = 0x34
TEXT_WITH_LANGUAGE = 0x35
NAME_WITH_LANGUAGE = 0x36
END_COLLECTION = 0x37
TEXT = 0x41
NAME = 0x42
KEYWORD = 0x44
URI = 0x45
URI_SCHEME = 0x46
CHARSET = 0x47
LANGUAGE = 0x48
MIME_TYPE = 0x49
MEMBER_NAME = 0x4A
EXTENSION = 0x7F

OUT_OF_BAND = {UNSUPPORTED_VALUE, 0x11, UNKNOWN, NO_VALUE, 0x15, 0x16, 0x17}
STRINGS = {0x41, 0x42, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49, MEMBER_NAME}

# The attributes part of a request is small (a few hundred bytes from real clients): past
# this, the message is refused rather than read into memory.
MAX_ATTRIBUTES_SIZE = 256 * 1024
MAX_COLLECTION_DEPTH = 10


class IppError(ValueError):
    """The bytes are not a well-formed IPP message; the message says where it went wrong."""


@dataclass
class Attribute:
    """One attribute: its value tag and its values, in order. A collection's value is the list
    of its member attributes."""

    name: str
    tag: int
    values: list[Any] = field(default_factory=list)

    @property
    def value(self) -> Any:
        return self.values[0] if self.values else None


@dataclass
class Group:
    tag: int
    attributes: list[Attribute] = field(default_factory=list)

    def get(self, name: str) -> Attribute | None:
        return next((attribute for attribute in self.attributes if attribute.name == name), None)

    def add(self, name: str, tag: int, *values: Any) -> "Group":
        self.attributes.append(Attribute(name, tag, list(values)))
        return self


@dataclass
class Message:
    """A request (``code`` is the operation id) or a response (``code`` is the status)."""

    version: tuple[int, int]
    code: int
    request_id: int
    groups: list[Group] = field(default_factory=list)

    def group(self, tag: int) -> Group | None:
        return next((group for group in self.groups if group.tag == tag), None)

    def groups_of(self, tag: int) -> Iterator[Group]:
        return (group for group in self.groups if group.tag == tag)

    def add_group(self, tag: int) -> Group:
        group = Group(tag)
        self.groups.append(group)
        return group


# --- Decoding ------------------------------------------------------------------------------------


class _Reader:
    def __init__(self, stream: BinaryIO, limit: int) -> None:
        self.stream = stream
        self.left = limit

    def read(self, count: int) -> bytes:
        if count > self.left:
            raise IppError("the attributes are larger than the printer accepts")
        data = self.stream.read(count)
        # A socket-like stream may return less than asked: read on until EOF.
        while len(data) < count:
            more = self.stream.read(count - len(data))
            if not more:
                raise IppError("the message ends in the middle of an attribute")
            data += more
        self.left -= count
        return data

    def unpack(self, fmt: str) -> tuple[Any, ...]:
        return struct.unpack(fmt, self.read(struct.calcsize(fmt)))


def read_message(stream: BinaryIO, *, limit: int = MAX_ATTRIBUTES_SIZE) -> Message:
    """The message at the start of ``stream``, read up to its end-of-attributes tag."""
    reader = _Reader(stream, limit)
    try:
        major, minor, code, request_id = reader.unpack(">bbhi")
    except IppError:
        raise IppError("the message is shorter than an IPP header") from None
    message = Message((major, minor), code, request_id)
    group: Group | None = None
    previous: Attribute | None = None
    while True:
        (tag,) = reader.unpack(">B")
        if tag == END:
            return message
        if tag < 0x10:
            if tag not in GROUP_TAGS:
                raise IppError(f"unknown group tag 0x{tag:02x}")
            group = message.add_group(tag)
            previous = None
            continue
        if group is None:
            raise IppError("an attribute comes before any group")
        name, value = _read_attribute(reader, tag, depth=0)
        if name:
            previous = Attribute(name, tag, [value])
            group.attributes.append(previous)
        elif previous is None:
            raise IppError("an additional value has no attribute to belong to")
        else:
            previous.values.append(value)


def decode(data: bytes) -> tuple[Message, bytes]:
    """The message and the document data that follows it."""
    stream = io.BytesIO(data)
    message = read_message(stream)
    return message, stream.read()


def _read_attribute(reader: _Reader, tag: int, *, depth: int) -> tuple[str, Any]:
    if tag == EXTENSION:
        raise IppError("extended value tags are not supported")
    (name_length,) = reader.unpack(">H")
    name = reader.read(name_length).decode("utf-8", "replace")
    (value_length,) = reader.unpack(">H")
    raw = reader.read(value_length)
    if tag == BEGIN_COLLECTION:
        if value_length:
            raise IppError(f"{name}: a collection starts with a value")
        return name, _read_collection(reader, name, depth=depth + 1)
    return name, _decode_value(tag, raw, name)


def _read_collection(reader: _Reader, name: str, *, depth: int) -> list[Attribute]:
    if depth > MAX_COLLECTION_DEPTH:
        raise IppError(f"{name}: collections nested too deep")
    members: list[Attribute] = []
    current: Attribute | None = None
    pending_name: str | None = None
    while True:
        (tag,) = reader.unpack(">B")
        if tag < 0x10:
            raise IppError(f"{name}: the collection is not closed")
        member_name, value = _read_attribute(reader, tag, depth=depth)
        if member_name:
            raise IppError(f"{name}: a member value carries a name")
        if tag == END_COLLECTION:
            if pending_name is not None:
                raise IppError(f"{name}: member {pending_name} has no value")
            return members
        if tag == MEMBER_NAME:
            if pending_name is not None:
                raise IppError(f"{name}: member {pending_name} has no value")
            pending_name = value
            continue
        if pending_name is not None:
            current = Attribute(pending_name, tag, [value])
            members.append(current)
            pending_name = None
        elif current is None:
            raise IppError(f"{name}: a member value comes before any member name")
        else:
            current.values.append(value)


def _decode_value(tag: int, raw: bytes, name: str) -> Any:
    def expect(size: int) -> None:
        if len(raw) != size:
            raise IppError(f"{name}: a value of tag 0x{tag:02x} takes {size} bytes")

    if tag in OUT_OF_BAND:
        return None
    if tag in (INTEGER, ENUM):
        expect(4)
        return struct.unpack(">i", raw)[0]
    if tag == BOOLEAN:
        expect(1)
        return raw != b"\x00"
    if tag == RANGE:
        expect(8)
        return struct.unpack(">ii", raw)
    if tag == RESOLUTION:
        expect(9)
        return struct.unpack(">iib", raw)
    if tag == DATE_TIME:
        expect(11)
        return _decode_date(raw, name)
    if tag in (TEXT_WITH_LANGUAGE, NAME_WITH_LANGUAGE):
        return _decode_with_language(raw, name)
    if tag in STRINGS:
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            raise IppError(f"{name}: the text is not UTF-8") from None
    return raw  # octetString and tags we do not know: the bytes as sent


def _decode_date(raw: bytes, name: str) -> datetime.datetime:
    year, month, day, hour, minute, second, deci, sign, hours, minutes = struct.unpack(
        ">HBBBBBBcBB", raw
    )
    offset = datetime.timedelta(hours=hours, minutes=minutes)
    try:
        return datetime.datetime(
            year,
            month,
            day,
            hour,
            minute,
            second,
            deci * 100_000,
            tzinfo=datetime.timezone(-offset if sign == b"-" else offset),
        )
    except ValueError:
        raise IppError(f"{name}: not a real date") from None


def _decode_with_language(raw: bytes, name: str) -> tuple[str, str]:
    try:
        (language_length,) = struct.unpack_from(">H", raw)
        language = raw[2 : 2 + language_length].decode("utf-8")
        (text_length,) = struct.unpack_from(">H", raw, 2 + language_length)
        text = raw[4 + language_length : 4 + language_length + text_length].decode("utf-8")
    except (struct.error, UnicodeDecodeError):
        raise IppError(f"{name}: a text with language is malformed") from None
    if 4 + language_length + text_length != len(raw):
        raise IppError(f"{name}: a text with language is malformed")
    return language, text


# --- Encoding ------------------------------------------------------------------------------------


def encode(message: Message) -> bytes:
    out = bytearray(struct.pack(">bbhi", *message.version, message.code, message.request_id))
    for group in message.groups:
        out.append(group.tag)
        for attribute in group.attributes:
            _encode_attribute(out, attribute)
    out.append(END)
    return bytes(out)


def _encode_attribute(out: bytearray, attribute: Attribute) -> None:
    values = attribute.values or [None]
    for index, value in enumerate(values):
        _encode_value(out, attribute.tag, attribute.name if index == 0 else "", value)


def _encode_value(out: bytearray, tag: int, name: str, value: Any) -> None:
    encoded_name = name.encode()
    if tag == BEGIN_COLLECTION:
        out += struct.pack(">BH", tag, len(encoded_name)) + encoded_name + b"\x00\x00"
        for member in value:
            _encode_value(out, MEMBER_NAME, "", member.name)
            for member_value in member.values or [None]:
                _encode_value(out, member.tag, "", member_value)
        out += struct.pack(">BHH", END_COLLECTION, 0, 0)
        return
    raw = _encode_raw(tag, value)
    if len(raw) > 0xFFFF:
        raise IppError(f"{name}: the value is too long")
    out += struct.pack(">BH", tag, len(encoded_name)) + encoded_name
    out += struct.pack(">H", len(raw)) + raw


def _encode_raw(tag: int, value: Any) -> bytes:
    if tag in OUT_OF_BAND:
        return b""
    if tag in (INTEGER, ENUM):
        return struct.pack(">i", value)
    if tag == BOOLEAN:
        return b"\x01" if value else b"\x00"
    if tag == RANGE:
        return struct.pack(">ii", *value)
    if tag == RESOLUTION:
        return struct.pack(">iib", *value)
    if tag == DATE_TIME:
        return _encode_date(value)
    if tag in (TEXT_WITH_LANGUAGE, NAME_WITH_LANGUAGE):
        language, text = (part.encode() for part in value)
        return struct.pack(">H", len(language)) + language + struct.pack(">H", len(text)) + text
    if isinstance(value, bytes):
        return value
    return str(value).encode()


def _encode_date(value: datetime.datetime) -> bytes:
    offset = value.utcoffset() or datetime.timedelta()
    sign = b"-" if offset < datetime.timedelta() else b"+"
    minutes = abs(int(offset.total_seconds())) // 60
    return struct.pack(
        ">HBBBBBBcBB",
        value.year,
        value.month,
        value.day,
        value.hour,
        value.minute,
        value.second,
        value.microsecond // 100_000,
        sign,
        minutes // 60,
        minutes % 60,
    )
