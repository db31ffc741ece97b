"""Sections of the patient space that upper apps (documents) register."""

from typing import Any

from portal.models import PortalAccount, User

# Apps that deliver to portals (documents) add a section to the patient space here; the portal
# app knows them only through this list, so the dependency keeps pointing at the portal.
_PORTAL_SECTIONS: list[Any] = []


def register_portal_section(section: Any) -> None:
    """``section(portal=..., user=...)`` returns ``(template_name, context)``."""
    if section not in _PORTAL_SECTIONS:
        _PORTAL_SECTIONS.append(section)


def portal_sections(*, portal: PortalAccount, user: User) -> list[tuple[str, dict[str, Any]]]:
    return [section(portal=portal, user=user) for section in _PORTAL_SECTIONS]
