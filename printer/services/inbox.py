"""The clinician's side: "Impressions en attente", the preview, expiry and the wizard."""

import datetime
import logging
import shutil
import tempfile
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.files import File
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import exceptions
from audit import services as audit
from documents import services as documents
from documents.models import Dispatch, DocumentType, Professional
from printer import ghostscript
from printer.models import PrintJob
from printer.services.receiving import CHUNK, NotFound, job_expiry

logger = logging.getLogger(__name__)


# --- The inbox ------------------------------------------------------------------------------


def waiting_jobs(user: Any) -> QuerySet[PrintJob]:
    """ "Impressions en attente": received, not sent, not expired, newest first."""
    return PrintJob.objects.filter(
        owner=user,
        state=PrintJob.State.COMPLETED,
        dispatch__isnull=True,
        expires_at__gt=timezone.now(),
    ).order_by("-created_at", "-pk")


@dataclass(frozen=True)
class DeskCard:
    count: int
    latest: list[PrintJob]


def desk_card(user: Any) -> DeskCard:
    jobs = waiting_jobs(user)
    latest = list(jobs[:3])
    count = len(latest) if len(latest) < 3 else jobs.count()
    return DeskCard(count=count, latest=latest)


def get_job_for_user(*, user: Any, job_uuid: uuid.UUID | str) -> PrintJob:
    """A waiting job of this clinician; anyone else's, sent or expired: ``NotFound``."""
    job = (
        waiting_jobs(user).select_related("document_type", "identity").filter(uuid=job_uuid).first()
    )
    if job is None:
        raise NotFound
    return job


def job_thumbnail(*, job: PrintJob, dpi: int = 40) -> bytes:
    """The first page as a small PNG (Ghostscript, sandboxed); ``NotFound`` without it."""
    if not ghostscript.available():
        raise NotFound
    with tempfile.NamedTemporaryFile(suffix=".pdf") as copy, job.file.open("rb") as handle:
        shutil.copyfileobj(handle, copy, CHUNK)
        copy.flush()
        try:
            return ghostscript.first_page_png(copy.name, dpi=dpi)
        except ghostscript.GhostscriptError:
            raise NotFound from None


def open_job_file(*, job: PrintJob, user: Any, ip: str | None = None) -> Any:
    audit.record(
        action="print_job.read",
        actor=user,
        ip=ip,
        object_type="print_job",
        object_id=job.uuid,
    )
    return job.file.open("rb")


@transaction.atomic
def delete_job(*, job: PrintJob) -> None:
    name = job.file.name
    job.delete()
    if name:
        transaction.on_commit(lambda: job.file.storage.delete(name))


def expire_jobs(*, now: datetime.datetime | None = None) -> int:
    """Delete the jobs past their expiry (sent or not) and their files; return how many."""
    now = now or timezone.now()
    count = 0
    for job in PrintJob.objects.filter(expires_at__lte=now).order_by("pk").iterator():
        delete_job(job=job)
        count += 1
    return count


# --- The wizard -----------------------------------------------------------------------------


def _touch(job: PrintJob, fields: list[str]) -> None:
    job.expires_at = job_expiry(timezone.now())
    job.save(update_fields=[*fields, "expires_at"])


def set_document_type(*, job: PrintJob, name: str, document_type: DocumentType) -> None:
    job.name = name.strip()[:255] or job.name
    job.document_type = document_type
    _touch(job, ["name", "document_type"])


def set_patient(*, job: PrintJob, identity: Any) -> None:
    job.identity = identity
    _touch(job, ["identity"])


def set_recipients(*, job: PrintJob, professionals: Iterable[Professional]) -> None:
    job.professionals.set(list(professionals))
    job.recipients_chosen = True
    _touch(job, ["recipients_chosen"])


@dataclass(frozen=True)
class JobRecap:
    """What step 4 shows: whether "Copie au patient" can be ticked, and the chosen recipients."""

    has_portal: bool
    professionals: list[Professional]
    initial: dict[str, Any]


def job_recap(*, job: PrintJob, by: Any, ip: str | None = None) -> JobRecap:
    """The summary of a job before sending; showing the patient's identity is traced."""
    if job.identity is None:
        raise NotFound
    has_portal = documents.has_active_portal(job.identity)
    professionals = list(job.professionals.select_related("organisation").order_by("last_name"))
    audit.record(
        action="identity.read",
        actor=by,
        ip=ip,
        object_type="identity",
        object_id=job.identity.uuid,
    )
    return JobRecap(
        has_portal=has_portal,
        professionals=professionals,
        initial={
            "token": job.send_token,
            "copy_to_patient": has_portal,
            "correspondents": [professional.rpps for professional in professionals],
        },
    )


class SendError(exceptions.Refused):
    """The sending was refused; the message is safe to show."""


def send_job(
    *, job: PrintJob, sender: Any, copy_to_patient: bool, ip: str | None = None
) -> Dispatch:
    """Send the printed document through the documents' dispatch service, once.

    The job row is locked: a second click waits for the first and gets its sending.
    """
    with transaction.atomic():
        job = PrintJob.objects.select_for_update().get(pk=job.pk)
        if job.dispatch is not None:
            return job.dispatch
        if job.document_type is None or job.identity is None:
            raise SendError(_("Choose the document type and the patient first."))
        with job.file.open("rb") as handle:
            upload = File(handle, name=f"{job.name or 'document'}.pdf")
            try:
                dispatch = documents.dispatch_documents(
                    identity=job.identity,
                    documents=[
                        documents.NewDocument(
                            name=job.name, document_type=job.document_type, upload=upload
                        )
                    ],
                    sender=sender,
                    copy_to_patient=copy_to_patient,
                    professionals=list(job.professionals.all()),
                    source="printer",
                    token=job.send_token,
                    ip=ip,
                )
            except documents.DispatchError as error:
                raise SendError(str(error)) from None
        job.dispatch = dispatch
        job.save(update_fields=["dispatch"])
        name = job.file.name
        # The document now lives in the documents' storage: the job's copy goes.
        if name:
            transaction.on_commit(lambda: job.file.storage.delete(name))
    return dispatch
