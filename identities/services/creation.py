"""Creating an identity under identitovigilance rules, likely duplicates first."""

import datetime
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit import services as audit
from identities import search as identity_search
from identities.models import UNKNOWN_BIRTHPLACE_CODE, Identity, IdentityEvent
from identities.normalize import fold as fold  # search input, for other apps
from identities.normalize import normalize_name
from identities.search import prefix_range as prefix_range  # indexable "starts with"
from identities.services.records import IdentityError

# A candidate scoring at least this much against new traits is shown as a likely duplicate.
DUPLICATE_THRESHOLD = 80.0


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
        identity_search.Criteria(name=name, first_name=first, birth_date=traits.birth_date),
        identity_search.Criteria(name=name, first_name=first),
    ]
    if used:
        searches.append(identity_search.Criteria(name=used, first_name=first))
    for criteria in searches:
        for identity, _match in identity_search.search(criteria):
            full = identity_search.Criteria(
                name=criteria.name, first_name=first, birth_date=traits.birth_date, sex=traits.sex
            )
            score = identity_search.score(full, identity)
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


class LikelyDuplicatesFound(IdentityError):
    """Identities close to the new one exist: the professional must look at them first."""

    def __init__(self, duplicates: list[LikelyDuplicate]) -> None:
        super().__init__(
            _("Identities close to this one already exist. Check them before creating one.")
        )
        self.duplicates = duplicates


def register_identity(
    *, traits: Traits, different_person_confirmed: bool, by: Any, ip: str | None = None
) -> Identity:
    """The professional's "create an identity": likely duplicates are shown before creating.

    Raises ``LikelyDuplicatesFound`` (with the duplicates) until the professional confirms a
    different person; then the identity is created, flagged and traced (``create_identity``).
    """
    duplicates = find_duplicates(traits)
    if duplicates and not different_person_confirmed:
        raise LikelyDuplicatesFound(duplicates)
    return create_identity(traits=traits, by=by, ip=ip, confirmed_duplicates=duplicates)
