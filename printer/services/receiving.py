"""The IPP side of a job: formats, Create-Job / Send-Document / Print-Job, storage, Get-Jobs."""

import datetime
import logging
import secrets
import shutil
import tempfile
from typing import Any, BinaryIO

import pikepdf
from django.conf import settings
from django.core.files import File
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import exceptions
from audit import services as audit
from documents.validation import MAX_SIZE, RejectedFile, check_pdf_file
from portal.uploads import ensure_temp_dir
from printer import ghostscript
from printer.models import PrinterToken, PrintJob
from printer.raster import RasterError, raster_to_pdf

logger = logging.getLogger(__name__)

PDF = "application/pdf"
PWG_RASTER = "image/pwg-raster"
OCTET_STREAM = "application/octet-stream"
SUPPORTED_FORMATS = (PDF, PWG_RASTER)
# A raster page is far larger than the PDF made of it: 200 MB of raster is ~60 pages.
MAX_RASTER_SIZE = 200 * 1024 * 1024
CHUNK = 64 * 1024


class NotFound(exceptions.NotFound):
    """No such job for this clinician (or none at all): a 404."""


class JobRefused(Exception):
    """A document the printer does not take; ``reason`` names the IPP status to answer."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


def job_expiry(start: datetime.datetime) -> datetime.datetime:
    return start + datetime.timedelta(days=settings.PRINTER_JOB_DAYS)


def check_format(document_format: str | None) -> None:
    if document_format not in (None, "", PDF, PWG_RASTER, OCTET_STREAM):
        raise JobRefused(
            "document-format-not-supported",
            _("Only PDF and PWG raster documents can be printed here."),
        )


def create_job(*, owner: Any, name: str, originating_user_name: str) -> PrintJob:
    """A job waiting for its document (Create-Job, then Send-Document)."""
    now = timezone.now()
    PrinterToken.objects.filter(user=owner).update(last_used_at=now)
    return PrintJob.objects.create(
        owner=owner,
        name=name[:255],
        originating_user_name=originating_user_name[:255] or owner.email,
        created_at=now,
        expires_at=job_expiry(now),
        send_token=secrets.token_urlsafe(24),
    )


def print_job(
    *,
    owner: Any,
    name: str,
    originating_user_name: str,
    document_format: str | None,
    stream: BinaryIO,
) -> PrintJob:
    """Print-Job: check the format, receive and check the document, then keep the job."""
    check_format(document_format)
    with _received_pdf(stream, document_format) as pdf:
        job = create_job(owner=owner, name=name, originating_user_name=originating_user_name)
        _store(job, pdf, document_format)
    return job


def send_document(*, job: PrintJob, document_format: str | None, stream: BinaryIO) -> PrintJob:
    """Send-Document: the document of a job made by Create-Job; refused, the job is aborted."""
    check_format(document_format)
    if job.state != PrintJob.State.PENDING:
        raise JobRefused("not-possible", _("This job already has its document."))
    try:
        with _received_pdf(stream, document_format) as pdf:
            _store(job, pdf, document_format)
    except JobRefused as refusal:
        job.state = PrintJob.State.ABORTED
        job.state_message = str(refusal)[:255]
        job.save(update_fields=["state", "state_message"])
        raise
    return job


def _store(job: PrintJob, pdf: BinaryIO, document_format: str | None) -> None:
    now = timezone.now()
    pdf.seek(0, 2)
    job.size = pdf.tell()
    pdf.seek(0)
    job.file.save(f"{job.uuid.hex}.pdf", File(pdf), save=False)
    job.document_format = document_format or ""
    job.state = PrintJob.State.COMPLETED
    job.state_message = ""
    job.completed_at = now
    job.expires_at = job_expiry(now)
    job.save()
    audit.record(
        action="print_job.create",
        actor=job.owner,
        object_type="print_job",
        object_id=job.uuid,
        details={"size": job.size, "format": job.document_format},
    )


class _received_pdf:
    """The body spooled to a temporary file (never whole in memory), converted to PDF if it
    is a raster, checked by the documents' upload rules; the temporary files go at exit."""

    def __init__(self, stream: BinaryIO, document_format: str | None) -> None:
        self.stream = stream
        self.document_format = document_format
        self.files: list[Any] = []

    def __enter__(self) -> BinaryIO:
        body = self._temporary()
        size = 0
        # A raster or PostScript job is larger than the PDF made of it.
        limit = MAX_SIZE if self.document_format == PDF else MAX_RASTER_SIZE
        while chunk := self.stream.read(CHUNK):
            size += len(chunk)
            if size > limit:
                raise JobRefused(
                    "request-entity-too-large", _("The document is larger than 20 MB.")
                )
            body.write(chunk)
        body.flush()
        body.seek(0)
        start = body.read(5)
        body.seek(0)
        if not start:
            raise JobRefused("bad-request", _("The job has no document."))
        if start.startswith(b"RaS2") and self.document_format in (
            None,
            "",
            PWG_RASTER,
            OCTET_STREAM,
        ):
            pdf = self._temporary()
            try:
                raster_to_pdf(body, pdf)
            except RasterError as error:
                raise JobRefused("document-format-error", str(error)) from None
        elif start == b"%PDF-" and self.document_format in (None, "", PDF, OCTET_STREAM):
            pdf = body
        elif self.document_format in (None, "", OCTET_STREAM) and (
            (offset := ghostscript.postscript_start(body.read(ghostscript.MAX_PJL_HEADER)))
            is not None
        ):
            pdf = self._from_postscript(body, offset)
        elif self.document_format in (PDF, PWG_RASTER):
            raise JobRefused(
                "document-format-error", _("The document is not of the format announced.")
            )
        else:
            raise JobRefused(
                "document-format-not-supported",
                _("Only PDF and PWG raster documents can be printed here."),
            )
        pdf.flush()
        pdf.seek(0, 2)
        if pdf.tell() > MAX_SIZE:
            raise JobRefused("request-entity-too-large", _("The document is larger than 20 MB."))
        _check_pdf(pdf.name)
        pdf.seek(0)
        return pdf

    def _from_postscript(self, body: Any, offset: int) -> Any:
        """Windows' legacy path: PostScript (maybe behind a PJL header) through Ghostscript."""
        source = body
        if offset:
            source = self._temporary()
            body.seek(offset)
            shutil.copyfileobj(body, source, CHUNK)
            source.flush()
        pdf = self._temporary()
        try:
            ghostscript.postscript_to_pdf(source.name, pdf.name)
        except ghostscript.GhostscriptError as error:
            logger.warning("PostScript job refused: %s", error)
            raise JobRefused(
                "document-format-error", _("This PostScript document could not be converted.")
            ) from None
        return pdf

    def __exit__(self, *exc: object) -> None:
        for handle in self.files:
            handle.close()

    def _temporary(self) -> Any:
        """A spool file beside the other received files (FILE_UPLOAD_TEMP_DIR, a local disk)."""
        ensure_temp_dir()
        handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 - closed by __exit__
            prefix="print-job-", suffix=".tmp", dir=settings.FILE_UPLOAD_TEMP_DIR or None
        )
        self.files.append(handle)
        return handle


