"""Who has a care relationship with a patient: only they may change who holds the portal.

The portal knows one relationship itself (the professional created the portal or gave someone
access to it); upper apps (documents: sent the patient a document; teleconsult: has a
teleconsultation with them) answer through checks they register in their ``AppConfig.ready``,
so the dependency keeps pointing at the portal, as with ``register_portal_section``.
"""

from collections.abc import Callable
from typing import Any

from portal.models import PortalAccess, PortalAccount, User

CareCheck = Callable[..., bool]

_CARE_CHECKS: list[CareCheck] = []


def register_care_relationship(check: CareCheck) -> None:
    """``check(professional=..., identity=...)`` answers whether they are in a care relationship."""
    if check not in _CARE_CHECKS:
        _CARE_CHECKS.append(check)


def has_care_relationship(*, professional: User, identity: Any) -> bool:
    if PortalAccount.objects.filter(identity=identity, created_by=professional).exists():
        return True
    if PortalAccess.objects.filter(portal__identity=identity, created_by=professional).exists():
        return True
    return any(check(professional=professional, identity=identity) for check in _CARE_CHECKS)
