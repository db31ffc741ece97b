""" "Qui a consulté mes documents": the access log rows a patient may read about their portal."""

from typing import Any

from django.db.models import Q
from django.utils.translation import gettext_lazy

from portal.models import PortalAccount

# How the patient reads their access history.
ACTION_LABELS = {
    "portal.create": gettext_lazy("Created the space"),
    "portal.read": gettext_lazy("Opened the space"),
    "portal.revoke_access": gettext_lazy("Withdrew an access to the space"),
    "identity.create": gettext_lazy("Created the identity record"),
    "identity.read": gettext_lazy("Read the identity record"),
    "identity.merge": gettext_lazy("Merged a duplicate identity"),
}


def action_label(action: str) -> str:
    return str(ACTION_LABELS.get(action, action))


def access_history(*, portal: PortalAccount, limit: int = 200) -> list[Any]:
    """Who read or changed this portal and its identity, newest first (for the patient)."""
    from audit.models import AccessLog

    return list(
        AccessLog.objects.filter(
            Q(object_type="portal", object_id=str(portal.uuid))
            | Q(object_type="identity", object_id=str(portal.identity.uuid))
        )
        .exclude(action="identity.search")
        .select_related("actor")
        .order_by("-created_at", "-pk")[:limit]
    )
