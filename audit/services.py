"""Recording in the access log; callers pass what happened, never the data itself."""

from typing import Any

from django.http import HttpRequest

from audit.models import AccessLog


def client_ip(request: HttpRequest | None) -> str | None:
    # Behind the production proxy gunicorn sets REMOTE_ADDR from X-Forwarded-For
    # (--forwarded-allow-ips); the header itself is never trusted here.
    return request.META.get("REMOTE_ADDR") or None if request is not None else None


def record(
    *,
    action: str,
    actor: Any = None,
    request: HttpRequest | None = None,
    object_type: str = "",
    object_id: object = "",
    outcome: str = AccessLog.Outcome.SUCCESS,
    details: dict[str, Any] | None = None,
) -> AccessLog:
    """Write one access-log row, in the caller's transaction."""
    if actor is None and request is not None and request.user.is_authenticated:
        actor = request.user
    return AccessLog.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        outcome=outcome,
        ip_address=client_ip(request),
        details=details or {},
    )
