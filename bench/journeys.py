"""The journey pages as users meet them: server time of each page, and the CSS and JavaScript it
loads (summed from the page's own <link> and <script> tags).

Measured on the data a real deployment holds: the 2,000,000 synthetic identities of the
``identities`` benchmark and the 1,000,000 documents of the ``documents`` benchmark are loaded in
the same database first, by those benchmarks' own loaders (reused when already there: a second
run loads nothing). The clinician's pages are then measured twice where the data matters: as a
clinician with a few documents, and as the ``documents`` benchmark's professional who received
5,000 of the million ("Documents reçus", "Mes envois"); the search is typed as a clinician would
(the most frequent surname of the directory with a first name, and a prefix).

``JOURNEYS_SMALL=1`` skips the loads (the pages on whatever data is there)."""

import os
import re
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

from bench.harness import (
    BenchError,
    Context,
    Row,
    at_most,
    benchmark,
    log_in,
    percentile,
    setup_django,
)

ROUNDS = 40
STATIC = Path(__file__).resolve().parents[1] / "static"


def _assets_kb(html: str) -> float:
    """CSS and JS of the page, from the files its tags name (served from static/)."""
    total = 0
    for path in re.findall(r'(?:href|src)="/static/([^"?]+\.(?:css|js))', html):
        file = STATIC / re.sub(r"\.[0-9a-f]{12}\.", ".", path)
        total += file.stat().st_size if file.exists() else 0
    return total / 1024


def _personas() -> dict[str, object]:
    """A clinician, a patient with a portal, and a sending: created once, kept for the next run."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from documents import services as documents
    from documents.models import Dispatch, DocumentType
    from identities.models import Identity
    from portal import services as portal
    from portal.models import User
    from tests.documents.conftest import pdf_bytes

    clinician, _ = User.objects.get_or_create(
        email="bench.journeys@portail.test",
        defaults={"role": User.Role.CLINICIAN, "first_name": "Claire", "last_name": "BENCH"},
    )
    identity = Identity.objects.filter(birth_name="BENCHJOURNEY").first()
    if identity is None:
        from tests.factories import IdentityFactory

        identity = IdentityFactory(birth_name="BENCHJOURNEY", first_name="BOBBY")
    if not hasattr(identity, "portal") or identity.portal is None:
        portal.create_portal(
            identity=identity,
            email="bench.patient.journey@exemple.fr",
            mobile="0601023041",
            quality="titulaire",
            consent_given=True,
            consent_method="consultation",
            by=clinician,
        )
        identity.refresh_from_db()
    dispatch = Dispatch.objects.filter(identity=identity).first()
    if dispatch is None:
        kind = DocumentType.objects.filter(is_active=True).first()
        if kind is None:
            raise BenchError("no document type: run migrate")
        dispatch = documents.dispatch_documents(
            identity=identity,
            documents=[
                documents.NewDocument(
                    name="Ordonnance",
                    document_type=kind,
                    upload=SimpleUploadedFile("o.pdf", pdf_bytes(), "application/pdf"),
                )
            ],
            sender=clinician,
            copy_to_patient=True,
            professionals=[],
            token=uuid.uuid4().hex,
        )
    patient = identity.portal.accesses.first().user
    return {"clinician": clinician, "patient": patient, "identity": identity, "dispatch": dispatch}


def _load_large_data(ctx: Context) -> Iterator[Row]:
    """The 2M identities and the 1M documents, through their benchmarks' loaders."""
    from bench import documents, identities

    yield from identities._load(ctx, identities.SYNTHETIC)
    yield from documents._load_million(ctx)


def _common_name() -> tuple[str, str]:
    """The most frequent synthetic surname and its most frequent first name (the largest block)."""
    from django.db.models import Count

    from identities.management.commands.load_synthetic_identities import synthetic_identities

    row = (
        synthetic_identities()
        .values("birth_name", "first_name")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()
    )
    return (row["birth_name"], row["first_name"]) if row else ("MARTIN", "MARIE")


@benchmark("journeys", budget_s=900)
def journey_pages(ctx: Context) -> Iterator[Row]:
    """Each journey page through Django's test client, with 2M identities and 1M documents
    loaded: p95 server time, CSS+JS weight."""
    setup_django()
    from django.core.cache import cache
    from django.test import Client

    from bench.documents import MEASURED_EMAIL
    from portal.models import User

    large = not os.environ.get("JOURNEYS_SMALL")
    if large:
        yield from _load_large_data(ctx)
    people = _personas()
    identity, dispatch = people["identity"], people["dispatch"]
    receiver = User.objects.filter(email=MEASURED_EMAIL).first()
    name, first_name = _common_name() if large else ("benchjourney", "")
    pages = [
        ("clinician", "home /", "/"),
        ("clinician", "identity search", "/dossier/rechercher/?name=benchjourney"),
        (
            "clinician",
            "identity search, most frequent name + first name",
            f"/dossier/rechercher/?name={name.lower()}&first_name={first_name.lower()}",
        ),
        ("clinician", "identity search, 3-letter prefix", f"/dossier/rechercher/?name={name[:3]}"),
        ("clinician", "identity record", f"/dossier/{identity.uuid}/"),
        ("clinician", "send a document", f"/documents/envoyer/{identity.uuid}/"),
        ("clinician", "sending recap", f"/documents/envois/{dispatch.uuid}/"),
        ("clinician", "received documents", "/documents/recus/"),
        ("clinician", "my sendings", "/documents/envois/"),
        ("patient", "patient space", f"/espace/{identity.portal.uuid}/"),
        ("patient", "who accessed my documents", f"/espace/{identity.portal.uuid}/historique/"),
        (None, "professionals' login", "/connexion/"),
        (None, "patients' login", "/espace/connexion/"),
    ]
    if receiver is not None:
        people["receiver"] = receiver
        pages += [
            ("receiver", "received documents (5,000 of 1M)", "/documents/recus/"),
            ("receiver", "my sendings (2,000 of 1M)", "/documents/envois/"),
            ("receiver", "home / (5,000 received)", "/"),
        ]
    clients = {}
    for who in [person for person in ("clinician", "patient", "receiver") if person in people]:
        clients[who] = Client(HTTP_HOST="127.0.0.1")
        log_in(clients[who], people[who])
    clients[None] = Client(HTTP_HOST="127.0.0.1")
    for who, label, path in pages:
        client = clients[who]
        times = []
        html = ""
        for _ in range(ROUNDS):
            cache.clear()  # the search's rate limit is for people, not for this loop
            start = time.perf_counter()
            response = client.get(path)
            times.append((time.perf_counter() - start) * 1000)
            if response.status_code != 200:
                raise BenchError(f"{path} answered {response.status_code}")
            html = response.content.decode()
        ctx.log(f"journeys: {label} done")
        yield Row(
            "journeys", f"{label}: p95 server time", percentile(times, 95), "ms", at_most(150)
        )
        yield Row("journeys", f"{label}: CSS+JS loaded", _assets_kb(html), "KB", at_most(100))
