"""The holder undoes, for 30 days, a change a professional made to who holds their portal."""

from datetime import timedelta
from uuid import UUID

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.exceptions import NotFound
from audit import services as audit
from portal.models import PortalAccess, PortalAccount, PortalChange, User
from portal.services.recipients import PortalError

UNDO_DAYS = 30


def _is_holder(*, user: User, portal: PortalAccount) -> bool:
    return PortalAccess.objects.filter(
        portal=portal, user=user, quality=PortalAccess.Quality.HOLDER, revoked_at__isnull=True
    ).exists()


def recent_changes(*, portal: PortalAccount, user: User) -> QuerySet[PortalChange]:
    """The changes the holder may still undo (none for anyone else)."""
    if not _is_holder(user=user, portal=portal):
        return PortalChange.objects.none()
    since = timezone.now() - timedelta(days=UNDO_DAYS)
    return (
        PortalChange.objects.filter(portal=portal, undone_at__isnull=True, created_at__gte=since)
        .select_related("access__user", "person")
        .order_by("-created_at")
    )


@transaction.atomic
def undo_change(
    *, portal: PortalAccount, change_uuid: UUID | str, user: User, ip: str | None = None
) -> PortalChange:
    """Revoke the added access, or give the previous mobile back; traced in the access log."""
    change = (
        PortalChange.objects.select_for_update().filter(portal=portal, uuid=change_uuid).first()
    )
    if change is None or not _is_holder(user=user, portal=portal):
        raise NotFound
    if change.undone_at is not None or change.created_at < timezone.now() - timedelta(
        days=UNDO_DAYS
    ):
        raise PortalError(_("This change can no longer be undone."))
    now = timezone.now()
    if change.kind == PortalChange.Kind.ACCESS and change.access is not None:
        PortalAccess.objects.filter(pk=change.access.pk, revoked_at__isnull=True).update(
            revoked_at=now
        )
    elif change.person is not None:
        change.person.mobile = change.previous_mobile or None
        change.person.save(update_fields=["mobile"])
    change.undone_at = now
    change.save(update_fields=["undone_at"])
    audit.record(
        action="portal.change_undone",
        actor=user,
        ip=ip,
        object_type="portal",
        object_id=portal.uuid,
        details={"change": str(change.uuid), "kind": change.kind},
    )
    return change
