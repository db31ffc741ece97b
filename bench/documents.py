"""Documents: upload of a 10 MB PDF, a sending to 3 recipients, a streamed 20 MB download, and
"Documents reçus" with a million documents in the table.

Everything runs in this process, on ``portal_bench`` (PostgreSQL) and Redis db 13, through the
product's own code: Django's test ``Client`` (the real middleware stack, multipart parsing, views
and templates; DEBUG off, development settings as ``scripts/bench`` gives them) or the service
functions. Each latency is taken after a warm-up that is not counted. The details of each
latency row (``results.json``) give ``cpu_of_other_processes_percent``, the share of the 2 cores
that other processes (a test run, another benchmark, their PostgreSQL backends) took meanwhile;
past 10 % the log warns: such figures say little about the code, re-run.

Fixtures (created on the first run, reused after):

* **the sender** is seed_demo's clinician Claire MARTIN; **the correspondents** are seed_demo's
  directory entries BERNARD (10001003002) and PETIT (10001004000), who both have an MSSanté
  address, so each gets an email;
* **the patient** is an identity of our own (BENCH-DOCUMENTS Patiente, ``patiente@documents.
  bench.test``) with an active portal created by ``portal.services.create_portal``: the demo's
  Bobby is left to the ``portal-documents`` benchmark, which counts his deliveries;
* **Celery**: tasks are not eager (``REDIS_URL`` is Redis db 13). For the duration of the
  benchmark the application's default queue and the outbox's two queues are ``bench-documents``,
  which no worker consumes: the on-commit enqueue does its real work (one message pushed to
  Redis per notification), and nothing is sent. The messages are counted (one per notification
  expected, else the enqueue failed and the benchmark errs) and purged after each measure.

Rows:

* **upload 10 MB PDF: POST "Envoyer un document", server time**. A 10.0 MB PDF (10 A4 pages,
  each drawing a 1 MB JPEG image XObject of seeded noise, made with Pillow and assembled with
  pikepdf; no active content) is posted to ``documents:send`` for the patient, as a logged-in
  clinician (``harness.log_in``: both factors), with the form's fields (``documents`` formset of
  3 rows, the first filled, a type, a new name; copy to the patient; 2 correspondents by RPPS;
  a fresh token each round). The multipart body is encoded once, before timing; each round only
  swaps the token.
  Timed: ``Client.generic("POST", ...)``, i.e. the WSGI request built around the body in memory,
  the middleware, the multipart parsing (the file goes to a temporary file past 256 kB), the forms,
  ``check_upload`` (pikepdf), the file written to the storage (``var/bench/media``), the
  transaction (sending, document, 3 deliveries, 2 audit rows, 3 notification rows with their
  templates rendered), the 3 on-commit enqueues, and the redirect to the recap. Each answer must
  be the 302 to the sending's recap, with the stored size right. 25 rounds after 3 of warm-up.
  Target p95 ≤ 300 ms. Informative: ``documents.validation.check_upload`` alone on the same file.
* **dispatch 1 small document to patient + 2 professionals**: ``services.dispatch_documents``
  called directly with a 1-page PDF of 53 kB (one small image), ``copy_to_patient=True`` and the
  2 correspondents: the check of the file, its write to the storage, the transaction (sending,
  document, 3 deliveries, 2 audit rows, 3 notification rows: 1 email to the portal holder, 1 to
  each professional), the commit and the 3 on-commit enqueues to Redis. 150 rounds after 20 of
  warm-up. Target p95 ≤ 100 ms. Queries per sending are counted on one more, untimed, sending.
* **download 20 MB / 2 MB**: a 20.0 MB and a 2.0 MB PDF (incompressible JPEG streams) are stored
  through ``dispatch_documents``, then each is downloaded in a **fresh subprocess**
  (``python -m bench.documents download-probe``): Django set up, the sender logged in, a small
  document downloaded twice (imports, templates, connections warm), then ``GET documents:
  download`` through the test Client, ``response.streaming_content`` consumed chunk by chunk and
  hashed (the SHA-256 and the size must match the stored document). Measured around that
  request: the growth of the process's peak RSS (``VmHWM`` reset through
  ``/proc/self/clear_refs``, against ``VmRSS`` before), and, on a second download of the same
  file, the peak of Python allocations (``tracemalloc``, peak reset before the request, minus
  what was allocated before). "Flat" means the peak does not grow with the file: the target is
  a peak allocation ≤ 4 MB for 20 MB; the 2 MB figures and the ratio 20 MB / 2 MB are printed
  beside it (about 1 when streamed, about 10 when the file is read at once). The view reads the
  file once for its SHA-256 check, by 1 MB chunks, then streams it by 4 kB blocks.
* **"Documents reçus"**: 1,000,000 documents, each in its own sending delivered to one
  professional, are loaded by SQL (``INSERT ... SELECT ... FROM generate_series``, one
  transaction, then ``VACUUM ANALYZE``): 3,000 identities of our own, 500 sending clinicians,
  2,000 directory entries; one sending in 200 goes to the measured professional (a clinician
  account linked to its directory entry: 5,000 received documents), the others are spread over the
  1,999 other entries; one sending every 90 s over 2.9 years; the newest 2,000 unread. The
  measured professional is one of the 500 senders too (2,000 sendings, listed by "Mes envois", a
  page of its own since the first run). Bench rows are recognisable: users, identities and entries
  under ``@documents.bench.test`` (RPPS 99...), sendings keyed ``bench-received-N``, documents
  named ``bench.pdf`` stored as ``bench/received.pdf`` (no file: never downloaded). They are kept
  and reused by the next runs (the row says "reused"), reloaded if their count is not the expected
  one. Our own identities rather than the synthetic ones of the ``identities`` benchmark: its
  ``--truncate`` reload deletes those, which documents pointing to them would forbid. Measured:
  ``GET /documents/recus/`` through the test Client as that professional, 60 requests after 10 of
  warm-up, target p95 ≤ 50 ms; the same for the second page (``?apres=`` taken from the first
  page's "Documents plus anciens" link). Both pages are checked against ``received_documents()``
  (the same 50 documents, in order). Informative: ``received_documents`` and
  ``sent_dispatches`` (the "Mes envois" page) alone, and the ``EXPLAIN (ANALYZE, BUFFERS)`` plans
  of the queries of ``received_documents`` (both pages) and ``sent_dispatches``, written to
  ``<out>/documents-explain.txt``; the row "plan uses delivery_professional_recent" is 1 when the
  plan of ``received_documents`` names that index.

Clean-up: the sendings made by the timed measures (keyed ``bench-send-...``), their documents
and files, deliveries and notification rows are deleted at the end, even after an error or
Ctrl-C; the leftovers of a killed run (older than 10 minutes), at the next start. The
access-log rows they wrote stay (``audit_accesslog`` is append-only on PostgreSQL): about 400
per run. The bench patient, its portal and the million are kept. Two runs at the same time on
the same database would disturb each other (one Redis queue, whose messages are counted).
"""

