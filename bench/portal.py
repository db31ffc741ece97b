"""Patient portal: verification of a one-time code, through the product's own service."""

import time
from collections.abc import Iterator

from bench.harness import BenchError, Context, Row, at_most, benchmark, percentile, setup_django

ROUNDS = 300


@benchmark("portal", budget_s=60)
def code_verification(ctx: Context) -> Iterator[Row]:
    """verify_code() on PostgreSQL: row locks, HMAC check, audit row; right and wrong codes."""
    setup_django()
    import datetime

    from django.utils import timezone

    from portal import codes, services
    from portal.models import CodeChallenge, User

    user, _created = User.objects.get_or_create(
        email="bench.patient@portail.test",
        defaults={
            "role": User.Role.PATIENT,
            "mobile": "+33601023040",
            "activated_at": timezone.now(),
        },
    )
    right_ms: list[float] = []
    wrong_ms: list[float] = []
    try:
        for _ in range(ROUNDS):
            challenge = CodeChallenge(user=user, purpose="login")
            code = codes.new_code()
            challenge.code_hmac = codes.code_hmac(challenge_id=challenge.uuid, code=code)
            challenge.expires_at = timezone.now() + datetime.timedelta(minutes=5)
            challenge.save()
            User.objects.filter(pk=user.pk).update(code_failures=0, locked_until=None)
            wrong = f"{(int(code) + 1) % 10**6:06d}"
            start = time.perf_counter()
            try:
                services.verify_code(challenge_uuid=challenge.uuid, code=wrong)
            except services.PortalError:
                pass
            else:
                raise BenchError("a wrong code was accepted")
            wrong_ms.append((time.perf_counter() - start) * 1000)
            start = time.perf_counter()
            if services.verify_code(challenge_uuid=challenge.uuid, code=code) != user:
                raise BenchError("the right code was refused")
            right_ms.append((time.perf_counter() - start) * 1000)
    finally:
        CodeChallenge.objects.filter(user=user).delete()
    details = {
        "rounds": ROUNDS,
        "p50_ms": percentile(right_ms, 50),
        "p99_ms": percentile(right_ms, 99),
    }
    yield Row(
        "one-time code check",
        "p95, right code",
        percentile(right_ms, 95),
        "ms",
        at_most(50),
        details,
    )
    yield Row("one-time code check", "p95, wrong code", percentile(wrong_ms, 95), "ms", at_most(50))


@benchmark("portal-documents", budget_s=90)
def document_list(ctx: Context) -> Iterator[Row]:
    """The patient's list of 200 documents: the product's query plan beside a naive N+1 one."""
    setup_django()
    import uuid

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from documents import services as documents
    from documents.models import Delivery, Dispatch, Document, DocumentType
    from identities.models import Identity
    from portal.models import PortalAccount, User

    sender = User.objects.filter(role=User.Role.CLINICIAN).order_by("pk").first()
    identity = Identity.objects.get(birth_name="TELECONSULTATION", first_name="BOBBY")
    portal = PortalAccount.objects.get(identity=identity)
    kind = DocumentType.objects.order_by("position").first()
    existing = Delivery.objects.filter(portal=portal).count()
    for _ in range(max(0, 200 - existing)):
        dispatch = Dispatch.objects.create(
            identity=identity,
            sender=sender,
            source="upload",
            copy_to_patient=True,
            idempotency_key=f"bench-{uuid.uuid4().hex}",
        )
        Document.objects.create(
            identity=identity,
            dispatch=dispatch,
            name="Document de test",
            original_filename="test.pdf",
            document_type=kind,
            content_type="application/pdf",
            size=10,
            sha256="0" * 64,
            file="bench/none",
            author=sender,
        )
        Delivery.objects.create(dispatch=dispatch, portal=portal)

    def product() -> int:
        return sum(
            len(d.document_type.label) + len(d.dispatch.sender.last_name)
            for d in documents.portal_documents(portal=portal)
        )

    def naive() -> int:  # what a template looping over lazy relations would do
        total = 0
        for delivery in Delivery.objects.filter(portal=portal).order_by("-created_at"):
            for document in delivery.dispatch.documents.all():
                total += len(document.document_type.label) + len(delivery.dispatch.sender.email)
        return total

    for name, func in (("product", product), ("naive N+1", naive)):
        timings = []
        for _ in range(30):
            connection.queries_log.clear()  # its bounded deque would hide the N+1's count
            with CaptureQueriesContext(connection) as queries:
                start = time.perf_counter()
                func()
                timings.append((time.perf_counter() - start) * 1000)
        target = at_most(50) if name == "product" else None
        yield Row(
            f"patient document list, 200 documents ({name})",
            "p95",
            percentile(timings, 95),
            "ms",
            target,
        )
        query_target = at_most(5) if name == "product" else None
        yield Row(
            f"patient document list, 200 documents ({name})",
            "queries",
            len(queries),
            "",
            query_target,
        )
