"""The distinct names of the directory and their deletion neighbourhood (typo tolerance).

Why: the blocks of ``identities/search.py`` (first three letters, last three, letters in any
order, sound) all break at once when a short name (3 to 8 letters) carries one or two typos:
``KEGRIC`` for ``KERGRISC``, ``RENAUD`` for ``RENAULT``. A name within edit distance 2 of what
was typed is found here instead, SymSpell-style, on the *distinct* names (a few hundred thousand
at two million identities), then the identities are read by (candidate name, first-name sound)
through the existing indexes.

Two tables (``SearchName``, ``SearchNameVariant``):

* every distinct compact key of a birth or used name (kind ``N``) and of a first name (kind
  ``F``); a name never leaves the table (a stale name costs an index probe that finds nobody);
* for keys of :data:`MIN_LENGTH` to :data:`MAX_LENGTH` letters, every string obtained by
  deleting up to :func:`max_distance` letters (``MARTIN``: ``ARTIN``, ``MRTIN``, ... ``MAIN``).
  Two keys within edit distance *d* (optimal string alignment: substitution, insertion,
  deletion, transposition) share a string obtained by deleting at most *d* letters from each, so
  the deletions of the typed name, looked up in that index, give every stored name within *d*;
  :func:`neighbours` then checks the real distance. Longer names are not indexed: a 2-typo
  key of 9 letters and more keeps its first or last three letters, or its sound, more often,
  and their neighbourhoods would multiply the table (41 million rows at 2 million identities
  for every length, 7.4 million up to 8 letters).

Kept right on every path that writes identities: ``Identity.save()`` (services, admin, merges,
data migrations with the real model) calls :func:`refresh_identity`, hence :func:`register`;
bulk writers (the synthetic loader, benchmarks) call :func:`sync_from_identities`, one
``INSERT ... SELECT DISTINCT`` per kind of name and the neighbourhoods of the names it added;
migration 0005 fills both tables for existing rows. Nothing is cached in the process (no memory
per process beyond the query's own lists): every search reads the tables, so a name saved by
another process is found as soon as it is committed. Plain SQL, identical on SQLite and PostgreSQL.

Each neighbourhood row carries its key and kind (no join, no second look-up by id): a search
costs one index-only scan of (variant, kind, key) for the deletions of both typed names at
once, then the real distance checked in C (``rapidfuzz.process``) over the names found.
Size at two million identities (project set): 629,000 names (77 MB) and 7.4 million
neighbourhood rows; filled in about 35 s by the loader or the migration.
"""

from collections.abc import Iterable, Sequence
from itertools import islice

from django.db import connection
from rapidfuzz import process
from rapidfuzz.distance import OSA

NAME = "N"
FIRST_NAME = "F"
MIN_LENGTH = 3
MAX_LENGTH = 8
# Candidates kept per typed name (nearest first): bounds the identities read. A short typed
# key has a few hundred names within two typos (DUTEU: 427 at two million); the block keeps
# those with the same first-name sound.
MAX_CANDIDATES = 600
_BATCH = 20_000


def max_distance(key: str) -> int:
    """Letters deleted from a stored key: 1 up to 4 letters (two typos in ``ROUX`` make
    another name), 2 from 5 letters on."""
    return 1 if len(key) <= 4 else 2


def query_distance(typed_key: str) -> int:
    """Edits tolerated on a typed key: 2 from 4 letters on (``PTIH`` for ``PETIT``: a
    5-letter name keeps its 2-letter deletions), 1 below."""
    return 1 if len(typed_key) <= 3 else 2


def deletions(key: str, distance: int) -> set[str]:
    """``key`` and every string obtained by deleting up to ``distance`` of its letters."""
    found, frontier = {key}, {key}
    for _ in range(distance):
        frontier = {text[:i] + text[i + 1 :] for text in frontier for i in range(len(text))}
        found |= frontier
    return found


def stored_variants(key: str) -> set[str]:
    """The neighbourhood stored for a key (none outside MIN_LENGTH..MAX_LENGTH)."""
    if not MIN_LENGTH <= len(key) <= MAX_LENGTH:
        return set()
    return deletions(key, max_distance(key))


def candidate_names(typed_key: str, kind: str) -> list[str]:
    """Stored keys of that kind within edit distance 1 or 2 of ``typed_key`` (itself
    included), nearest first then alphabetical, at most :data:`MAX_CANDIDATES`."""
    return neighbours([typed_key])[typed_key, kind]


