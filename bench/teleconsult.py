"""Teleconsultation: the finalisation ("Valider") with 3 PDFs of 2 MB, 2 correspondents and a
receipt; the receipt PDF alone; "Mes téléconsultations" with 5,000 teleconsultations.

Everything runs in this process on ``portal_bench`` (PostgreSQL) and Redis db 13, through the
product's own code (Django's test ``Client``: middleware, multipart parsing, forms, views; or
the service functions), DEBUG off. Each latency is taken after a warm-up that is not counted.

Fixtures: the sender is seed_demo's Claire MARTIN, the correspondents seed_demo's BERNARD and
PETIT (both with an MSSanté address), the patient the documents benchmark's own (BENCH-DOCUMENTS
Patiente, with a portal; created by it if missing). Celery tasks are not eager: the default
queue is the documents benchmark's ``bench-documents``, which no worker consumes; the on-commit
enqueues do their real work (one message per notification) and the queue is purged.

Rows:

* **finalisation**: a planned teleconsultation of the patient (written before timing) is
  finalised through ``POST teleconsult:finalise``: rating, comment, 25 €, 3 PDFs of 2.0 MB each
  (2 pages of 1 MB noise JPEG, ``bench.documents.make_pdf``), 2 correspondents, a fresh token.
  Timed: the request, multipart parsing, the forms, the row lock, the receipt rendered by
  WeasyPrint, ``dispatch_documents`` (4 files checked with pikepdf and written, the sending,
  3 deliveries, 3 notifications, the audit rows), the commit and the 3 enqueues, the redirect.
  Each answer must be the 302 and the teleconsultation finalised with 4 documents. 20 rounds
  after 3 of warm-up. Target p95 ≤ 400 ms. The teleconsultations, sendings and files of the run
  are deleted at the end.
* **receipt alone**: ``services.render_receipt`` (template + WeasyPrint, one A4 page), 60 rounds
  after 5 of warm-up. Target p95 ≤ 150 ms.
* **"Mes téléconsultations"**: ``GET teleconsult:agenda`` by a clinician of our own (created
  once, kept) holding 5,000 teleconsultations: 2,000 to come, 1,500 past to finalise, 1,500
  finalised (bulk-written once). 100 rounds after 10 of warm-up. Target p95 ≤ 50 ms. The
  number of queries of the page is compared with the one of a clinician holding 10: the
  difference must be 0.
"""

import datetime
import secrets
import time
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from bench.harness import (
    BenchError,
    Context,
    OtherProcesses,
    Row,
    at_most,
    benchmark,
    log_in,
    percentile,
    setup_django,
)

FINALISE_ROUNDS, FINALISE_WARM_UP = 20, 3
RECEIPT_ROUNDS, RECEIPT_WARM_UP = 60, 5
AGENDA_ROUNDS, AGENDA_WARM_UP = 100, 10
AGENDA_SIZE = 5_000
BIG_EMAIL = "agenda.5000@teleconsult.bench.test"
SMALL_EMAIL = "agenda.10@teleconsult.bench.test"
TOKEN_PREFIX = "bench-tc-"  # noqa: S105 - form tokens of the timed finalisations


@benchmark("teleconsult", budget_s=300)
def teleconsult(ctx: Context) -> Iterator[Row]:
    """Teleconsultation: finalisation with 3 x 2 MB + receipt, receipt alone, agenda at 5,000."""
    setup_django()
    from bench import documents as documents_bench
    from portal.celery import app

    if app.conf.task_always_eager:
        raise BenchError("Celery tasks are eager: REDIS_URL is not set, run scripts/bench")
    from django.test import override_settings

    previous_queue = app.conf.task_default_queue
    app.conf.task_default_queue = documents_bench.QUEUE
    queue = documents_bench.QUEUE  # the outbox's two queues too, so that the purge empties them
    outbox_queues = override_settings(NOTIFICATIONS_QUEUE=queue, NOTIFICATIONS_URGENT_QUEUE=queue)
    outbox_queues.enable()
    try:
        documents_bench._purge_queue()
        fixtures = documents_bench._fixtures(ctx)
        documents_bench._purge_queue()
        yield from _finalise(ctx, fixtures)
        yield from _receipt(fixtures)
        yield from _agenda(ctx, fixtures)
    finally:
        documents_bench._purge_queue()
        app.conf.task_default_queue = previous_queue
        outbox_queues.disable()