import gc
import hashlib
import html
import io
import json
import math
import os
import random
import re
import secrets
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from bench.harness import (
    BenchError,
    Context,
    OtherProcesses,
    Row,
    at_least,
    at_most,
    benchmark,
    log_in,
    percentile,
    setup_django,
)

QUEUE = "bench-documents"
DOMAIN = "documents.bench.test"
SENDER_EMAIL = "claire.martin@portail.test"  # seed_demo
CORRESPONDENTS = ("10001003002", "10001004000")  # seed_demo: BERNARD, PETIT (MSSanté)
PATIENT_EMAIL = f"patiente@{DOMAIN}"
PATIENT_MOBILE = "+33612000001"
HOST = "127.0.0.1"
TOKEN_PREFIX = "bench-send-"  # noqa: S105 - form tokens of the timed sendings, deleted at the end
TOKEN_LENGTH = len(TOKEN_PREFIX) + 20

UPLOAD_PAGES = 10  # x 1 MB images: 10.0 MB
UPLOAD_WARM_UP, UPLOAD_ROUNDS = 3, 25
CHECK_ROUNDS = 25
DISPATCH_WARM_UP, DISPATCH_ROUNDS = 20, 150
SMALL_IMAGE_BYTES = 50_000
DOWNLOAD_SIZES_MB = (2, 20)  # pages of 1 MB
RECEIVED_WARM_UP, RECEIVED_ROUNDS = 10, 60

DOCUMENT_COUNT = 1_000_000
IDENTITY_COUNT = 3_000
SENDER_COUNT = 500
PROFESSIONAL_COUNT = 2_000
MEASURED_EVERY = 200  # one sending in 200 goes to the measured professional: 5,000
SPACING_S = 90  # between two sendings of the million
UNREAD_NEWEST = 2_000
RECEIVED_PREFIX = "bench-received-"
MEASURED_EMAIL = f"recus@{DOMAIN}"
MEASURED_RPPS_INDEX = 0

UPLOAD_TARGET_MS = 300
DISPATCH_TARGET_MS = 100
DOWNLOAD_PEAK_TARGET_MB = 4
RECEIVED_TARGET_MS = 50

FIRST_NAMES = [("MARIE", "F"), ("JEAN", "M"), ("CAMILLE", "F"), ("LOUIS", "M"), ("EMMA", "F")]
FIRST_NAMES += [("LUCAS", "M"), ("CHLOE", "F"), ("HUGO", "M"), ("LEA", "F"), ("PAUL", "M")]


def _client() -> Any:
    from django.test import Client

    return Client(HTTP_HOST=HOST)


# --- Files ---------------------------------------------------------------------------------------
def _noise_jpeg(rng: random.Random, size_bytes: int) -> tuple[bytes, int]:
    """A square JPEG of noise of about ``size_bytes`` (noise hardly compresses: ~0.9 B/pixel)."""
    from PIL import Image

    side = max(16, int(math.sqrt(size_bytes / 0.9)))
    image = Image.frombytes("RGB", (side, side), rng.randbytes(side * side * 3))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue(), side


def make_pdf(pages: int, *, image_bytes: int = 1_000_000, seed: int = 0) -> bytes:
    """A PDF of A4 pages, each drawing its own JPEG image XObject; no active content."""
    import pikepdf

    rng = random.Random(seed)
    pdf = pikepdf.new()
    for _ in range(pages):
        data, side = _noise_jpeg(rng, image_bytes)
        image = pikepdf.Stream(
            pdf,
            data,
            Type=pikepdf.Name.XObject,
            Subtype=pikepdf.Name.Image,
            Width=side,
            Height=side,
            ColorSpace=pikepdf.Name.DeviceRGB,
            BitsPerComponent=8,
            Filter=pikepdf.Name.DCTDecode,
        )
        page = pdf.add_blank_page(page_size=(595, 842))
        page.Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im0=image))
        page.Contents = pdf.make_stream(b"q 555 0 0 555 20 150 cm /Im0 Do Q")
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def _megabytes(value: float) -> float:
    return value / 1_000_000


# --- Fixtures ----------------------------------------------------------------------------------
@dataclass
class Fixtures:
    sender: Any
    identity: Any
    professionals: list[Any]
    kind: Any  # DocumentType


@dataclass
class Created:
    """The sendings the timed measures made: deleted at the end."""

    dispatch_ids: list[int] = field(default_factory=list)


