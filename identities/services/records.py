"""Reading identities: one by its public id, a professional's traced read."""

from typing import Any
from uuid import UUID

from django.db.models import QuerySet

from accounts.exceptions import NotFound, Refused
from audit import services as audit
from identities.models import Identity, IdentityEvent
from identities.normalize import fold as fold  # search input, for other apps
from identities.search import prefix_range as prefix_range  # indexable "starts with"


class IdentityError(Refused):
    """A refused operation; the message is safe to show to the user."""


def get_identity(*, identity_uuid: UUID | str, active_only: bool = True) -> Identity:
    """One identity by its public id, for the flows of other apps; a 404 if there is none."""
    identities = Identity.objects.filter(is_active=True) if active_only else Identity.objects
    identity = identities.filter(uuid=identity_uuid).first()
    if identity is None:
        raise NotFound
    return identity


def read_identity(
    *, identity_uuid: UUID | str, by: Any, ip: str | None = None, active_only: bool = False
) -> tuple[Identity, QuerySet[IdentityEvent]]:
    """A professional opens an identity: the read is traced; its events come newest first."""
    identity = get_identity(identity_uuid=identity_uuid, active_only=active_only)
    audit.record(
        action="identity.read", actor=by, ip=ip, object_type="identity", object_id=identity.uuid
    )
    return identity, identity.events.select_related("actor").order_by("-created_at", "-pk")
