""" "Documents reçus": what was sent to a professional."""

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, Subquery

from documents.models import Dispatch, Document, Professional
from portal.models import User


@dataclass(frozen=True)
class ReceivedDocument:
    """A line of "Documents reçus" (plain values: a page builds no model instances)."""

    uuid: Any
    name: str
    type_label: str
    patient: str
    patient_birth_date: datetime.date
    sender: str
    received_at: datetime.datetime
    delivery_id: int
    first_read_at: datetime.datetime | None


def received_documents(
    *, user: User, limit: int = 50, after: tuple[datetime.datetime, int] | None = None
) -> list[ReceivedDocument]:
    """ "Documents reçus": what was sent to this professional's directory entry, newest first.

    One query, served by the delivery index (professional, -created_at) whatever the size of
    the table: the entry is a scalar subquery, so the planner compares the index with one
    value (a join on the user would read every delivery). ``after`` is the (received at,
    delivery id) of the last row of the previous page: pages are keyed, so a document arriving
    meanwhile neither hides nor repeats one.
    """
    entry = Subquery(Professional.objects.filter(user=user).values("pk")[:1])
    received = Q(dispatch__deliveries__professional=entry)
    if after is not None:
        received_at, delivery_id = after
        # The first condition bounds the index range; the second breaks ties on the id.
        received &= Q(dispatch__deliveries__created_at__lte=received_at) & (
            Q(dispatch__deliveries__created_at__lt=received_at)
            | Q(
                dispatch__deliveries__created_at=received_at,
                dispatch__deliveries__pk__lt=delivery_id,
            )
        )
    rows = (
        # Not a sending held for the antivirus, nor a refused one.
        Document.objects.filter(received, dispatch__status=Dispatch.Status.SENT, patient_only=False)
        .order_by("-dispatch__deliveries__created_at", "-dispatch__deliveries__pk", "pk")
        .values_list(
            "uuid",
            "name",
            "document_type__label",
            "identity__used_name",
            "identity__birth_name",
            "identity__first_name",
            "identity__birth_date",
            "dispatch__sender__first_name",
            "dispatch__sender__last_name",
            "dispatch__deliveries__created_at",
            "dispatch__deliveries__pk",
            "dispatch__deliveries__first_read_at",
        )[:limit]
    )
    return [
        ReceivedDocument(
            uuid=uuid,
            name=name,
            type_label=type_label,
            patient=f"{used_name or birth_name} {first_name.title()}",
            patient_birth_date=birth_date,
            sender=f"{sender_first} {sender_last}".strip(),
            received_at=received_at,
            delivery_id=delivery_id,
            first_read_at=first_read_at,
        )
        for (
            uuid,
            name,
            type_label,
            used_name,
            birth_name,
            first_name,
            birth_date,
            sender_first,
            sender_last,
            received_at,
            delivery_id,
            first_read_at,
        ) in rows
    ]
