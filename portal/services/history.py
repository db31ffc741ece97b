""" "Qui a consulté mes documents": the access log rows a patient may read about their portal.

Per document delivered to the portal: who opened it and when; the sendings; the identity events.
Identical events in a row are grouped; newest first. Upper apps (documents) register the names of
what they delivered to a portal, so this module never imports them.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.models import PortalAccess, PortalAccount, User

# How the patient reads their access history.
ACTION_LABELS = {
    "portal.create": gettext_lazy("Created the space"),
    "portal.read": gettext_lazy("Opened the space"),
    "portal.revoke_access": gettext_lazy("Withdrew an access to the space"),
    "identity.create": gettext_lazy("Created the identity record"),
    "identity.read": gettext_lazy("Read the identity record"),
    "identity.merge": gettext_lazy("Merged a duplicate identity"),
    "document.read": gettext_lazy("Opened the document"),
    "dispatch.send": gettext_lazy("Sent the documents"),
}

# ``names(portal=...)`` returns {("document" | "dispatch", uuid string): what to show}.
_HISTORY_NAMES: list[Callable[..., dict[tuple[str, str], str]]] = []

HISTORY_LIMIT = 2000


def register_history_names(names: Callable[..., dict[tuple[str, str], str]]) -> None:
    if names not in _HISTORY_NAMES:
        _HISTORY_NAMES.append(names)


def action_label(action: str) -> str:
    return str(ACTION_LABELS.get(action, action))


@dataclass
class HistoryEntry:
    at: datetime
    who: str
    what: str
    subject: str
    count: int


def _who(actor: User | None, *, viewer: User, qualities: dict[int, str]) -> str:
    if actor is None:
        return _("The portal")
    if actor.pk == viewer.pk:
        return _("You")
    if actor.pk in qualities:
        if qualities[actor.pk] == PortalAccess.Quality.HOLDER:
            return _("The account holder")
        return _("Your legal representative")
    name = f"{actor.last_name} {actor.first_name}".strip() or str(actor)
    profile = getattr(actor, "professional_profile", None)
    if profile is not None:
        return f"{name} ({profile.get_profession_display()})"
    if actor.role == User.Role.ADMIN:
        return _("%(name)s (portal administrator)") % {"name": name}
    return name


def access_history(*, portal: PortalAccount, viewer: User) -> list[HistoryEntry]:
    """Who read or changed this portal, its identity and its documents, newest first."""
    from audit.models import AccessLog

    names: dict[tuple[str, str], str] = {}
    for source in _HISTORY_NAMES:
        names.update(source(portal=portal))
    documents = [key for kind, key in names if kind == "document"]
    dispatches = [key for kind, key in names if kind == "dispatch"]
    rows = (
        AccessLog.objects.filter(
            Q(object_type="portal", object_id=str(portal.uuid))
            | Q(object_type="identity", object_id=str(portal.identity.uuid))
            | Q(object_type="document", object_id__in=documents, action="document.read")
            | Q(object_type="dispatch", object_id__in=dispatches, action="dispatch.send"),
            outcome="success",
        )
        .exclude(action="identity.search")
        .select_related("actor__professional_profile")
        .order_by("-created_at", "-pk")[:HISTORY_LIMIT]
    )
    qualities = dict(portal.accesses.values_list("user_id", "quality"))
    entries: list[HistoryEntry] = []
    previous: Any = None
    for row in rows:
        key = (row.actor_id, row.action, row.object_type, row.object_id)
        if key == previous:
            entries[-1].count += 1
            continue
        previous = key
        entries.append(
            HistoryEntry(
                at=row.created_at,
                who=_who(row.actor, viewer=viewer, qualities=qualities),
                what=action_label(row.action),
                subject=names.get((row.object_type, row.object_id), ""),
                count=1,
            )
        )
    return entries