def _fixtures(ctx: Context) -> Fixtures:
    import datetime

    from django.db import transaction

    from documents.models import DocumentType, Professional
    from identities import services as identities
    from identities.models import Identity
    from notifications.models import Notification
    from portal import services as portal
    from portal.models import PortalAccount, User

    sender = User.objects.filter(email=SENDER_EMAIL, role=User.Role.CLINICIAN).first()
    professionals = list(Professional.objects.filter(rpps__in=CORRESPONDENTS).order_by("rpps"))
    if sender is None or len(professionals) != len(CORRESPONDENTS):
        raise BenchError(
            "seed_demo's clinicians and directory entries are missing: run scripts/bench"
        )
    kind = DocumentType.objects.filter(is_active=True).order_by("position").first()
    identity = Identity.objects.filter(email=PATIENT_EMAIL, is_active=True).first()
    with transaction.atomic():
        if identity is None:
            identity = identities.create_identity(
                traits=identities.Traits(
                    birth_name="BENCH-DOCUMENTS",
                    first_name="Patiente",
                    birth_date=datetime.date(1980, 1, 1),
                    sex=Identity.Sex.FEMALE,
                    birthplace_kind=Identity.BirthplaceKind.UNKNOWN,
                    email=PATIENT_EMAIL,
                    mobile=PATIENT_MOBILE,
                ),
                by=sender,
            )
            ctx.log("documents: bench patient created")
        if not PortalAccount.objects.filter(identity=identity, is_active=True).exists():
            portal.create_portal(
                identity=identity,
                email=PATIENT_EMAIL,
                mobile=PATIENT_MOBILE,
                quality="titulaire",
                consent_given=True,
                consent_method="consultation",
                by=sender,
            )
            ctx.log("documents: bench patient's portal created")
        # Its activation email and SMS: nobody is there to read them.
        Notification.objects.filter(recipient__in=[PATIENT_EMAIL, PATIENT_MOBILE]).exclude(
            purpose="document_available"
        ).delete()
    return Fixtures(sender=sender, identity=identity, professionals=professionals, kind=kind)


def _purge_queue() -> int:
    """Empty the bench queue in Redis; how many messages it held."""
    from portal.celery import app

    with app.connection_for_write() as broker:
        return broker.default_channel.queue_purge(QUEUE) or 0


def _delete_sendings(dispatch_ids: list[int]) -> int:
    """Delete sendings of the timed measures: notifications, deliveries, documents and files."""
    from django.db import transaction

    from documents.models import Delivery, Dispatch, Document
    from notifications.models import Notification

    deleted = 0
    for start in range(0, len(dispatch_ids), 500):
        chunk = dispatch_ids[start : start + 500]
        with transaction.atomic():
            delivery_keys = [
                f"delivery:{pk}"
                for pk in Delivery.objects.filter(dispatch_id__in=chunk).values_list(
                    "pk", flat=True
                )
            ]
            Notification.objects.filter(object_key__in=delivery_keys).delete()
            Delivery.objects.filter(dispatch_id__in=chunk).delete()
            documents = list(Document.objects.filter(dispatch_id__in=chunk))
            Document.objects.filter(pk__in=[d.pk for d in documents]).delete()
            deleted += Dispatch.objects.filter(pk__in=chunk).delete()[0]
        for document in documents:  # after the commit: a rollback keeps rows and files
            if document.file.name:
                document.file.storage.delete(document.file.name)
    return deleted


def _leftovers() -> list[int]:
    """Timed sendings of an interrupted run (older than 10 minutes: not a run going on)."""
    import datetime

    from django.utils import timezone

    from documents.models import Dispatch

    # The sending's key is a hash of the form's token (bound to the sender and the content):
    # the bench's sendings are those of its own patient.
    return list(
        Dispatch.objects.filter(
            identity__email=PATIENT_EMAIL,
            created_at__lt=timezone.now() - datetime.timedelta(minutes=10),
        ).values_list("pk", flat=True)
    )


def _token() -> str:
    return TOKEN_PREFIX + secrets.token_hex(10)


def _rows_stats(values: list[float]) -> dict[str, Any]:
    return {
        "samples": len(values),
        "p50": round(percentile(values, 50), 3),
        "p95": round(percentile(values, 95), 3),
        "p99": round(percentile(values, 99), 3),
        "max": round(max(values), 3),
    }


# --- The benchmark -----------------------------------------------------------------------------
@benchmark("documents", budget_s=420)
def documents(ctx: Context) -> Iterator[Row]:
    """Documents: 10 MB upload, sending to 3, 20 MB download memory, received list at 1 million."""
    setup_django()
    from portal.celery import app

    if app.conf.task_always_eager:
        raise BenchError("Celery tasks are eager: REDIS_URL is not set, run scripts/bench")
    from django.test import override_settings

    previous_queue = app.conf.task_default_queue
    app.conf.task_default_queue = QUEUE
    # The outbox names its two queues itself (notifications.services.queueing).
    outbox_queues = override_settings(NOTIFICATIONS_QUEUE=QUEUE, NOTIFICATIONS_URGENT_QUEUE=QUEUE)
    outbox_queues.enable()
    created = Created()
    try:
        leftovers = _leftovers()
        if leftovers:
            ctx.log(f"documents: deleting {len(leftovers)} sendings left by an interrupted run")
            _delete_sendings(leftovers)
        _purge_queue()
        fixtures = _fixtures(ctx)
        _purge_queue()  # the portal's activation messages, if it was just created
        yield from _upload(ctx, fixtures, created)
        yield from _dispatch(ctx, fixtures, created)
        yield from _download(ctx, fixtures, created)
        yield from _received(ctx)
    finally:
        try:
            deleted = _delete_sendings(created.dispatch_ids)
            ctx.log(f"documents: {deleted} sendings of this run deleted, with their files")
            _purge_queue()
        finally:
            app.conf.task_default_queue = previous_queue
            outbox_queues.disable()


