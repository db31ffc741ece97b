"""The professionals' search of the directory: rate limit and trace."""

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from accounts import ratelimit
from accounts.exceptions import Refused
from audit import services as audit
from identities import search as identity_search
from identities.models import Identity
from identities.normalize import fold as fold  # search input, for other apps
from identities.search import prefix_range as prefix_range  # indexable "starts with"

# Searches allowed per professional per minute: plenty for care, too few to page the directory.
SEARCHES_PER_MINUTE = 30


class SearchRateExceeded(Refused):
    """Too many searches in a minute; the message is safe to show."""


def check_search_rate(*, user: Any, ip: str | None = None) -> None:
    """Count one search of this user over the last minute (sliding); refuse (and trace) past
    the limit."""
    if not ratelimit.hit(
        f"identity-searches:{user.pk}", limit=SEARCHES_PER_MINUTE, window_seconds=60
    ):
        audit.record(
            action="identity.search",
            actor=user,
            ip=ip,
            outcome="denied",
            details={"reason": "rate_limit"},
        )
        raise SearchRateExceeded(
            _("Too many searches in a short time. Wait a minute before searching again.")
        )


def search_identities(
    *, criteria: identity_search.Criteria, by: Any, ip: str | None = None
) -> list[tuple[Identity, identity_search.Match]]:
    """Search the directory; every search is traced, refused ones included."""
    try:
        results = identity_search.search(criteria)
    except identity_search.SearchRefused:
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


@dataclass(frozen=True)
class SearchOutcome:
    """What a search page shows: the identities found, or why nothing was searched."""

    results: list[tuple[Identity, identity_search.Match]] | None = None
    refusal: str = ""
    rate_limited: bool = False

    def context(self) -> dict[str, Any]:
        """The variables the search templates read (results, searched, refusal)."""
        return {
            "results": self.results or [],
            "searched": self.results is not None,
            "refusal": self.refusal,
        }


def search_directory(
    *, criteria: identity_search.Criteria, by: Any, ip: str | None = None
) -> SearchOutcome:
    """A professional's search within the rate limit; a refusal is an outcome to show."""
    try:
        check_search_rate(user=by, ip=ip)
        return SearchOutcome(results=search_identities(criteria=criteria, by=by, ip=ip))
    except SearchRateExceeded as error:
        return SearchOutcome(refusal=str(error), rate_limited=True)
    except identity_search.SearchRefused as error:
        return SearchOutcome(refusal=str(error))
