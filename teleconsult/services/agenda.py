"""Reading: one teleconsultation for its clinician, "Mes téléconsultations", the desk's card."""

import datetime
import uuid
from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from teleconsult.models import Teleconsultation

# --- Reading -----------------------------------------------------------------------------------


def get_teleconsultation_for_clinician(
    *, user: User, pk: uuid.UUID | str
) -> Teleconsultation | None:
    """The teleconsultation if this professional planned it; None for anyone else."""
    return (
        Teleconsultation.objects.of_clinician(user)
        .select_related("identity", "clinician", "dispatch")
        .filter(uuid=pk)
        .first()
    )


def has_teleconsultation_with(*, professional: User, identity: Any) -> bool:
    """A care relationship the portal asks about: a teleconsultation with this patient."""
    return Teleconsultation.objects.of_clinician(professional).filter(identity=identity).exists()


def _start_of_today() -> datetime.datetime:
    return timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)


@dataclass(frozen=True)
class Agenda:
    upcoming: list[Teleconsultation]
    to_finalise: list[Teleconsultation]
    finalised: list[Teleconsultation]


_AGENDA_FIELDS = (
    "uuid",
    "starts_at",
    "duration_minutes",
    "reason",
    "status",
    "finalised_at",
    "identity__birth_name",
    "identity__used_name",
    "identity__first_name",
    "identity__birth_date",
)


def agenda(*, user: User, limit: int = 50) -> Agenda:
    """ "Mes téléconsultations": today and upcoming, then the past ones to finalise, then the
    finalised ones; three queries whatever the number (each served by the clinician's index)."""
    mine = (
        Teleconsultation.objects.of_clinician(user).select_related("identity").only(*_AGENDA_FIELDS)
    )
    today = _start_of_today()
    planned = Q(status=Teleconsultation.Status.PLANNED)
    return Agenda(
        upcoming=list(
            mine.filter(planned, starts_at__gte=today).order_by("starts_at", "pk")[:limit]
        ),
        to_finalise=list(
            mine.filter(planned, starts_at__lt=today).order_by("-starts_at", "-pk")[:limit]
        ),
        finalised=list(
            mine.filter(status=Teleconsultation.Status.FINALISED).order_by("-starts_at", "-pk")[
                :limit
            ]
        ),
    )


def desk_summary(*, user: User) -> tuple[list[Teleconsultation], int]:
    """The desk card: the next three planned, and how many past ones wait to be finalised."""
    mine = Teleconsultation.objects.of_clinician(user)
    planned = mine.filter(status=Teleconsultation.Status.PLANNED)
    following = list(
        planned.filter(starts_at__gte=_start_of_today())
        .select_related("identity")
        .only(*_AGENDA_FIELDS)
        .order_by("starts_at", "pk")[:3]
    )
    return following, planned.filter(starts_at__lt=timezone.now()).count()
