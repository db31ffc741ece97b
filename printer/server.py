"""The IPP printer: request checks, operations and attributes (RFC 8011, PWG 5100.12).

``handle`` takes the request's stream (the message, then the document) and returns the
encoded response. The checks run in ippeveprinter's order; Get-Printer-Attributes never asks
who is printing, every job operation needs the printer address's token.
"""

import datetime
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, BinaryIO

from printer import attributes, ipp, services
from printer.models import PrintJob

# Operations.
PRINT_JOB = 0x0002
VALIDATE_JOB = 0x0004
CREATE_JOB = 0x0005
SEND_DOCUMENT = 0x0006
CANCEL_JOB = 0x0008
GET_JOB_ATTRIBUTES = 0x0009
GET_JOBS = 0x000A
GET_PRINTER_ATTRIBUTES = 0x000B
OPERATIONS = [
    PRINT_JOB,
    VALIDATE_JOB,
    CREATE_JOB,
    SEND_DOCUMENT,
    CANCEL_JOB,
    GET_JOB_ATTRIBUTES,
    GET_JOBS,
    GET_PRINTER_ATTRIBUTES,
]

# Status codes.
STATUS = {
    "ok": 0x0000,
    "bad-request": 0x0400,
    "not-authorized": 0x0403,
    "not-possible": 0x0404,
    "not-found": 0x0406,
    "request-entity-too-large": 0x0409,
    "document-format-not-supported": 0x040A,
    "charset-not-supported": 0x040D,
    "compression-not-supported": 0x040F,
    "document-format-error": 0x0410,
    "document-security-error": 0x0413,
    "too-many-documents": 0x050C,
    "internal-error": 0x0500,
    "operation-not-supported": 0x0501,
    "version-not-supported": 0x0503,
}


class AuthenticationRequired(Exception):
    """A job operation on the plain address without the right user name and password: the
    view answers HTTP 401 with a Basic challenge (RFC 8010 8.1)."""


class Refusal(Exception):
    def __init__(self, reason: str, message: str = "") -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


@dataclass
class Context:
    """What the view knows of the printer addressed: its URI, its owner (None for a wrong
    token or password), where a job can be seen in the portal, and whether it is the plain
    address, whose clinician proves who they are by HTTP Basic authentication."""

    printer_uri: str
    secure: bool
    owner: Any
    more_info: str
    job_page: Callable[[PrintJob], str]
    basic_auth: bool = False


@dataclass(frozen=True)
class Call:
    """One operation to answer: the request, the response being built, the request's
    operation attributes, the document that follows them, and the printer addressed."""

    request: ipp.Message
    response: ipp.Message
    operation: ipp.Group
    stream: BinaryIO
    context: Context


def handle(stream: BinaryIO, context: Context) -> bytes:
    try:
        request = ipp.read_message(stream)
    except (ipp.IppError, OSError) as error:  # OSError: the client went away midway
        return _error((2, 0), 1, "bad-request", f"Malformed IPP message: {error}")
    version = request.version if request.version[0] in (1, 2) else (2, 0)
    request_id = request.request_id  # echoed back, even when it is refused
    try:
        operation = _check(request)
        response = ipp.Message(version, STATUS["ok"], request_id)
        response.add_group(ipp.OPERATION).add("attributes-charset", ipp.CHARSET, "utf-8").add(
            "attributes-natural-language", ipp.LANGUAGE, "en"
        )
        _HANDLERS[request.code](Call(request, response, operation, stream, context))
    except services.JobRefused as refusal:  # a document or job the printer does not take
        return _error(version, request_id, refusal.reason, str(refusal))
    except (ipp.IppError, OSError) as error:  # the document cut short, its chunks broken
        return _error(version, request_id, "bad-request", f"Malformed request: {error}")
    except Refusal as refusal:
        return _error(version, request_id, refusal.reason, refusal.message)
    return ipp.encode(response)


def _error(version: tuple[int, int], request_id: int, reason: str, message: str) -> bytes:
    response = ipp.Message(version, STATUS[reason], request_id)
    group = response.add_group(ipp.OPERATION)
    group.add("attributes-charset", ipp.CHARSET, "utf-8")
    group.add("attributes-natural-language", ipp.LANGUAGE, "en")
    if message:
        group.add("status-message", ipp.TEXT, message[:255])
    return ipp.encode(response)


