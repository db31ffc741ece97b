""" "Mes envois": what a professional sent, and the status of each recipient."""

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce

from accounts.exceptions import NotFound
from documents.models import Delivery, Dispatch, Document
from notifications import services as notifications
from portal.models import User


def get_dispatch_for_user(*, user: User, dispatch_uuid: UUID | str) -> Dispatch:
    """A sending, for the professional who made it only; a 404 for anyone else."""
    if not user.is_authenticated:
        raise NotFound
    dispatch = (
        Dispatch.objects.select_related("identity", "sender")
        .filter(uuid=dispatch_uuid, sender=user)
        .first()
    )
    if dispatch is None:
        raise NotFound
    return dispatch


def has_sent_documents(*, professional: User, identity: Any) -> bool:
    """A care relationship the portal asks about: this professional sent the patient documents."""
    return Dispatch.objects.filter(identity=identity, sender=professional).exists()


@dataclass(frozen=True)
class DeliveryStatus:
    delivery: Delivery
    notifications: list[Any]

    @property
    def pending(self) -> bool:
        """An alert still on its way: the recap page refreshes itself until none is."""
        return any(map(notifications.in_progress, self.notifications))


def dispatch_recap(dispatch: Dispatch) -> tuple[list[Document], list[DeliveryStatus]]:
    """The documents of a sending and, for each recipient, the state of their alerts."""
    documents = list(dispatch.documents.select_related("document_type").order_by("pk"))
    deliveries = dispatch.deliveries.select_related(
        "portal__identity", "professional__organisation"
    ).order_by("professional", "pk")
    statuses = []
    for delivery in deliveries:
        purpose = "document_available" if delivery.portal_id else "document_received"
        statuses.append(
            DeliveryStatus(
                delivery=delivery,
                notifications=notifications.statuses_for(
                    purpose=purpose, object_key=f"delivery:{delivery.pk}"
                ),
            )
        )
    return documents, statuses


def sent_dispatches(*, user: User, limit: int = 20) -> list[Dispatch]:
    """The professional's latest sendings, for the links to their recaps."""
    # The count is a subquery per row kept, not a GROUP BY over every sending of a busy sender.
    documents = (
        Document.objects.filter(dispatch=OuterRef("pk"))
        .order_by()
        .values("dispatch")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return list(
        Dispatch.objects.filter(sender=user)
        .select_related("identity")
        .annotate(document_count=Coalesce(Subquery(documents), 0))
        .order_by("-created_at", "-pk")[:limit]
    )