def _planned(fixtures: Any) -> Any:
    from django.utils import timezone

    from teleconsult.models import Teleconsultation

    return Teleconsultation.objects.create(
        identity=fixtures.identity,
        clinician=fixtures.sender,
        starts_at=timezone.now() - datetime.timedelta(minutes=20),
        invite_email="patiente@documents.bench.test",
    )


def _finalise(ctx: Context, fixtures: Any) -> Iterator[Row]:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test.client import BOUNDARY, encode_multipart
    from django.urls import reverse

    from bench import documents as documents_bench
    from teleconsult.models import Teleconsultation

    pdfs = [documents_bench.make_pdf(2, seed=20 + index) for index in range(3)]
    placeholder = "X" * (len(TOKEN_PREFIX) + 20)
    data: dict[str, Any] = {
        "token": placeholder,
        "rating": "4",
        "comment": "Bonne connexion",
        "amount": "25",
        "documents-TOTAL_FORMS": "3",
        "documents-INITIAL_FORMS": "0",
        "correspondents": [p.rpps for p in fixtures.professionals],
    }
    for index, content in enumerate(pdfs):
        data[f"documents-{index}-file"] = SimpleUploadedFile(
            f"document-{index}.pdf", content, "application/pdf"
        )
        data[f"documents-{index}-name"] = f"Document {index}"
        data[f"documents-{index}-document_type"] = str(fixtures.kind.pk)
    body = encode_multipart(BOUNDARY, data)
    content_type = f"multipart/form-data; boundary={BOUNDARY}"
    client = documents_bench._client()
    log_in(client, fixtures.sender)
    ctx.log(
        f"teleconsult: finalisation with 3 PDFs of {len(pdfs[0]) / 1e6:.1f} MB, "
        f"{FINALISE_ROUNDS} rounds"
    )
    timings: list[float] = []
    made: list[Any] = []
    try:
        others = OtherProcesses(ctx, "the finalisation")
        for index in range(FINALISE_WARM_UP + FINALISE_ROUNDS):
            teleconsultation = _planned(fixtures)
            made.append(teleconsultation.pk)
            token = TOKEN_PREFIX + secrets.token_hex(10)
            payload = body.replace(placeholder.encode(), token.encode(), 1)
            url = reverse("teleconsult:finalise", args=[teleconsultation.uuid])
            start = time.perf_counter()
            response = client.generic("POST", url, payload, content_type=content_type)
            elapsed = (time.perf_counter() - start) * 1000
            teleconsultation.refresh_from_db()
            if response.status_code != 302 or teleconsultation.dispatch_id is None:
                raise BenchError(f"the finalisation answered {response.status_code}")
            if teleconsultation.dispatch.documents.count() != 4:
                raise BenchError("the finalisation did not send 3 documents and the receipt")
            if index >= FINALISE_WARM_UP:
                timings.append(elapsed)
        cpu_of_others = others.percent()
        enqueued = documents_bench._purge_queue()
    finally:
        dispatch_ids = list(
            Teleconsultation.objects.filter(pk__in=made, dispatch__isnull=False).values_list(
                "dispatch_id", flat=True
            )
        )
        Teleconsultation.objects.filter(pk__in=made).delete()
        documents_bench._delete_sendings(dispatch_ids)
    yield Row(
        "finalisation: 3 PDFs of 2 MB + 2 correspondents + receipt",
        "p95 server time",
        percentile(timings, 95),
        "ms",
        at_most(400),
        {
            "samples": len(timings),
            "p50": round(percentile(timings, 50), 1),
            "max": round(max(timings), 1),
            "messages_enqueued": enqueued,
            "cpu_of_other_processes_percent": cpu_of_others,
        },
    )


