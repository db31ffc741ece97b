"""Merging a duplicate into the surviving identity; upper apps follow by a signal."""

from typing import Any

from django.db import transaction
from django.dispatch import Signal
from django.utils.translation import gettext as _

from audit import services as audit
from identities.models import Identity, IdentityEvent
from identities.normalize import fold as fold  # search input, for other apps
from identities.search import prefix_range as prefix_range  # indexable "starts with"
from identities.services.records import IdentityError

# Sent inside the merge transaction with ``survivor`` and ``duplicate``: apps that point at
# identities (portals, documents, teleconsultations) move their rows to the survivor.
identities_merged = Signal()


@transaction.atomic
def merge_identities(
    *, survivor: Identity, duplicate: Identity, by: Any, ip: str | None = None
) -> Identity:
    """The survivor takes over everything linked to the duplicate, which is deactivated."""
    locked = {
        identity.pk: identity
        for identity in Identity.objects.select_for_update()
        .filter(pk__in=[survivor.pk, duplicate.pk])
        .order_by("pk")
    }
    kept, gone = locked.get(survivor.pk), locked.get(duplicate.pk)
    if kept is None or gone is None or kept.pk == gone.pk:
        raise IdentityError(_("Choose two different identities to merge."))
    survivor, duplicate = kept, gone
    if not (survivor.is_active and duplicate.is_active):
        raise IdentityError(_("Only active identities can be merged."))
    identities_merged.send(sender=Identity, survivor=survivor, duplicate=duplicate)
    Identity.objects.filter(merged_into=duplicate).update(merged_into=survivor)
    duplicate.is_active = False
    duplicate.merged_into = survivor
    duplicate.confirmed_duplicate = True
    duplicate.potential_duplicate = False
    duplicate.save(
        update_fields=["is_active", "merged_into", "confirmed_duplicate", "potential_duplicate"]
    )
    # The suspicion that put the flag on the survivor is now resolved.
    if survivor.potential_duplicate:
        survivor.potential_duplicate = False
        survivor.save(update_fields=["potential_duplicate"])
    IdentityEvent.objects.create(
        identity=duplicate,
        kind=IdentityEvent.Kind.MERGED_INTO,
        actor=by,
        details={"survivor": str(survivor.uuid)},
    )
    IdentityEvent.objects.create(
        identity=survivor,
        kind=IdentityEvent.Kind.ABSORBED,
        actor=by,
        details={"duplicate": str(duplicate.uuid)},
    )
    audit.record(
        action="identity.merge",
        actor=by,
        ip=ip,
        object_type="identity",
        object_id=survivor.uuid,
        details={"duplicate": str(duplicate.uuid)},
    )
    return survivor
