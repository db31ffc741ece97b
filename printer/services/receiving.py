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
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import exceptions
from audit import services as audit
from documents.validation import MAX_SIZE, RejectedFile, check_pdf_file
from portal.uploads import ensure_temp_dir
from printer import concatenated, ghostscript
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


# An IPP job of several documents: at most this many, of at most this size together (PDFs).
MAX_JOB_DOCUMENTS = 20
MAX_JOB_SIZE = 50 * 1024 * 1024


def create_job(*, owner: Any, name: str, originating_user_name: str) -> PrintJob:
    """A job waiting for its documents (Create-Job, then Send-Document)."""
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
    with _received_pdf(stream, document_format) as pdfs:
        job = create_job(owner=owner, name=name, originating_user_name=originating_user_name)
        try:
            for pdf in pdfs:
                _add_document(job, pdf, document_format, "")
        except BaseException:
            _discard(job, "")
            raise
    _complete(job)
    return job


def send_document(
    *,
    job: PrintJob,
    document_format: str | None,
    stream: BinaryIO,
    last: bool = True,
    name: str = "",
) -> PrintJob:
    """Send-Document: one document of a job made by Create-Job; with ``last`` the job is
    complete and each of its documents waits in the inbox as its own print.

    Anything refused, too many documents, too large together, a document cut short: the job
    is aborted and every document it had received is deleted (nothing half-stored).
    """
    check_format(document_format)
    if job.state not in (PrintJob.State.PENDING, PrintJob.State.PROCESSING):
        raise JobRefused("not-possible", _("This job is finished: it takes no more documents."))
    try:
        with _received_pdf(stream, document_format, empty_allowed=last and bool(job.file)) as pdfs:
            for number, pdf in enumerate(pdfs):
                _add_document(job, pdf, document_format, name if number == 0 else "")
    except BaseException as error:  # refused, or the client went away midway
        _discard(job, str(error) if isinstance(error, JobRefused) else _("The job was cut short."))
        raise
    if last:
        _complete(job)
    return job


