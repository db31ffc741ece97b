"""What a merge of two identities does to their documents (``identities_merged`` receiver)."""

from typing import Any

from documents.models import Delivery, Dispatch, Document
from portal.models import PortalAccount


def follow_merged_identity(*, survivor: Any, duplicate: Any, **kwargs: object) -> None:
    """Merge hook: the duplicate's documents and sendings now belong to the survivor.

    If both identities had a portal, what was delivered to the duplicate's portal moves to the
    survivor's (whichever of this hook and the portal's runs first: the duplicate's portal
    keeps its identity when both exist; when only the duplicate had one, it follows the
    survivor with its deliveries).
    """
    Document.objects.filter(identity=duplicate).update(identity=survivor)
    Dispatch.objects.filter(identity=duplicate).update(identity=survivor)
    kept = PortalAccount.objects.filter(identity=survivor).first()
    if kept is not None:
        Delivery.objects.filter(portal__identity=duplicate).update(portal=kept)