def _expect_enqueued(expected: int, what: str) -> int:
    """The on-commit enqueues reached Redis: one message per notification, then purged."""
    found = _purge_queue()
    if found != expected:
        raise BenchError(
            f"{what}: {found} messages in the Redis queue {QUEUE}, {expected} expected "
            "(broker unavailable? see the log for 'Broker unavailable')"
        )
    return found


# --- 1. Upload through the "Envoyer un document" page ------------------------------------------
def _upload(ctx: Context, fx: Fixtures, created: Created) -> Iterator[Row]:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test.client import BOUNDARY, encode_multipart
    from django.urls import resolve, reverse

    from documents.models import Dispatch
    from documents.validation import check_upload

    content = make_pdf(UPLOAD_PAGES, seed=10)
    ctx.log(f"documents: upload of a {_megabytes(len(content)):.1f} MB PDF, {UPLOAD_ROUNDS} rounds")
    placeholder = "X" * TOKEN_LENGTH
    data = {
        "token": placeholder,  # first field: the first occurrence in the body
        "documents-TOTAL_FORMS": "3",
        "documents-INITIAL_FORMS": "0",
        "documents-0-file": SimpleUploadedFile(
            "CR hospitalisation cardiologie.pdf", content, "application/pdf"
        ),
        "documents-0-name": "Compte rendu d'hospitalisation",
        "documents-0-document_type": str(fx.kind.pk),
        "documents-1-name": "",
        "documents-1-document_type": "",
        "documents-2-name": "",
        "documents-2-document_type": "",
        "correspondents": [p.rpps for p in fx.professionals],
        "copy_to_patient": "on",
    }
    body = encode_multipart(BOUNDARY, data)
    content_type = f"multipart/form-data; boundary={BOUNDARY}"
    url = reverse("documents:send", args=[fx.identity.uuid])
    client = _client()
    log_in(client, fx.sender)

    timings: list[float] = []
    others = OtherProcesses(ctx, "the upload")
    for index in range(UPLOAD_WARM_UP + UPLOAD_ROUNDS):
        token = _token()
        payload = body.replace(placeholder.encode(), token.encode(), 1)
        start = time.perf_counter()
        response = client.generic("POST", url, payload, content_type=content_type)
        elapsed = (time.perf_counter() - start) * 1000
        if response.status_code != 302:
            raise BenchError(f"the upload answered {response.status_code}, no sending made")
        # The sending's key is the token bound to the sender and the content: find it by its
        # recap, where the page sends the clinician.
        recap = resolve(response["Location"])
        if recap.view_name != "documents:recap":
            raise BenchError(f"the upload redirected to {response['Location']}")
        dispatch = Dispatch.objects.get(uuid=recap.kwargs["dispatch_uuid"])
        created.dispatch_ids.append(dispatch.pk)
        sizes = list(dispatch.documents.values_list("size", flat=True))
        if sizes != [len(content)] or dispatch.deliveries.count() != 3:
            raise BenchError(f"the upload stored {sizes}, not one file of {len(content)} bytes")
        if index >= UPLOAD_WARM_UP:
            timings.append(elapsed)
    cpu_of_others = others.percent()
    enqueued = _expect_enqueued(3 * (UPLOAD_WARM_UP + UPLOAD_ROUNDS), "upload")

    check_ms: list[float] = []
    for _ in range(CHECK_ROUNDS + 2):
        upload = SimpleUploadedFile("CR.pdf", content, "application/pdf")
        start = time.perf_counter()
        check_upload(upload).close()
        check_ms.append((time.perf_counter() - start) * 1000)
    check_ms = check_ms[2:]

    label = f"upload {_megabytes(len(content)):.0f} MB PDF: POST Envoyer un document"
    details = {
        **_rows_stats(timings),
        "file_bytes": len(content),
        "pages": UPLOAD_PAGES,
        "warm_up": UPLOAD_WARM_UP,
        "recipients": "patient + 2 professionals",
        "messages_enqueued": enqueued,
        "cpu_of_other_processes_percent": cpu_of_others,
        "includes": "WSGI request from the body in memory, middleware, multipart parsing, "
        "forms, check_upload, file write, transaction (sending, document, 3 deliveries, audit, "
        "3 notifications), commit and 3 enqueues to Redis, redirect",
    }
    yield Row(
        label, "p95 server time", percentile(timings, 95), "ms", at_most(UPLOAD_TARGET_MS), details
    )
    check_label = f"check_upload() alone, same {_megabytes(len(content)):.0f} MB PDF"
    check_details = _rows_stats(check_ms)
    yield Row(check_label, "p50", percentile(check_ms, 50), "ms", details=check_details)
    yield Row(check_label, "p95", percentile(check_ms, 95), "ms", details=check_details)


