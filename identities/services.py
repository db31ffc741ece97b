"""Use cases of the identity directory."""

import datetime

from django.db import transaction

from identities.models import UNKNOWN_BIRTHPLACE_CODE, Identity
from identities.normalize import normalize_name


@transaction.atomic
def create_identity(
    *,
    birth_name: str,
    first_name: str,
    birth_date: datetime.date,
    sex: str,
    birthplace_kind: str,
    birthplace_code: str = "",
    used_name: str = "",
    email: str = "",
    mobile: str = "",
    created_by: object | None = None,
) -> Identity:
    """Create an identity from what the user typed, with names in their stored form."""
    if birthplace_kind == Identity.BirthplaceKind.UNKNOWN:
        birthplace_code = UNKNOWN_BIRTHPLACE_CODE
    identity = Identity(
        birth_name=normalize_name(birth_name),
        used_name=normalize_name(used_name) if used_name.strip() else "",
        first_name=normalize_name(first_name),
        birth_first_names=normalize_name(first_name),
        birth_date=birth_date,
        sex=sex,
        birthplace_kind=birthplace_kind,
        birthplace_code=birthplace_code,
        email=email.strip().lower(),
        mobile=mobile,
        created_by=created_by,
    )
    identity.full_clean()
    identity.save()
    return identity
