"""Use cases of the identity directory: search, creation under identitovigilance rules, merge.

A package, one module per topic; this module exports what other apps may call.
"""

from identities.normalize import fold  # search input, for other apps
from identities.search import prefix_range  # indexable "starts with", for other apps
from identities.services.creation import (
    DUPLICATE_THRESHOLD,
    LikelyDuplicate,
    LikelyDuplicatesFound,
    Traits,
    create_identity,
    find_duplicates,
    register_identity,
)
from identities.services.merge import identities_merged, merge_identities
from identities.services.records import IdentityError, get_identity, read_identity
from identities.services.searching import (
    SEARCHES_PER_MINUTE,
    SearchOutcome,
    SearchRateExceeded,
    check_search_rate,
    search_directory,
    search_identities,
)

__all__ = [
    "DUPLICATE_THRESHOLD",
    "SEARCHES_PER_MINUTE",
    "IdentityError",
    "LikelyDuplicate",
    "LikelyDuplicatesFound",
    "SearchOutcome",
    "SearchRateExceeded",
    "Traits",
    "check_search_rate",
    "create_identity",
    "find_duplicates",
    "fold",
    "get_identity",
    "identities_merged",
    "merge_identities",
    "prefix_range",
    "read_identity",
    "register_identity",
    "search_directory",
    "search_identities",
]
