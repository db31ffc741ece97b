"""Printer addresses: the per-clinician token in the IPP path, shown once, stored hashed."""

import hashlib
import logging
import secrets
from typing import Any

from django.db import transaction
from django.utils import timezone

from audit import services as audit
from printer.models import PrinterToken

logger = logging.getLogger(__name__)

# --- Printer addresses ----------------------------------------------------------------------


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def create_printer_token(*, user: Any, ip: str | None = None) -> str:
    """A new secret printer address for this clinician; the previous one stops working.

    Only its hash is stored: the token is returned once, to be shown once.
    """
    token = secrets.token_urlsafe(24)
    PrinterToken.objects.update_or_create(
        user=user,
        defaults={"token_hash": _hash(token), "created_at": timezone.now(), "last_used_at": None},
    )
    audit.record(
        action="printer.token_create",
        actor=user,
        ip=ip,
        object_type="user",
        object_id=user.pk,
    )
    return token


@transaction.atomic
def revoke_printer_token(*, user: Any, ip: str | None = None) -> bool:
    deleted, _detail = PrinterToken.objects.filter(user=user).delete()
    if deleted:
        audit.record(
            action="printer.token_revoke",
            actor=user,
            ip=ip,
            object_type="user",
            object_id=user.pk,
        )
    return bool(deleted)


def printer_token_of(user: Any) -> PrinterToken | None:
    return PrinterToken.objects.filter(user=user).first()


def printer_owner(token: str) -> Any:
    """The clinician whose printer this token opens, or None."""
    if not token or len(token) > 100:
        return None
    row = (
        PrinterToken.objects.select_related("user")
        .filter(token_hash=_hash(token), user__is_active=True)
        .first()
    )
    return row.user if row is not None else None


def printer_path(token: str) -> str:
    from django.urls import reverse

    return reverse("printer:ipp", args=[token])


# --- Receiving jobs -------------------------------------------------------------------------