# --- 2. dispatch_documents: one small document to 3 recipients ---------------------------------
def _dispatch(ctx: Context, fx: Fixtures, created: Created) -> Iterator[Row]:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from documents import services
    from notifications.models import Notification

    content = make_pdf(1, image_bytes=SMALL_IMAGE_BYTES, seed=1)
    ctx.log(
        f"documents: dispatch_documents, 1 document of {len(content) / 1000:.0f} kB to patient "
        f"+ 2 professionals, {DISPATCH_ROUNDS} rounds"
    )

    def send() -> Any:
        dispatch = services.dispatch_documents(
            identity=fx.identity,
            documents=[
                services.NewDocument(
                    name="Ordonnance",
                    document_type=fx.kind,
                    upload=SimpleUploadedFile("ordonnance.pdf", content, "application/pdf"),
                )
            ],
            sender=fx.sender,
            copy_to_patient=True,
            professionals=fx.professionals,
            token=_token(),
        )
        created.dispatch_ids.append(dispatch.pk)
        return dispatch

    timings: list[float] = []
    others = OtherProcesses(ctx, "the sendings")
    for index in range(DISPATCH_WARM_UP + DISPATCH_ROUNDS):
        start = time.perf_counter()
        dispatch = send()
        elapsed = (time.perf_counter() - start) * 1000
        if index >= DISPATCH_WARM_UP:
            timings.append(elapsed)
    cpu_of_others = others.percent()
    connection.queries_log.clear()
    with CaptureQueriesContext(connection) as queries:
        dispatch = send()
    keys = [f"delivery:{pk}" for pk in dispatch.deliveries.values_list("pk", flat=True)]
    notifications = Notification.objects.filter(object_key__in=keys).count()
    if dispatch.status != "sent" or len(keys) != 3 or notifications != 3:
        raise BenchError(
            f"a sending went {dispatch.status} with {len(keys)} deliveries and "
            f"{notifications} notifications, not sent to 3 with 3"
        )
    enqueued = _expect_enqueued(3 * (DISPATCH_WARM_UP + DISPATCH_ROUNDS + 1), "dispatch")
    details = {
        **_rows_stats(timings),
        "warm_up": DISPATCH_WARM_UP,
        "file_bytes": len(content),
        "queries_per_sending": len(queries),
        "messages_enqueued": enqueued,
        "cpu_of_other_processes_percent": cpu_of_others,
        "includes": "check_upload, file write, one transaction (sending, document, 3 deliveries, "
        "2 audit rows, 3 notification rows with templates rendered), commit, 3 on-commit "
        "enqueues to Redis",
    }
    label = "dispatch 1 small document to patient + 2 professionals"
    yield Row(label, "p95", percentile(timings, 95), "ms", at_most(DISPATCH_TARGET_MS), details)
    yield Row(label, "queries per sending", len(queries), "", details=details)


# --- 3. Download: peak memory, in a fresh process ----------------------------------------------
def _download(ctx: Context, fx: Fixtures, created: Created) -> Iterator[Row]:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from documents import services

    def store(content: bytes, name: str) -> Any:
        dispatch = services.dispatch_documents(
            identity=fx.identity,
            documents=[
                services.NewDocument(
                    name=name,
                    document_type=fx.kind,
                    upload=SimpleUploadedFile(f"{name}.pdf", content, "application/pdf"),
                )
            ],
            sender=fx.sender,
            copy_to_patient=True,
            token=_token(),
        )
        created.dispatch_ids.append(dispatch.pk)
        return dispatch.documents.get()

    warm = store(make_pdf(1, image_bytes=SMALL_IMAGE_BYTES, seed=2), "Petit document")
    results: dict[int, dict[str, Any]] = {}
    for size_mb in DOWNLOAD_SIZES_MB:
        content = make_pdf(size_mb, seed=100 + size_mb)
        document = store(content, f"Imagerie {size_mb} Mo")
        del content
        ctx.log(f"documents: download of {_megabytes(document.size):.1f} MB in a fresh process")
        results[size_mb] = _run_probe(ctx, document, warm, fx.sender.pk)
    _expect_enqueued(1 + len(DOWNLOAD_SIZES_MB), "download")

    small, large = (results[size] for size in DOWNLOAD_SIZES_MB)
    for size_mb, result in results.items():
        label = f"download {size_mb} MB file (streamed)"
        target = size_mb == max(DOWNLOAD_SIZES_MB)
        yield Row(
            label,
            "peak Python allocations",
            result["peak_alloc_mb"],
            "MB",
            at_most(DOWNLOAD_PEAK_TARGET_MB) if target else None,
            result,
        )
        yield Row(label, "peak RSS growth", result["rss_growth_mb"], "MB", details=result)
    yield Row(
        f"download {max(DOWNLOAD_SIZES_MB)} MB vs {min(DOWNLOAD_SIZES_MB)} MB",
        "ratio of peak allocations",
        large["peak_alloc_mb"] / max(small["peak_alloc_mb"], 0.001),
        "",
        details={"flat": "about 1", "whole file in memory": "about 10"},
    )
    yield Row(
        f"download {max(DOWNLOAD_SIZES_MB)} MB file (streamed)",
        "time through the test client",
        large["elapsed_ms"],
        "ms",
        details=large,
    )