def _check(request: ipp.Message) -> ipp.Group:
    """RFC 8011 4.1 and ippeveprinter's checks, in its order; the operation group."""
    if request.version[0] not in (1, 2):
        raise Refusal("version-not-supported", "Only IPP 1.x and 2.x are supported.")
    if request.request_id <= 0:
        raise Refusal("bad-request", "The request-id must be greater than 0.")
    tags = [group.tag for group in request.groups]
    if (
        not tags
        or tags[0] != ipp.OPERATION
        or tags != sorted(tags)
        or not request.groups[0].attributes
    ):
        raise Refusal("bad-request", "Missing or misordered attribute groups.")
    operation = request.groups[0]
    attributes = operation.attributes
    if attributes[0].name != "attributes-charset" or attributes[0].tag != ipp.CHARSET:
        raise Refusal("bad-request", "The first attribute must be attributes-charset.")
    if (
        len(attributes) < 2
        or attributes[1].name != "attributes-natural-language"
        or attributes[1].tag != ipp.LANGUAGE
    ):
        raise Refusal("bad-request", "The second attribute must be attributes-natural-language.")
    if str(attributes[0].value).lower() not in ("utf-8", "us-ascii"):
        raise Refusal("charset-not-supported", "Only utf-8 is supported.")
    if operation.get("printer-uri") is None and operation.get("job-uri") is None:
        raise Refusal("bad-request", "Missing printer-uri.")
    if request.code not in _HANDLERS:
        raise Refusal("operation-not-supported", "This operation is not supported.")
    return operation


def _owner(context: Context) -> Any:
    if context.owner is None and context.basic_auth:
        raise AuthenticationRequired
    if context.owner is None:
        raise Refusal("not-authorized")
    return context.owner


def _value(group: ipp.Group | None, name: str, default: Any = None) -> Any:
    attribute = group.get(name) if group is not None else None
    return attribute.value if attribute is not None and attribute.values else default


def _requested(operation: ipp.Group) -> set[str] | None:
    attribute = operation.get("requested-attributes")
    if attribute is None:
        return None
    requested = {str(value) for value in attribute.values}
    # The group names ask for every attribute of their group: all of ours.
    everything = {"all", "printer-description", "job-template", "job-description"}
    return None if requested & everything else requested


def _check_job_request(operation: ipp.Group, request: ipp.Message) -> None:
    compression = _value(operation, "compression", "none")
    if compression != "none":
        raise Refusal("compression-not-supported", "Only uncompressed documents are supported.")
    services.check_format(_value(operation, "document-format"))


# --- Operations -----------------------------------------------------------------------------


def _get_printer_attributes(call: Call) -> None:
    requested = _requested(call.operation)
    group = call.response.add_group(ipp.PRINTER)
    for attribute in attributes.printer_attributes(
        printer_uri=call.context.printer_uri,
        secure=call.context.secure,
        more_info=call.context.more_info,
        queued_jobs=services.queued_job_count(call.context.owner),
        operations=OPERATIONS,
        basic_auth=call.context.basic_auth,
    ):
        if (
            requested is None
            or attribute.name in requested
            or ("media-col-database" in requested and attribute.name == "media-col-database")
        ):
            group.attributes.append(attribute)


def _validate_job(call: Call) -> None:
    _owner(call.context)
    _check_job_request(call.operation, call.request)


def _print_job(call: Call) -> None:
    owner = _owner(call.context)
    _check_job_request(call.operation, call.request)
    job = services.print_job(
        owner=owner,
        name=_job_name(call.operation, call.request),
        originating_user_name=str(_value(call.operation, "requesting-user-name", "")),
        document_format=_value(call.operation, "document-format"),
        stream=call.stream,
    )
    _job_summary(call.response, job, call.context)


def _create_job(call: Call) -> None:
    owner = _owner(call.context)
    job = services.create_job(
        owner=owner,
        name=_job_name(call.operation, call.request),
        originating_user_name=str(_value(call.operation, "requesting-user-name", "")),
    )
    _job_summary(call.response, job, call.context)


def _send_document(call: Call) -> None:
    job = _target_job(call.operation, call.context)
    last = _value(call.operation, "last-document")
    if not isinstance(last, bool):
        raise Refusal("bad-request", "Missing last-document.")
    _check_job_request(call.operation, call.request)
    services.send_document(
        job=job,
        document_format=_value(call.operation, "document-format"),
        stream=call.stream,
        last=last,
        name=_name(call.operation, "document-name"),
    )
    _job_summary(call.response, job, call.context)


def _cancel_job(call: Call) -> None:
    job = _target_job(call.operation, call.context)
    services.cancel_job(job=job)


def _get_job_attributes(call: Call) -> None:
    job = _target_job(call.operation, call.context)
    requested = _requested(call.operation)
    _add_job(call.response, job, call.context, requested)


def _get_jobs(call: Call) -> None:
    owner = _owner(call.context)
    which = str(_value(call.operation, "which-jobs", "not-completed"))
    if which not in ("completed", "not-completed", "all"):
        raise Refusal("bad-request", "which-jobs must be completed, not-completed or all.")
    limit = _value(call.operation, "limit", 100)
    requested = _requested(call.operation)
    if call.operation.get("requested-attributes") is None:
        requested = {"job-id", "job-uri"}
    for job in services.ipp_jobs(owner=owner, which=which, limit=max(1, min(int(limit), 100))):
        _add_job(call.response, job, call.context, requested)


