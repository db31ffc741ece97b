"""What a merge of two identities does to their portals (``identities_merged`` receiver)."""

from typing import Any

from django.utils import timezone

from portal.models import PortalAccess, PortalAccount


def follow_merged_identity(*, survivor: Any, duplicate: Any, **kwargs: object) -> None:
    """Merge hook: the duplicate's portal follows the survivor, with its accesses.

    If both had a portal, the survivor's stays: the people holding the other one get access to
    it, except its holder (a second holder becomes a legal representative only by a
    professional's decision: that access is revoked, and the merge itself is in the access log),
    and the duplicate's portal is closed. What was delivered to it is the documents app's
    business: it listens to ``identities_merged`` too.
    """
    moved = PortalAccount.objects.filter(identity=duplicate).first()
    if moved is None:
        return
    kept = PortalAccount.objects.filter(identity=survivor).first()
    if kept is None:
        moved.identity = survivor
        moved.save(update_fields=["identity"])
        return
    for access in moved.accesses.filter(revoked_at__isnull=True):
        already = kept.accesses.filter(user=access.user, revoked_at__isnull=True).exists()
        if not already and access.quality != PortalAccess.Quality.HOLDER:
            PortalAccess.objects.create(
                portal=kept, user=access.user, quality=access.quality, created_by=access.created_by
            )
        access.revoked_at = timezone.now()
        access.save(update_fields=["revoked_at"])
    moved.is_active = False
    moved.save(update_fields=["is_active"])