@transaction.atomic
def _add_document(job: PrintJob, pdf: BinaryIO, document_format: str | None, name: str) -> None:
    # The job's row locked: two Send-Document at once count and number the documents right.
    PrintJob.objects.select_for_update().filter(pk=job.pk).first()
    job.refresh_from_db()
    if job.state not in (PrintJob.State.PENDING, PrintJob.State.PROCESSING):
        raise JobRefused("not-possible", _("This job is finished: it takes no more documents."))
    documents = list(job.documents.all())
    if job.file and len(documents) + 1 >= MAX_JOB_DOCUMENTS:
        raise _too_many_documents()
    pdf.seek(0, 2)
    total = pdf.tell() + job.size + sum(document.size for document in documents)
    if total > MAX_JOB_SIZE:
        raise JobRefused(
            "request-entity-too-large",
            _("The documents of a print job are larger than %(size)d MB together.")
            % {"size": MAX_JOB_SIZE // (1024 * 1024)},
        )
    if not job.file:
        job.name = (name or job.name)[:255]
        _store(job, pdf, document_format)
        return
    document = PrintJob.objects.create(
        owner=job.owner,
        parent=job,
        document_number=len(documents) + 2,
        name=(name or f"{job.name or 'document'} ({len(documents) + 2})")[:255],
        originating_user_name=job.originating_user_name,
        created_at=job.created_at,
        expires_at=job.expires_at,
        send_token=secrets.token_urlsafe(24),
    )
    _store(document, pdf, document_format)
    # The job's last activity: the multiple-operation time-out counts from here.
    job.completed_at = document.completed_at
    job.save(update_fields=["completed_at"])


def _too_many_documents() -> JobRefused:
    return JobRefused(
        "too-many-documents",
        _("A print job holds at most %(count)d documents: print the others in another job.")
        % {"count": MAX_JOB_DOCUMENTS},
    )


def _store(job: PrintJob, pdf: BinaryIO, document_format: str | None) -> None:
    """Keep one received document; it is not in the inbox before its job is complete."""
    pdf.seek(0, 2)
    job.size = pdf.tell()
    pdf.seek(0)
    job.pages = _page_count(pdf)
    job.file.save(f"{job.uuid.hex}.pdf", File(pdf), save=False)
    job.document_format = document_format or ""
    job.state = PrintJob.State.PROCESSING
    job.state_message = ""
    job.completed_at = timezone.now()
    job.save()


def _page_count(pdf: BinaryIO) -> int:
    with pikepdf.open(pdf.name) as document:
        return len(document.pages)


@transaction.atomic
def _complete(job: PrintJob) -> None:
    """The job's last document came: each of its documents waits in the inbox."""
    now = timezone.now()
    documents = [job, *job.documents.all()]
    PrintJob.objects.filter(pk__in=[document.pk for document in documents]).update(
        state=PrintJob.State.COMPLETED,
        state_message="",
        completed_at=now,
        expires_at=job_expiry(now),
    )
    job.refresh_from_db()
    for document in documents:
        audit.record(
            action="print_job.create",
            actor=job.owner,
            object_type="print_job",
            object_id=document.uuid,
            details={
                "size": document.size,
                "format": document.document_format,
                "job": job.pk,
                "documents": len(documents),
            },
        )


def _discard(job: PrintJob, message: str) -> None:
    """Abort the job and delete every document it had received, files included."""
    with transaction.atomic():
        documents = list(job.documents.all())
        names = [document.file.name for document in [job, *documents] if document.file]
        PrintJob.objects.filter(parent=job).delete()
        job.state = PrintJob.State.ABORTED
        job.state_message = message[:255]
        job.file = ""
        job.size = job.pages = 0
        job.completed_at = timezone.now()
        job.save(update_fields=["state", "state_message", "file", "size", "pages", "completed_at"])
    for name in names:
        job.file.storage.delete(name)


class _received_pdf:
    """The body spooled to a temporary file (never whole in memory), converted to PDF if it
    is a raster, checked by the documents' upload rules; the temporary files go at exit."""

    def __init__(
        self, stream: BinaryIO, document_format: str | None, *, empty_allowed: bool = False
    ) -> None:
        self.stream = stream
        self.document_format = document_format
        self.empty_allowed = empty_allowed  # a last Send-Document may close the job, no data
        self.files: list[Any] = []

    def __enter__(self) -> list[BinaryIO]:
        """The PDFs received: several when the body is PDFs back to back (``concatenated``)."""
        body = self._temporary()
        size = 0
        # A raster or PostScript job is larger than the PDF made of it; PDFs back to back
        # are at most a job's size together.
        limit = MAX_JOB_SIZE if self.document_format == PDF else MAX_RASTER_SIZE
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
        if not start and self.empty_allowed:
            return []
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
            return [self._checked(pdf) for pdf in self._split(body)]
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
        return [self._checked(pdf)]

    def _checked(self, pdf: Any) -> Any:
        pdf.flush()
        pdf.seek(0, 2)
        if pdf.tell() > MAX_SIZE:
            raise JobRefused("request-entity-too-large", _("The document is larger than 20 MB."))
        _check_pdf(pdf.name)
        pdf.seek(0)
        return pdf

    def _split(self, body: Any) -> list[Any]:
        try:
            ranges = concatenated.parts(body.name)
        except concatenated.Damaged:
            raise JobRefused(
                "document-format-error", _("One of the documents is damaged or cut short.")
            ) from None
        if len(ranges) == 1:
            return [body]
        if len(ranges) > MAX_JOB_DOCUMENTS:
            raise _too_many_documents()
        pdfs = []
        for start, end in ranges:
            pdf = self._temporary()
            concatenated.copy_range(body, start, end, pdf)
            pdfs.append(pdf)
        return pdfs

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
    with open(path, "rb") as handle:
        handle.seek(max(0, handle.seek(0, 2) - 1024))
        tail = handle.read()
        # Every PDF writer ends its file with %%EOF: without it, the transfer was cut short.
        if not tail.rstrip(b" \t\r\n\f\x00").endswith(b"%%EOF"):
            raise JobRefused(
                "document-format-error", _("The document is cut short: print it again.")
            )
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
    _discard(job, "")
    job.state = PrintJob.State.CANCELED
    job.save(update_fields=["state"])


# A job made by Create-Job whose next document does not come within this time is aborted.
MULTIPLE_OPERATION_TIME_OUT = 60


def _abort_stale_jobs(owner: Any) -> None:
    limit = timezone.now() - datetime.timedelta(seconds=MULTIPLE_OPERATION_TIME_OUT)
    stale = PrintJob.objects.filter(owner=owner, document_number=1).filter(
        models.Q(state=PrintJob.State.PENDING, created_at__lt=limit)
        | models.Q(state=PrintJob.State.PROCESSING, completed_at__lt=limit)
    )
    for job in stale:
        _discard(job, "No document came in time.")


def ipp_jobs(*, owner: Any, which: str, limit: int = 100) -> list[PrintJob]:
    _abort_stale_jobs(owner)
    # The IPP jobs: a job's 2nd and later documents are not jobs of their own.
    jobs = PrintJob.objects.filter(owner=owner, document_number=1)
    if which == "completed":
        jobs = jobs.filter(state__in=[7, 8, 9])
    elif which != "all":
        jobs = jobs.filter(state__in=[3, 5])
    return list(jobs.order_by("-pk")[:limit])


def ipp_job(*, owner: Any, job_id: int) -> PrintJob:
    """The job with this IPP id: ``NotFound`` if none, ``PermissionError`` if another's."""
    job = PrintJob.objects.filter(pk=job_id, document_number=1).first()
    if job is None:
        raise NotFound
    if job.owner_id != owner.pk:
        raise PermissionError
    _abort_stale_jobs(owner)
    job.refresh_from_db()
    return job


def queued_job_count(owner: Any) -> int:
    if owner is None:
        return 0
    return PrintJob.objects.filter(owner=owner, document_number=1, state__in=[3, 5]).count()


def job_documents(job: PrintJob) -> list[PrintJob]:
    """The documents of an IPP job, in the order they came (none before the first)."""
    if not job.file:
        return []
    return [job, *job.documents.order_by("pk")]