_HANDLERS: dict[int, Callable[[Call], None]] = {
    PRINT_JOB: _print_job,
    VALIDATE_JOB: _validate_job,
    CREATE_JOB: _create_job,
    SEND_DOCUMENT: _send_document,
    CANCEL_JOB: _cancel_job,
    GET_JOB_ATTRIBUTES: _get_job_attributes,
    GET_JOBS: _get_jobs,
    GET_PRINTER_ATTRIBUTES: _get_printer_attributes,
}


# --- Jobs -----------------------------------------------------------------------------------


def _job_name(operation: ipp.Group, request: ipp.Message) -> str:
    return _name(operation, "job-name") or _name(operation, "document-name")


def _name(operation: ipp.Group, attribute: str) -> str:
    name = _value(operation, attribute) or ""
    if isinstance(name, tuple):  # nameWithLanguage
        name = name[1]
    return str(name)


def _target_job(operation: ipp.Group, context: Context) -> PrintJob:
    owner = _owner(context)
    job_id = _value(operation, "job-id")
    if job_id is None:
        job_uri = str(_value(operation, "job-uri", ""))
        tail = job_uri.rstrip("/").rsplit("/", 1)[-1]
        job_id = int(tail) if tail.isdigit() else None
    if not isinstance(job_id, int) or job_id <= 0:
        raise Refusal("bad-request", "Missing job-id.")
    try:
        return services.ipp_job(owner=owner, job_id=job_id)
    except services.NotFound:
        raise Refusal("not-found", "No such job.") from None
    except PermissionError:
        raise Refusal("not-authorized") from None


def _job_summary(response: ipp.Message, job: PrintJob, context: Context) -> None:
    _add_job(
        response,
        job,
        context,
        {"job-id", "job-uri", "job-state", "job-state-reasons", "job-state-message"},
    )


_REASONS = {
    PrintJob.State.PENDING: "job-incoming",
    PrintJob.State.PROCESSING: "job-incoming",
    PrintJob.State.CANCELED: "job-canceled-by-user",
    PrintJob.State.ABORTED: "aborted-by-system",
    PrintJob.State.COMPLETED: "job-completed-successfully",
}


def _seconds(moment: datetime.datetime | None) -> int | None:
    return int(moment.timestamp()) if moment is not None else None


def _add_job(
    response: ipp.Message, job: PrintJob, context: Context, requested: set[str] | None
) -> None:
    completed = job.completed_at if job.state >= PrintJob.State.CANCELED else None
    documents = services.job_documents(job)
    done = job.state == PrintJob.State.COMPLETED
    state_message = job.state_message or (
        "Waiting in the print inbox." if job.state == PrintJob.State.COMPLETED else ""
    )
    attributes = [
        ("job-id", ipp.INTEGER, [job.pk]),
        ("job-uri", ipp.URI, [f"{context.printer_uri}/{job.pk}"]),
        ("job-printer-uri", ipp.URI, [context.printer_uri]),
        ("job-more-info", ipp.URI, [context.job_page(job)]),
        ("job-name", ipp.NAME, [job.name or "document"]),
        ("job-originating-user-name", ipp.NAME, [job.originating_user_name or "-"]),
        ("job-state", ipp.ENUM, [job.state]),
        ("job-state-reasons", ipp.KEYWORD, [_REASONS[job.state]]),
        ("job-state-message", ipp.TEXT, [state_message or "-"]),
        ("number-of-documents", ipp.INTEGER, [len(documents)]),
        ("job-k-octets", ipp.INTEGER, [(sum(d.size for d in documents) + 1023) // 1024]),
        ("job-impressions", ipp.INTEGER, [sum(d.pages for d in documents)]),
        ("job-impressions-completed", ipp.INTEGER, [sum(d.pages for d in documents) * done]),
        ("time-at-creation", ipp.INTEGER, [_seconds(job.created_at)]),
        ("time-at-processing", ipp.INTEGER, [_seconds(job.created_at)]),
        ("date-time-at-creation", ipp.DATE_TIME, [job.created_at]),
        ("date-time-at-processing", ipp.DATE_TIME, [job.created_at]),
        ("job-printer-up-time", ipp.INTEGER, [int(time.time())]),
    ]
    if completed is not None:
        attributes += [
            ("time-at-completed", ipp.INTEGER, [_seconds(completed)]),
            ("date-time-at-completed", ipp.DATE_TIME, [completed]),
        ]
    else:
        attributes += [
            ("time-at-completed", ipp.NO_VALUE, [None]),
            ("date-time-at-completed", ipp.NO_VALUE, [None]),
        ]
    group = response.add_group(ipp.JOB)
    for name, tag, values in attributes:
        if requested is None or name in requested:
            group.attributes.append(ipp.Attribute(name, tag, values))