def _receipt(fixtures: Any) -> Iterator[Row]:
    from django.utils import timezone

    from teleconsult import services
    from teleconsult.models import Teleconsultation

    teleconsultation = _planned(fixtures)
    timings: list[float] = []
    try:
        for index in range(RECEIPT_WARM_UP + RECEIPT_ROUNDS):
            start = time.perf_counter()
            pdf = services.render_receipt(
                teleconsultation=teleconsultation,
                amount=Decimal("25.00"),
                number="TC-2026-0000001",
                paid_at=timezone.now(),
            )
            elapsed = (time.perf_counter() - start) * 1000
            if not pdf.startswith(b"%PDF"):
                raise BenchError("the receipt is not a PDF")
            if index >= RECEIPT_WARM_UP:
                timings.append(elapsed)
    finally:
        Teleconsultation.objects.filter(pk=teleconsultation.pk).delete()
    yield Row(
        "receipt PDF alone (WeasyPrint)",
        "p95",
        percentile(timings, 95),
        "ms",
        at_most(150),
        {"samples": len(timings), "p50": round(percentile(timings, 50), 1), "bytes": len(pdf)},
    )


def _clinician(email: str, rpps: str) -> Any:
    from accounts.models import ProfessionalProfile, User

    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(
            email, None, first_name="Bench", last_name="AGENDA", role=User.Role.CLINICIAN
        )
        ProfessionalProfile.objects.create(user=user, rpps=rpps, profession="10")
    return user


def _fill(clinician: Any, identity: Any, count: int) -> None:
    """``count`` teleconsultations: 40 % to come, 30 % past to finalise, 30 % finalised."""
    from django.utils import timezone

    from teleconsult.models import Teleconsultation

    if Teleconsultation.objects.filter(clinician=clinician).count() == count:
        return
    Teleconsultation.objects.filter(clinician=clinician).delete()
    now = timezone.now()
    rows = []
    for index in range(count):
        share = index / count
        if share < 0.4:
            starts_at = now + datetime.timedelta(hours=1 + index)
            status, finalised_at = Teleconsultation.Status.PLANNED, None
        elif share < 0.7:
            starts_at = now - datetime.timedelta(days=1, hours=index)
            status, finalised_at = Teleconsultation.Status.PLANNED, None
        else:
            starts_at = now - datetime.timedelta(days=1, hours=index)
            status, finalised_at = Teleconsultation.Status.FINALISED, starts_at
        rows.append(
            Teleconsultation(
                identity=identity,
                clinician=clinician,
                starts_at=starts_at,
                status=status,
                finalised_at=finalised_at,
                invite_email="agenda@teleconsult.bench.test",
                reason="Suivi",
            )
        )
    Teleconsultation.objects.bulk_create(rows, batch_size=1000)


def _agenda(ctx: Context, fixtures: Any) -> Iterator[Row]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from bench import documents as documents_bench

    big = _clinician(BIG_EMAIL, "10009990003")
    small = _clinician(SMALL_EMAIL, "10009991001")
    _fill(big, fixtures.identity, AGENDA_SIZE)
    _fill(small, fixtures.identity, 10)
    url = reverse("teleconsult:agenda")
    counts = {}
    for user in (big, small):
        client = documents_bench._client()
        log_in(client, user)
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            if client.get(url).status_code != 200:
                raise BenchError("the agenda did not answer 200")
        counts[user.email] = len(queries)
    client = documents_bench._client()
    log_in(client, big)
    ctx.log(f"teleconsult: agenda with {AGENDA_SIZE} teleconsultations, {AGENDA_ROUNDS} rounds")
    timings: list[float] = []
    others = OtherProcesses(ctx, "the agenda")
    for index in range(AGENDA_WARM_UP + AGENDA_ROUNDS):
        start = time.perf_counter()
        response = client.get(url)
        elapsed = (time.perf_counter() - start) * 1000
        if response.status_code != 200:
            raise BenchError(f"the agenda answered {response.status_code}")
        if index >= AGENDA_WARM_UP:
            timings.append(elapsed)
    details = {
        "samples": len(timings),
        "p50": round(percentile(timings, 50), 1),
        "queries_at_5000": counts[BIG_EMAIL],
        "queries_at_10": counts[SMALL_EMAIL],
        "cpu_of_other_processes_percent": others.percent(),
    }
    label = f"Mes téléconsultations, {AGENDA_SIZE:,} teleconsultations"
    yield Row(label, "p95 server time", percentile(timings, 95), "ms", at_most(50), details)
    yield Row(
        label,
        "queries at 5,000 minus at 10",
        counts[BIG_EMAIL] - counts[SMALL_EMAIL],
        "",
        at_most(0),
        details,
    )