def _check_pdf(path: str) -> None:
    try:
        with pikepdf.open(path) as pdf:
            pages = len(pdf.pages)
    except pikepdf.PdfError:
        raise JobRefused("document-format-error", _("This PDF is damaged or unreadable.")) from None
    if not pages:
        raise JobRefused("document-format-error", _("The document has no page."))
    try:
        check_pdf_file(path, "document")
    except RejectedFile as error:
        raise JobRefused("document-security-error", str(error)) from None


def cancel_job(*, job: PrintJob) -> None:
    if job.state not in (PrintJob.State.PENDING, PrintJob.State.PROCESSING):
        raise JobRefused("not-possible", _("This job is finished: it cannot be canceled."))
    job.state = PrintJob.State.CANCELED
    job.save(update_fields=["state"])


# A job made by Create-Job whose document does not come within this time is aborted.
MULTIPLE_OPERATION_TIME_OUT = 60


def _abort_stale_jobs(owner: Any) -> None:
    limit = timezone.now() - datetime.timedelta(seconds=MULTIPLE_OPERATION_TIME_OUT)
    PrintJob.objects.filter(owner=owner, state=PrintJob.State.PENDING, created_at__lt=limit).update(
        state=PrintJob.State.ABORTED, state_message="No document came in time."
    )


def ipp_jobs(*, owner: Any, which: str, limit: int = 100) -> list[PrintJob]:
    _abort_stale_jobs(owner)
    jobs = PrintJob.objects.filter(owner=owner)
    if which == "completed":
        jobs = jobs.filter(state__in=[7, 8, 9])
    elif which != "all":
        jobs = jobs.filter(state__in=[3, 5])
    return list(jobs.order_by("-pk")[:limit])


def ipp_job(*, owner: Any, job_id: int) -> PrintJob:
    """The job with this IPP id: ``NotFound`` if none, ``PermissionError`` if another's."""
    job = PrintJob.objects.filter(pk=job_id).first()
    if job is None:
        raise NotFound
    if job.owner_id != owner.pk:
        raise PermissionError
    _abort_stale_jobs(owner)
    job.refresh_from_db(fields=["state", "state_message"])
    return job


def queued_job_count(owner: Any) -> int:
    if owner is None:
        return 0
    return PrintJob.objects.filter(owner=owner, state__in=[3, 5]).count()