def _run_probe(ctx: Context, document: Any, warm: Any, user_id: int) -> dict[str, Any]:
    arguments = {
        "document_uuid": str(document.uuid),
        "warm_uuid": str(warm.uuid),
        "user_id": user_id,
        "size": document.size,
        "sha256": document.sha256,
    }
    env = {**os.environ, "DJANGO_DEBUG": "false"}
    completed = subprocess.run(
        [sys.executable, "-m", "bench.documents", "download-probe", json.dumps(arguments)],
        cwd=ctx.base_dir,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    line = next((x for x in reversed(completed.stdout.splitlines()) if x.startswith("{")), None)
    if completed.returncode != 0 or line is None:
        raise BenchError(
            f"the download probe failed ({completed.returncode}):\n{completed.stderr[-3000:]}"
        )
    return json.loads(line)


def _memory_kb(key: str) -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    raise BenchError(f"no {key} in /proc/self/status")


def download_probe(
    *, document_uuid: str, warm_uuid: str, user_id: int, size: int, sha256: str
) -> dict[str, Any]:
    """In a fresh process: the peak RSS growth and the peak allocations of one download."""
    setup_django()
    from django.urls import reverse

    from portal.models import User

    client = _client()
    log_in(client, User.objects.get(pk=user_id))

    def fetch(uuid: str) -> tuple[int, str, int]:
        response = client.get(reverse("documents:download", args=[uuid]))
        if response.status_code != 200 or not response.streaming:
            raise BenchError(f"the download answered {response.status_code}")
        digest, received, largest = hashlib.sha256(), 0, 0
        for chunk in response.streaming_content:
            digest.update(chunk)
            received += len(chunk)
            largest = max(largest, len(chunk))
        response.close()
        return received, digest.hexdigest(), largest

    for _ in range(2):
        fetch(warm_uuid)
    gc.collect()
    rss_before = _memory_kb("VmRSS")
    with open("/proc/self/clear_refs", "w") as clear:  # peak RSS (VmHWM) := current RSS
        clear.write("5")
    start = time.perf_counter()
    received, digest, largest = fetch(document_uuid)
    elapsed_ms = (time.perf_counter() - start) * 1000
    hwm_after = _memory_kb("VmHWM")
    if received != size or digest != sha256:
        raise BenchError(f"downloaded {received} bytes ({digest}), not the stored {size}")
    gc.collect()
    tracemalloc.start()
    baseline, _peak = tracemalloc.get_traced_memory()
    tracemalloc.reset_peak()
    fetch(document_uuid)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "file_bytes": size,
        "chunks_largest_bytes": largest,
        "elapsed_ms": round(elapsed_ms, 1),
        "rss_before_mb": round(rss_before / 1024, 1),
        "rss_peak_mb": round(hwm_after / 1024, 1),
        "rss_growth_mb": round((hwm_after - rss_before) / 1024, 2),
        "peak_alloc_mb": round(_megabytes(peak - baseline), 3),
        "measure": "fresh process; VmHWM reset by /proc/self/clear_refs; tracemalloc peak on a "
        "second download",
    }


# --- 4. "Documents reçus" with a million documents ----------------------------------------------
def _received(ctx: Context) -> Iterator[Row]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from documents import services
    from documents.models import Document
    from portal.models import User

    yield from _load_million(ctx)
    user = User.objects.get(email=MEASURED_EMAIL)
    total = Document.objects.count()
    url = reverse("documents:received")
    client = _client()
    log_in(client, user)

    def page(path: str) -> str:
        response = client.get(path)
        if response.status_code != 200:
            raise BenchError(f"{path} answered {response.status_code}")
        return response.content.decode()

    def listed(body: str) -> list[str]:
        return re.findall(r'href="/documents/([0-9a-f-]{36})/"', body)

    first = page(url)
    expected = [str(d.uuid) for d in services.received_documents(user=user, limit=50)]
    if listed(first) != expected or len(expected) != 50:
        raise BenchError("the first page does not list the 50 newest received documents")
    match = re.search(r'href="\?apres=([^"]+)"', first)
    if match is None:
        raise BenchError("the first page has no link to older documents")
    second_url = f"{url}?apres={html.unescape(match.group(1))}"
    second = page(second_url)
    last = services.received_documents(user=user, limit=51)[49]
    after = (last.received_at, last.delivery_id)
    expected_second = [
        str(d.uuid) for d in services.received_documents(user=user, limit=50, after=after)
    ]
    if listed(second) != expected_second or len(expected_second) != 50:
        raise BenchError("the second page does not list the next 50 received documents")

    for label, path in (("first page", url), ("second page", second_url)):
        ctx.log(f"documents: GET {path[:60]} as the measured professional, {RECEIVED_ROUNDS} times")
        others = OtherProcesses(ctx, f"Documents reçus, {label}")
        timings = _time(lambda path=path: page(path), RECEIVED_WARM_UP, RECEIVED_ROUNDS)
        cpu_of_others = others.percent()
        connection.queries_log.clear()
        with CaptureQueriesContext(connection) as queries:
            page(path)
        details = {
            **_rows_stats(timings),
            "documents_in_table": total,
            "received_by_this_professional": DOCUMENT_COUNT // MEASURED_EVERY,
            "queries": len(queries),
            "cpu_of_other_processes_percent": cpu_of_others,
        }
        yield Row(
            f"Documents reçus at {total / 1e6:.1f} M documents, {label}",
            "p95",
            percentile(timings, 95),
            "ms",
            at_most(RECEIVED_TARGET_MS),
            details,
        )

    service_calls: list[tuple[str, Callable[[], Any]]] = [
        (
            "received_documents() alone, first page",
            lambda: services.received_documents(user=user, limit=51),
        ),
        ("sent_dispatches() alone (Mes envois)", lambda: services.sent_dispatches(user=user)),
    ]
    for label, call in service_calls:
        timings = _time(call, RECEIVED_WARM_UP, RECEIVED_ROUNDS)
        yield Row(label, "p95", percentile(timings, 95), "ms", details=_rows_stats(timings))

    yield from _explain(ctx, user, after)


def _time(call: Callable[[], Any], warm_up: int, rounds: int) -> list[float]:
    timings = []
    for index in range(warm_up + rounds):
        start = time.perf_counter()
        call()
        elapsed = (time.perf_counter() - start) * 1000
        if index >= warm_up:
            timings.append(elapsed)
    return timings


