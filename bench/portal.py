"""Patient portal: verification of a one-time code, through the product's own service."""

import os
import time
from collections.abc import Iterator

from bench.harness import BenchError, Context, Row, at_most, benchmark, percentile

ROUNDS = 300


def _setup_django() -> None:
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        raise BenchError("DATABASE_URL must point to PostgreSQL: run `make bench`")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    os.environ["DJANGO_DEBUG"] = "false"
    import django

    django.setup()


@benchmark("portal", budget_s=60)
def code_verification(ctx: Context) -> Iterator[Row]:
    """verify_code() on PostgreSQL: row locks, HMAC check, audit row; right and wrong codes."""
    _setup_django()
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
