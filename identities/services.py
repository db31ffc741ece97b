"""Use cases of the identity directory: search, creation under identitovigilance rules, merge."""

import datetime
import time
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.exceptions import NotFound, Refused
from audit import services as audit
from identities import search as directory
from identities.models import UNKNOWN_BIRTHPLACE_CODE, Identity, IdentityEvent
from identities.normalize import fold as fold  # search input, for other apps
from identities.normalize import normalize_name
from identities.search import prefix_range as prefix_range  # indexable "starts with"

# Sent inside the merge transaction with ``survivor`` and ``duplicate``: apps that point at
# identities (portals, documents, teleconsultations) move their rows to the survivor.
identities_merged = Signal()

# A candidate scoring at least this much against new traits is shown as a likely duplicate.
DUPLICATE_THRESHOLD = 80.0


# Searches allowed per professional per minute: plenty for care, too few to page the directory.
SEARCHES_PER_MINUTE = 30


class SearchRateExceeded(Refused):
    """Too many searches in a minute; the message is safe to show."""


class IdentityError(Refused):
    """A refused operation; the message is safe to show to the user."""


@dataclass(frozen=True)
class Traits:
    """What a professional types to create an identity (names as typed, normalised later)."""

    birth_name: str
    first_name: str
    birth_date: datetime.date
    sex: str
    birthplace_kind: str
    birthplace_code: str = ""
    used_name: str = ""
    email: str = ""
    mobile: str = ""
    ins_matricule: str = ""


@dataclass(frozen=True)
class LikelyDuplicate:
    identity: Identity
    score: float


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


def check_search_rate(*, user: Any) -> None:
    """Count one search of this user in the current minute; refuse past the limit."""
    key = f"identity-searches:{user.pk}:{int(time.time() // 60)}"
    cache.add(key, 0, timeout=120)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=120)
        count = 1
    if count > SEARCHES_PER_MINUTE:
        raise SearchRateExceeded(
            _("Too many searches in a short time. Wait a minute before searching again.")
        )


def search_identities(
    *, criteria: directory.Criteria, by: Any, ip: str | None = None
) -> list[tuple[Identity, directory.Match]]:
    """Search the directory; every search is traced, refused ones included."""
    try:
        results = directory.search(criteria)
    except directory.SearchRefused:
        audit.record(
            action="identity.search",
            actor=by,
            ip=ip,
            outcome="denied",
            details={"reason": "criteria"},
        )
        raise
    audit.record(
        action="identity.search",
        actor=by,
        ip=ip,
        details={
            "criteria": {
                "name": criteria.name,
                "first_name": criteria.first_name,
                "birth_date": criteria.birth_date.isoformat() if criteria.birth_date else "",
                "sex": criteria.sex,
            },
            "results": len(results),
        },
    )
    return results


def find_duplicates(traits: Traits, *, exclude_pk: int | None = None) -> list[LikelyDuplicate]:
    """Active identities that are probably the same person, best first.

    Two searches: with the birth date (catches a typo in a name) and without it (catches a
    typo in the date); a candidate is kept when its score with the full traits is high.
    """
    # The first of the birth first names is what identities are searched and compared on.
    name, first = normalize_name(traits.birth_name), normalize_name(traits.first_name).split(" ")[0]
    used = normalize_name(traits.used_name) if traits.used_name.strip() else ""
    found: dict[int, LikelyDuplicate] = {}
    searches = [
        directory.Criteria(name=name, first_name=first, birth_date=traits.birth_date),
        directory.Criteria(name=name, first_name=first),
    ]
    if used:
        searches.append(directory.Criteria(name=used, first_name=first))
    for criteria in searches:
        for identity, _match in directory.search(criteria):
            full = directory.Criteria(
                name=criteria.name, first_name=first, birth_date=traits.birth_date, sex=traits.sex
            )
            score = directory.score(full, identity)
            if score >= DUPLICATE_THRESHOLD and identity.pk != exclude_pk:
                previous = found.get(identity.pk)
                if previous is None or previous.score < score:
                    found[identity.pk] = LikelyDuplicate(identity=identity, score=score)
    return sorted(found.values(), key=lambda d: (-d.score, d.identity.birth_name, d.identity.pk))


def _strict_twin(identity: Identity) -> Identity | None:
    return (
        Identity.objects.filter(
            is_active=True,
            birth_name=identity.birth_name,
            first_name=identity.first_name,
            birth_date=identity.birth_date,
            sex=identity.sex,
            birthplace_code=identity.birthplace_code,
        )
        .order_by("pk")
        .first()
    )


@transaction.atomic
def create_identity(
    *,
    traits: Traits,
    by: Any = None,
    ip: str | None = None,
    confirmed_duplicates: list[LikelyDuplicate] | None = None,
    no_objection: bool = True,
) -> Identity:
    """Create an identity with names in their stored form.

    Refused when an active identity has the same strict traits. When ``confirmed_duplicates``
    is given, the professional saw those likely duplicates and confirmed a different person:
    the identity is flagged "doublon potentiel" and the confirmation is recorded.
    """
    if not no_objection:
        raise IdentityError(_("You must confirm the patient's absence of objection."))
    birthplace_code = traits.birthplace_code
    if traits.birthplace_kind == Identity.BirthplaceKind.UNKNOWN:
        birthplace_code = UNKNOWN_BIRTHPLACE_CODE
    first_name = normalize_name(traits.first_name)
    identity = Identity(
        birth_name=normalize_name(traits.birth_name),
        used_name=normalize_name(traits.used_name) if traits.used_name.strip() else "",
        first_name=first_name.split(" ")[0],
        birth_first_names=first_name,
        birth_date=traits.birth_date,
        sex=traits.sex,
        birthplace_kind=traits.birthplace_kind,
        birthplace_code=birthplace_code,
        email=traits.email.strip().lower(),
        mobile=traits.mobile,
        # Typed by hand, an INS does not qualify the identity: only an INSi query does.
        ins_matricule=traits.ins_matricule,
        ins_kind=Identity.InsKind.NIR if traits.ins_matricule else "",
        created_by=by if getattr(by, "is_authenticated", False) else None,
        no_objection_at=timezone.now(),
        potential_duplicate=bool(confirmed_duplicates),
    )
    identity.full_clean(validate_constraints=False)
    if _strict_twin(identity) is not None:
        raise IdentityError(_("An identity with exactly the same traits already exists."))
    try:
        with transaction.atomic():
            identity.save()
    except IntegrityError:  # a concurrent creation of the same person won the race
        raise IdentityError(_("An identity with exactly the same traits already exists.")) from None
    actor = identity.created_by
    if confirmed_duplicates:
        IdentityEvent.objects.create(
            identity=identity,
            kind=IdentityEvent.Kind.CREATED_DESPITE_DUPLICATES,
            actor=actor,
            details={
                "duplicates": [
                    {"id": str(d.identity.uuid), "score": d.score} for d in confirmed_duplicates
                ]
            },
        )
    else:
        IdentityEvent.objects.create(
            identity=identity, kind=IdentityEvent.Kind.CREATED, actor=actor
        )
    audit.record(
        action="identity.create",
        actor=by,
        ip=ip,
        object_type="identity",
        object_id=identity.uuid,
    )
    return identity


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