def _explain(ctx: Context, user: Any, after: tuple[Any, int]) -> Iterator[Row]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from documents import services

    plans = []
    uses_index = True
    execution_ms: dict[str, float] = {}
    calls: list[tuple[str, Callable[[], Any], bool]] = [
        (
            "received_documents, first page",
            lambda: services.received_documents(user=user, limit=51),
            True,
        ),
        (
            "received_documents, second page",
            lambda: services.received_documents(user=user, limit=51, after=after),
            True,
        ),
        ("sent_dispatches", lambda: services.sent_dispatches(user=user), False),
    ]
    for label, call, needs_index in calls:
        connection.queries_log.clear()
        with CaptureQueriesContext(connection) as queries:
            call()
        if len(queries) != 1:
            raise BenchError(f"{label} ran {len(queries)} queries, not 1")
        sql = queries[0]["sql"]
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
            plan = "\n".join(row[0] for row in cursor.fetchall())
        if needs_index and "delivery_professional_recent" not in plan:
            uses_index = False
        found = re.search(r"Execution Time: ([0-9.]+) ms", plan)
        execution_ms[label] = float(found.group(1)) if found else float("nan")
        plans.append(f"-- {label}\n{sql}\n\n{plan}\n")
    path = ctx.out_dir / "documents-explain.txt"
    path.write_text("\n".join(plans))
    ctx.log(f"documents: plans written to {path}")
    for label, value in execution_ms.items():
        yield Row(
            f"EXPLAIN ANALYZE {label}", "execution time", value, "ms", details={"plans": str(path)}
        )
    yield Row(
        "received_documents plan",
        "uses index delivery_professional_recent",
        1 if uses_index else 0,
        "",
        at_least(1),
        {"plans": str(path)},
    )


# --- The million -------------------------------------------------------------------------------
def _letters(index: int, width: int = 3) -> str:
    out = ""
    for _ in range(width):
        index, rest = divmod(index, 26)
        out = chr(ord("A") + rest) + out
    return out


def _rpps(index: int) -> str:
    from stdnum import luhn

    body = f"99{index:08d}"
    return body + luhn.calc_check_digit(body)


def _bench_people() -> tuple[list[int], list[int], list[int], int]:
    """Our identities, sending clinicians and directory entries (created once): their ids, the
    sender list with the measured user in it, and the measured professional's id."""
    import datetime

    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from documents.models import Professional, search_keys
    from identities import names
    from identities.models import Identity
    from portal.models import User

    now = timezone.now()
    identities = Identity.objects.filter(email__startswith="patient-", email__endswith=f"@{DOMAIN}")
    if identities.count() < IDENTITY_COUNT:
        have = set(identities.values_list("email", flat=True))
        new = []
        for index in range(IDENTITY_COUNT):
            email = f"patient-{index:05d}@{DOMAIN}"
            if email in have:
                continue
            first_name, sex = FIRST_NAMES[index % len(FIRST_NAMES)]
            identity = Identity(
                birth_name=f"BANCESSAI{_letters(index)}",
                first_name=first_name,
                birth_first_names=first_name,
                birth_date=datetime.date(1935, 1, 1) + datetime.timedelta(days=index * 9),
                sex=sex,
                birthplace_kind=Identity.BirthplaceKind.UNKNOWN,
                birthplace_code="99999",
                email=email,
                created_at=now,
                no_objection_at=now,
            )
            identity.refresh_search_keys()
            new.append(identity)
        Identity.objects.bulk_create(new, batch_size=1000)
        names.sync_from_identities()  # bulk_create skips save(): the search's names table
    identity_ids = list(identities.order_by("pk").values_list("pk", flat=True)[:IDENTITY_COUNT])

    password = make_password(None)
    wanted = {MEASURED_EMAIL: ("Romane", "RECEVEUR")} | {
        f"expediteur-{index:03d}@{DOMAIN}": ("Expéditeur", f"BANCESSAI{_letters(index)}")
        for index in range(1, SENDER_COUNT)
    }
    have = set(User.objects.filter(email__in=wanted).values_list("email", flat=True))
    User.objects.bulk_create(
        [
            User(
                email=email,
                first_name=first,
                last_name=last,
                role=User.Role.CLINICIAN,
                password=password,
                activated_at=now,
            )
            for email, (first, last) in wanted.items()
            if email not in have
        ]
    )
    by_email = dict(User.objects.filter(email__in=wanted).values_list("email", "pk"))
    measured_user = by_email[MEASURED_EMAIL]
    senders = [by_email[email] for email in sorted(wanted) if email != MEASURED_EMAIL]
    # Sending n goes from senders[n % 500] and, when n % 200 == 0, to the measured professional:
    # the measured user sends at position 1, so never to themself (n % 500 is then 0, 100...).
    senders.insert(1, measured_user)

    rpps = {_rpps(index): index for index in range(PROFESSIONAL_COUNT)}
    have = set(Professional.objects.filter(rpps__in=rpps).values_list("rpps", flat=True))
    new_professionals = []
    for number, index in rpps.items():
        if number in have:
            continue
        last, first = (
            ("RECEVEUR", "Romane")
            if index == MEASURED_RPPS_INDEX
            else (f"BANCESSAI{_letters(index)}", "Dominique")
        )
        professional = Professional(
            rpps=number,
            last_name=last,
            first_name=first,
            profession="10",
            user_id=measured_user if index == MEASURED_RPPS_INDEX else None,
        )
        professional.last_name_key, professional.first_name_key = search_keys(last, first)
        new_professionals.append(professional)
    Professional.objects.bulk_create(new_professionals, batch_size=1000)
    ids = dict(Professional.objects.filter(rpps__in=rpps).values_list("rpps", "pk"))
    measured = ids[_rpps(MEASURED_RPPS_INDEX)]
    others = [ids[number] for number in sorted(ids) if ids[number] != measured]
    return identity_ids, senders, others, measured