def neighbours(typed_keys: Sequence[str]) -> dict[tuple[str, str], list[str]]:
    """For each typed key and each kind, :func:`candidate_names`, in one query for all.

    Only the keys the index covers (up to MAX_LENGTH letters): a typed key longer than
    MAX_LENGTH + 2 letters cannot reach one and costs no query.
    """
    from identities.models import SearchNameVariant

    found: dict[tuple[str, str], list[str]] = {
        (typed, kind): [] for typed in typed_keys for kind in (NAME, FIRST_NAME)
    }
    reachable = [key for key in typed_keys if MIN_LENGTH - 1 <= len(key) <= MAX_LENGTH + 2]
    if not reachable:
        return found
    probes = sorted(set().union(*(deletions(key, query_distance(key)) for key in reachable)))
    # One look-up for both typed keys, an index-only scan of (variant, kind, key).
    stored: dict[str, list[str]] = {NAME: [], FIRST_NAME: []}
    for kind, key in (
        SearchNameVariant.objects.filter(variant__in=probes).values_list("kind", "key").distinct()
    ):
        stored[kind].append(key)
    for typed in reachable:
        distance = query_distance(typed)
        for kind in (NAME, FIRST_NAME):
            # The real distance, checked in C over the whole list (thousands for a short key).
            near = sorted(
                (found_distance, abs(len(key) - len(typed)), key)
                for key, found_distance, _index in process.extract(
                    typed, stored[kind], scorer=OSA.distance, score_cutoff=distance, limit=None
                )
            )
            found[typed, kind] = [key for *_nearness, key in near[:MAX_CANDIDATES]]
    return found


# --- Keeping the tables right -----------------------------------------------------------------


def identity_keys(identity: object) -> list[tuple[str, str]]:
    """The (kind, key) pairs of an identity's names, as its search keys hold them."""
    pairs = [
        (NAME, getattr(identity, "birth_name_key", "")),
        (NAME, getattr(identity, "used_name_key", "")),
        (FIRST_NAME, getattr(identity, "first_name_key", "")),
    ]
    return [(kind, key) for kind, key in pairs if key]


def register(pairs: Iterable[tuple[str, str]]) -> int:
    """Add the (kind, key) pairs that are not there yet, with their neighbourhoods.

    Safe against a concurrent registration of the same name: the name's insert ignores
    conflicts on its unique key, and a neighbourhood inserted twice is harmless (the look-up
    reads distinct names).
    Returns the number of names added.
    """
    from identities.models import SearchName

    wanted = set(pairs)
    if not wanted:
        return 0
    added = 0
    for kind in (NAME, FIRST_NAME):
        keys = sorted(key for k, key in wanted if k == kind)
        if not keys:
            continue
        existing = set(
            SearchName.objects.filter(kind=kind, key__in=keys).values_list("key", flat=True)
        )
        missing = [key for key in keys if key not in existing]
        if not missing:
            continue
        SearchName.objects.bulk_create(
            [SearchName(kind=kind, key=key) for key in missing], ignore_conflicts=True
        )
        _insert_variants(
            (variant, kind, key) for key in missing for variant in sorted(stored_variants(key))
        )
        added += len(missing)
    return added


def sync_from_identities() -> int:
    """Bring both tables up to date with the identity table, in bulk: one
    ``INSERT ... SELECT DISTINCT`` per kind of name, then the neighbourhoods of the names it
    added (found by their ids, above the largest before). Returns the number of names added."""
    from identities.models import Identity, SearchName, SearchNameVariant

    quote = connection.ops.quote_name
    table, names = quote(Identity._meta.db_table), quote(SearchName._meta.db_table)
    before = SearchName.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    with connection.cursor() as cursor:
        for kind, column in (
            (NAME, "birth_name_key"),
            (NAME, "used_name_key"),
            (FIRST_NAME, "first_name_key"),
        ):
            # Identifiers from the models; WHERE true keeps SQLite's parser from reading the
            # upsert's ON as a join's.
            cursor.execute(
                f"INSERT INTO {names} ({quote('kind')}, {quote('key')}) "  # noqa: S608  # nosec B608
                f"SELECT DISTINCT %s, {quote(column)} FROM {table} "
                f"WHERE {quote(column)} <> '' ON CONFLICT DO NOTHING",
                [kind],
            )
    added = list(SearchName.objects.filter(pk__gt=before).values_list("kind", "key"))
    _insert_variants(
        (variant, kind, key) for kind, key in added for variant in sorted(stored_variants(key))
    )
    if added and connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for model in (SearchName, SearchNameVariant):
                cursor.execute(f"ANALYZE {quote(model._meta.db_table)}")
    return len(added)


def _insert_variants(rows: Iterable[tuple[str, str, str]]) -> None:
    """COPY on PostgreSQL (millions of rows for a two-million load), bulk_create elsewhere.
    Duplicates are harmless (no unique constraint: a concurrent ``register`` may add the same
    neighbourhood; the look-up reads distinct names)."""
    from identities.models import SearchNameVariant

    iterator = iter(rows)
    if connection.vendor == "postgresql":
        quote = connection.ops.quote_name
        sql = (
            f"COPY {quote(SearchNameVariant._meta.db_table)} "
            f"({quote('variant')}, {quote('kind')}, {quote('key')}) FROM STDIN"
        )
        with connection.cursor() as cursor, cursor.copy(sql) as copy:
            for row in iterator:
                copy.write_row(row)
        return
    while batch := list(islice(iterator, _BATCH)):
        SearchNameVariant.objects.bulk_create(
            [SearchNameVariant(variant=variant, kind=kind, key=key) for variant, kind, key in batch]
        )


def refresh_identity(identity: object) -> None:
    """Register the names of one identity (what ``Identity.save()`` calls)."""
    register(identity_keys(identity))


__all__: Sequence[str] = (
    "FIRST_NAME",
    "NAME",
    "candidate_names",
    "deletions",
    "register",
    "sync_from_identities",
)
