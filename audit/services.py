"""Recording in the access log; callers pass what happened, never the data itself."""

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from audit.models import AccessLog


def client_ip(request: HttpRequest | None) -> str | None:
    """The client's address: behind N trusted proxies, the Nth address from the right of
    X-Forwarded-For (what the outermost trusted proxy saw); the rest of the header can be
    forged by the client and is ignored."""
    if request is None:
        return None
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR") or None


def record(
    *,
    action: str,
    actor: Any = None,
    request: HttpRequest | None = None,
    object_type: str = "",
    object_id: object = "",
    outcome: str = AccessLog.Outcome.SUCCESS,
    details: dict[str, Any] | None = None,
    ip: str | None = None,
) -> AccessLog:
    """Write one access-log row, in the caller's transaction.

    Services pass the client's address as ``ip`` (a plain value); ``request`` is for views.
    """
    if actor is None and request is not None and request.user.is_authenticated:
        actor = request.user
    return AccessLog.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        outcome=outcome,
        ip_address=ip if ip is not None else client_ip(request),
        details=details or {},
    )


def purge(*, older_than_days: int, dry_run: bool = False) -> int:
    """Delete the rows older than the retention period; never younger ones."""
    import datetime

    from django.db import connection, transaction
    from django.utils import timezone

    if older_than_days < settings.AUDIT_MIN_RETENTION_DAYS:
        raise ValueError(
            f"The retention cannot be shorter than {settings.AUDIT_MIN_RETENTION_DAYS} days."
        )
    cutoff = timezone.now() - datetime.timedelta(days=older_than_days)
    old = AccessLog.objects.filter(created_at__lt=cutoff)
    if dry_run:
        return old.count()
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL audit.allow_purge = 'on'")
        deleted, _by_model = old.delete()
    return deleted