def _load_million(ctx: Context) -> Iterator[Row]:
    from django.db import connection, transaction
    from django.utils import timezone

    from documents.models import Delivery, Dispatch, DocumentType, Professional

    label = "Documents reçus data"
    loaded = Dispatch.objects.filter(idempotency_key__startswith=RECEIVED_PREFIX).count()
    measured = Professional.objects.filter(user__email=MEASURED_EMAIL).first()
    received = Delivery.objects.filter(professional=measured).count() if measured else 0
    if loaded == DOCUMENT_COUNT and received == DOCUMENT_COUNT // MEASURED_EVERY:
        ctx.log(f"documents: {loaded:,} bench documents already there, reused")
        yield Row(label, "reused: bench documents already loaded", loaded, "documents")
        return
    ctx.log(
        f"documents: {loaded:,} bench documents, loading {DOCUMENT_COUNT:,} by SQL "
        "(a few minutes on 2 cores)"
    )
    started = time.monotonic()
    steps: dict[str, float] = {}

    def step(name: str, sql: str, params: dict[str, Any]) -> None:
        begin = time.monotonic()
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
        steps[name] = round(time.monotonic() - begin, 1)
        ctx.log(f"documents:   {name} in {steps[name]:.1f} s")

    with transaction.atomic():
        if loaded:
            _delete_million(step)
        identities, senders, professionals, measured_id = _bench_people()
        types = list(
            DocumentType.objects.filter(is_active=True).order_by("pk").values_list("pk", flat=True)
        )
        params = {
            "prefix": RECEIVED_PREFIX,
            "pattern": RECEIVED_PREFIX + "%",
            "count": DOCUMENT_COUNT,
            "now": timezone.now(),
            "spacing": SPACING_S,
            "identities": identities,
            "senders": senders,
            "professionals": professionals,
            "measured": measured_id,
            "every": MEASURED_EVERY,
            "types": types,
            "unread": UNREAD_NEWEST,
        }
        with connection.cursor() as cursor:
            # Foreign keys checked at each statement's end rather than queued until the commit.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        step("sendings", INSERT_DISPATCHES, params)
        step("documents", INSERT_DOCUMENTS, params)
        step("deliveries", INSERT_DELIVERIES, params)
    begin = time.monotonic()
    with connection.cursor() as cursor:
        for table in ("documents_dispatch", "documents_document", "documents_delivery"):
            cursor.execute(f"VACUUM (ANALYZE) {table}")
    steps["VACUUM ANALYZE"] = round(time.monotonic() - begin, 1)
    elapsed = time.monotonic() - started
    ctx.log(f"documents: {DOCUMENT_COUNT:,} documents loaded in {elapsed:.1f} s ({steps})")
    yield Row(label, f"load {DOCUMENT_COUNT:,} documents by SQL", elapsed, "s", details=steps)


def _delete_million(step: Callable[[str, str, dict[str, Any]], None]) -> None:
    """An incomplete or outdated load: its rows go (they have no file, notification nor log)."""
    params = {"pattern": RECEIVED_PREFIX + "%"}
    step(
        "old deliveries deleted",
        "DELETE FROM documents_delivery WHERE dispatch_id IN "
        "(SELECT id FROM documents_dispatch WHERE idempotency_key LIKE %(pattern)s)",
        params,
    )
    step(
        "old documents deleted",
        "DELETE FROM documents_document WHERE dispatch_id IN "
        "(SELECT id FROM documents_dispatch WHERE idempotency_key LIKE %(pattern)s)",
        params,
    )
    step(
        "old sendings deleted",
        "DELETE FROM documents_dispatch WHERE idempotency_key LIKE %(pattern)s",
        params,
    )


# n = 1 is the newest sending; one every SPACING_S seconds before it.
INSERT_DISPATCHES = """
INSERT INTO documents_dispatch
    (uuid, identity_id, sender_id, source, copy_to_patient, idempotency_key, status, created_at)
SELECT gen_random_uuid(),
       (%(identities)s::bigint[])[1 + mod(n, cardinality(%(identities)s::bigint[]))],
       (%(senders)s::bigint[])[1 + mod(n, cardinality(%(senders)s::bigint[]))],
       'upload', false, %(prefix)s || n, 'sent',
       %(now)s::timestamptz - n * make_interval(secs => %(spacing)s)
FROM generate_series(1, %(count)s) AS n
"""
INSERT_DOCUMENTS = """
INSERT INTO documents_document
    (uuid, identity_id, dispatch_id, name, original_filename, document_type_id, content_type,
     size, sha256, file, author_id, created_at, scan_status, scanned_at, scan_signature,
     patient_only, active_content_removed)
SELECT gen_random_uuid(), d.identity_id, d.id, t.label, 'bench.pdf', t.id, 'application/pdf',
       40000 + mod(k.n * 7919, 900000), repeat('0', 64), 'bench/received.pdf', d.sender_id,
       d.created_at, 'unscanned', NULL, '', false, false
FROM documents_dispatch AS d
CROSS JOIN LATERAL (
    SELECT substr(d.idempotency_key, length(%(prefix)s) + 1)::bigint AS n
) AS k
JOIN documents_documenttype AS t
  ON t.id = (%(types)s::bigint[])[1 + mod(k.n, cardinality(%(types)s::bigint[]))]
WHERE d.idempotency_key LIKE %(pattern)s
"""
INSERT_DELIVERIES = """
INSERT INTO documents_delivery (dispatch_id, portal_id, professional_id, first_read_at, created_at)
SELECT d.id, NULL,
       CASE WHEN mod(k.n, %(every)s) = 0 THEN %(measured)s
            ELSE (%(professionals)s::bigint[])
                 [1 + mod(k.n, cardinality(%(professionals)s::bigint[]))]
       END,
       CASE WHEN k.n > %(unread)s THEN d.created_at + interval '2 hours' END,
       d.created_at
FROM documents_dispatch AS d
CROSS JOIN LATERAL (
    SELECT substr(d.idempotency_key, length(%(prefix)s) + 1)::bigint AS n
) AS k
WHERE d.idempotency_key LIKE %(pattern)s
"""


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "download-probe":
        print(json.dumps(download_probe(**json.loads(sys.argv[2]))))
    else:
        sys.exit("usage: python -m bench.documents download-probe '<json arguments>'")
