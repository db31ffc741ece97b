"""Finding the right person in the identity directory.

Two steps, both identical on SQLite and PostgreSQL:

1. **Candidates** come from indexed equality and prefix-range look-ups on search keys that
   Python computed when the identity was saved (``identities/phonetic.py``):
   - with a birth date: everyone born that day (a few dozen people even at 2 million identities);
   - with a name and a first name: *blocks* that each tolerate a different kind of error:
     both starting with what was typed; same phonetic name; same first-name sound and same
     first letters of the name (typo at the end); same first-name sound and same last letters
     (typo at the start); same first-name sound and same letters in any order (two letters
     swapped); same first-name sound and a name within one or two typos of what was typed,
     among the distinct names of 3 to 8 letters (``identities/names.py``: the short names
     whose every other block a typo or two breaks at once; the 600 nearest, 100 when name and
     first name are taken swapped); the name as typed and a first name within one or two
     typos; and the same with name and first name swapped;
   - with a name alone (as-you-type): names starting with what was typed.
2. **Ranking** scores every candidate in Python against the real names (edit distance with
   rapidfuzz, phonetic equality, birth date, sex): exact matches first, then by score, ties
   broken by name, first name, birth date and id, never at random.

Nothing here depends on a database-specific operator, so both back-ends return the same list.
"""

import datetime
import heapq
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property

from django.db import connection
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from rapidfuzz.distance import Indel

from accounts.exceptions import Refused
from identities import names
from identities.models import NAME_AND_BIRTH_FIELDS, Identity
from identities.phonetic import anagram, compact, phonetic

MAX_RESULTS = 20
# Rows read per block, the closest to what was typed first (see _closeness): bounds the rows
# scored in Python when a common name and first name fill a block with thousands.
BLOCK_CAP = 80
# Everyone born that day (about 55 a day at 2 million, more on the 1st of January, the date
# given when only the year is known).
BIRTH_DATE_CAP = 1_500
# Names within one or two typos used when name and first name may have been swapped.
SWAPPED_NEAR_CAP = 100
# Rows fully scored in Python at most, the best estimated (see _nearest).
SCORED_CAP = 200
MIN_SCORE = 55.0
WEIGHTS = {"name": 45.0, "first_name": 30.0, "birth_date": 20.0, "sex": 5.0}
CANDIDATE_FIELDS = (
    "pk",
    *NAME_AND_BIRTH_FIELDS,
    "birth_name_key",
    "used_name_key",
    "first_name_key",
    "birth_name_sound",
    "used_name_sound",
    "first_name_sound",
)


class SearchRefused(Refused, ValueError):
    """The criteria are too thin: the directory must not be browsable. Message safe to show."""


@dataclass(frozen=True)
class Criteria:
    name: str = ""
    first_name: str = ""
    birth_date: datetime.date | None = None
    sex: str = ""

    @cached_property
    def name_key(self) -> str:
        return compact(self.name)

    @cached_property
    def first_name_key(self) -> str:
        return compact(self.first_name)


@dataclass(frozen=True)
class Match:
    identity_id: int
    score: float
    exact: bool
    sort_key: tuple[object, ...]


def check_criteria(criteria: Criteria) -> None:
    """Refuse searches that would let someone page through the directory."""
    name, first = len(criteria.name_key), len(criteria.first_name_key)
    if name >= 3 or (name >= 1 and criteria.birth_date) or (name >= 2 and first >= 1):
        return
    raise SearchRefused(
        _(
            "Enter at least the first 3 letters of the name, or the name's first letter "
            "and the birth date."
        )
    )


def search(criteria: Criteria, *, limit: int = MAX_RESULTS) -> list[tuple[Identity, Match]]:
    """The best matches for the criteria, best first, at most ``limit`` (capped at 20)."""
    check_criteria(criteria)
    limit = min(limit, MAX_RESULTS)
    candidates = _candidates(criteria)
    matches = sorted(
        (match for row in candidates if (match := _score(criteria, row)).score >= MIN_SCORE),
        key=lambda match: match.sort_key,
    )[:limit]
    identities = Identity.objects.in_bulk([match.identity_id for match in matches])
    return [(identities[match.identity_id], match) for match in matches]


def score(criteria: Criteria, identity: Identity) -> float:
    """The ranking score of one identity against criteria (0 to 100)."""
    row = {field: getattr(identity, field) for field in CANDIDATE_FIELDS}
    return _score(criteria, row).score


# --- Candidates ------------------------------------------------------------------------------


def prefix_range(field: str, prefix: str) -> Q:
    """``field`` starts with ``prefix``, as a range an ordinary B-tree index serves everywhere."""
    return Q(**{f"{field}__{op}": value for _field, op, value in _prefix(field, prefix)})


# A block is a list of conditions (field, operator, value) all rows of the block meet, and
# what to read first when it holds more than BLOCK_CAP rows: (name field, name and first name
# as typed), or None for the order of ids.
Condition = tuple[str, str, object]
Closeness = tuple[str, str, str] | None
Block = tuple[list[Condition], Closeness]
_OPERATORS = {"exact": "=", "gte": ">=", "lt": "<", "in": "IN"}


def _prefix(field: str, prefix: str) -> list[Condition]:
    upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)
    return [(field, "gte", prefix), (field, "lt", upper)]


def _affix_length(key: str) -> int:
    """Three first and last letters: from 6 letters on they never overlap, so one typo spares
    one side, and a long name keeps three letters intact more often than four."""
    return 3


def _blocks(
    name: str,
    first: str,
    near: dict[tuple[str, str], list[str]] | None = None,
    *,
    near_cap: int = names.MAX_CANDIDATES,
) -> Iterable[Block]:
    near = near if near is not None else names.neighbours([compact(name), compact(first)])
    for prefix, conditions in _conditions(name, first, near, near_cap):
        yield conditions, (f"{prefix}_key", compact(name), compact(first))


def _conditions(
    name: str, first: str, near: dict[tuple[str, str], list[str]], near_cap: int
) -> Iterable[tuple[str, list[Condition]]]:
    """The blocks of a name and first name given in that order (see the module docstring);
    at most ``near_cap`` names within one or two typos of the name, nearest first."""
    name_key, first_key = compact(name), compact(first)
    if not name_key or not first_key:
        return
    name_sound, first_sound = phonetic(name), phonetic(first)
    affix = _affix_length(name_key)
    near_names = near[name_key, names.NAME][:near_cap]
    near_firsts = [key for key in near[first_key, names.FIRST_NAME] if key != first_key]
    initial = _prefix("first_name_key", first_key[:1])
    same_first = ("first_name_sound", "exact", first_sound)
    for prefix in ("birth_name", "used_name"):
        # Both still being typed: names and first names starting with what was typed.
        yield prefix, [*_prefix(f"{prefix}_key", name_key), *_prefix("first_name_key", first_key)]
        yield prefix, [(f"{prefix}_sound", "exact", name_sound), *initial]
        yield prefix, [same_first, *_prefix(f"{prefix}_key", name_key[:affix])]
        yield prefix, [same_first, *_prefix(f"{prefix}_rkey", name_key[::-1][:affix])]
        # Two letters swapped anywhere (the commonest typo): same letters, same first name.
        yield prefix, [same_first, (f"{prefix}_anagram", "exact", anagram(name))]
        # Short names within one or two typos (identities/names.py), same first name.
        if near_names:
            yield prefix, [same_first, (f"{prefix}_key", "in", near_names)]
        # A typo in a short first name, the name as typed.
        if near_firsts:
            yield (
                prefix,
                [
                    ("first_name_sound", "in", sorted({phonetic(key) for key in near_firsts})),
                    (f"{prefix}_key", "exact", name_key),
                    ("first_name_key", "in", near_firsts),
                ],
            )


def _fetch_blocks(blocks: list[Block], *, cap: int | None = None) -> list[dict[str, object]]:
    """The first ``BLOCK_CAP`` active rows of every block, closest to what was typed first:
    name and first name equal to those typed, then nearest in length, then by id.

    Plain SQL, one ``UNION ALL`` statement where the database allows a LIMIT in its parts
    (PostgreSQL), one statement per block elsewhere (SQLite): building twenty ORM querysets
    cost more than running them, and one round trip replaces twenty. The same rows either way.
    """
    quote = connection.ops.quote_name
    meta = Identity._meta

    def column(field: str) -> str:
        return quote((meta.pk if field == "pk" else meta.get_field(field)).column)

    def condition(field: str, op: str, value: object) -> tuple[str, list[object]]:
        if op == "in" and connection.vendor == "postgresql":
            # One array, read through a sub-select: the planner estimates a literal list name by
            # name (600 names within two typos of MARIE: 10 ms of planning for four blocks) and
            # psycopg parses a query of thousands of placeholders. The index serves it the same.
            return f"{column(field)} = ANY(ARRAY(SELECT unnest(%s::text[])))", [value]
        values = value if isinstance(value, list) else [value]
        return f"{column(field)} {_OPERATORS[op]} {_placeholders(value)}", values

    columns = ", ".join(column(field) for field in CANDIDATE_FIELDS)
    statements: list[tuple[str, list[object]]] = []
    for block, closeness in blocks:
        conditions = [condition(field, op, value) for field, op, value in block]
        where = " AND ".join(sql for sql, _values in conditions)
        params = [item for _sql, values in conditions for item in values]
        order = column("pk")
        if closeness:
            field, name_key, first_key = closeness
            name, first = column(field), column("first_name_key")
            order = (
                f"(CASE WHEN {name} = %s THEN 0 ELSE 1 END) "
                f"+ (CASE WHEN {first} = %s THEN 0 ELSE 1 END), "
                f"ABS(LENGTH({name}) - %s) + ABS(LENGTH({first}) - %s), {order}"
            )
            params += [name_key, first_key, len(name_key), len(first_key)]
        statements.append(
            (
                # Identifiers come from the model, values go as parameters.
                f"SELECT {columns} FROM {quote(meta.db_table)} "  # noqa: S608  # nosec B608
                f"WHERE {column('is_active')} AND {where} "
                f"ORDER BY {order} LIMIT {cap or BLOCK_CAP}",
                params,
            )
        )
    if connection.features.supports_slicing_ordering_in_compound:
        statements = [
            (
                " UNION ALL ".join(f"({sql})" for sql, _params in statements),
                [value for _sql, params in statements for value in params],
            )
        ]
    rows = []
    with connection.cursor() as cursor:
        for sql, params in statements:
            cursor.execute(sql, params)
            rows.extend(cursor.fetchall())
    birth_date = CANDIDATE_FIELDS.index("birth_date")
    return [
        dict(zip(CANDIDATE_FIELDS, row, strict=True)) | {"birth_date": _as_date(row[birth_date])}
        for row in rows
    ]


def _nearest(criteria: Criteria, rows: list[dict[str, object]]) -> list[dict[str, object]]:
    """At most SCORED_CAP rows, those a cheap estimate of the score puts first (keys' edit
    similarity or same sound, in C), so that a common name and first name never make the full
    scoring run on hundreds of rows; every exact match estimates at the top."""
    if len(rows) <= SCORED_CAP:
        return rows
    name, first = criteria.name_key, criteria.first_name_key
    sounds = {name: phonetic(name), first: phonetic(first)}

    def near(typed: str, key: object, sound: object) -> float:
        if not key:
            return 0.0
        return 1.0 if sound == sounds[typed] else Indel.normalized_similarity(typed, key)

    def estimate(row: dict[str, object]) -> tuple[float, int]:
        def traits(typed_name: str, typed_first: str) -> float:
            return 45 * max(
                near(typed_name, row["birth_name_key"], row["birth_name_sound"]),
                near(typed_name, row["used_name_key"], row["used_name_sound"]),
            ) + 30 * near(typed_first, row["first_name_key"], row["first_name_sound"])

        return max(traits(name, first), 0.98 * traits(first, name)), -int(row["pk"])

    return heapq.nlargest(SCORED_CAP, rows, key=estimate)


def _placeholders(value: object) -> str:
    return f"({', '.join(['%s'] * len(value))})" if isinstance(value, list) else "%s"


def _as_date(value: object) -> datetime.date:
    # SQLite gives plain SQL's dates as text.
    return datetime.date.fromisoformat(value) if isinstance(value, str) else value


def _candidates(criteria: Criteria) -> list[dict[str, object]]:
    if criteria.birth_date:
        return _fetch_blocks(
            [([("birth_date", "exact", criteria.birth_date)], None)], cap=BIRTH_DATE_CAP
        )
    active = Identity.objects.filter(is_active=True).values(*CANDIDATE_FIELDS)
    name_key = criteria.name_key
    if criteria.first_name_key:
        rows: dict[int, dict[str, object]] = {}
        near = names.neighbours([name_key, criteria.first_name_key])
        blocks = [
            *_blocks(criteria.name, criteria.first_name, near),
            # Swapped and two typos at once is rarer: fewer names (each costs the planner an
            # estimate and the index a probe; MARIE has 600 names within two typos).
            *_blocks(criteria.first_name, criteria.name, near, near_cap=SWAPPED_NEAR_CAP),
        ]
        for row in _fetch_blocks(blocks):
            rows.setdefault(row["pk"], row)
        return _nearest(criteria, list(rows.values()))
    # As-you-type on the name alone: the first names in alphabetical order of each kind.
    rows = {}
    for field in ("birth_name_key", "used_name_key"):
        query = active.filter(prefix_range(field, name_key)).order_by(field, "first_name", "pk")
        for row in query[:MAX_RESULTS]:
            rows.setdefault(row["pk"], row)
    return list(rows.values())


# --- Ranking ---------------------------------------------------------------------------------


def _similarity(query: str, key: str, sound: str, query_sound: str, *, prefix: bool) -> float:
    if not key:
        return 0.0
    if query == key:
        return 100.0
    score = Indel.normalized_similarity(query, key) * 100
    if prefix and key.startswith(query):
        score = max(score, 92.0)
    if sound and sound == query_sound:
        score = max(score, 90.0)
    return score


def _name_score(query: str, row: dict[str, object], *, prefix: bool) -> float:
    query_sound = phonetic(query)
    return max(
        _similarity(
            query, row["birth_name_key"], row["birth_name_sound"], query_sound, prefix=prefix
        ),
        _similarity(
            query, row["used_name_key"], row["used_name_sound"], query_sound, prefix=prefix
        ),
    )


def _first_name_score(query: str, row: dict[str, object]) -> float:
    query_sound = phonetic(query)
    best = _similarity(
        query, row["first_name_key"], row["first_name_sound"], query_sound, prefix=True
    )
    # Any of the birth first names, or the used first name, is the same person.
    others = f"{row['birth_first_names']} {row['used_first_name']}".split()
    for other in others:
        key = compact(other)
        if key and key != row["first_name_key"]:
            best = max(best, _similarity(query, key, phonetic(other), query_sound, prefix=False))
    return best


def _date_score(query: datetime.date, date: datetime.date) -> float:
    if query == date:
        return 100.0
    same = (query.year == date.year) + (query.month == date.month) + (query.day == date.day)
    swapped = query.day == date.month and query.month == date.day and query.year == date.year
    return 60.0 if swapped else 40.0 if same == 2 else 0.0


def _traits_score(name: str, first: str, criteria: Criteria, row: dict[str, object]) -> float:
    total = weight = 0.0
    if name:
        total += WEIGHTS["name"] * _name_score(name, row, prefix=not first)
        weight += WEIGHTS["name"]
    if first:
        total += WEIGHTS["first_name"] * _first_name_score(first, row)
        weight += WEIGHTS["first_name"]
    if criteria.birth_date:
        total += WEIGHTS["birth_date"] * _date_score(criteria.birth_date, row["birth_date"])
        weight += WEIGHTS["birth_date"]
    if criteria.sex:
        total += WEIGHTS["sex"] * (100.0 if criteria.sex == row["sex"] else 0.0)
        weight += WEIGHTS["sex"]
    return total / weight


def _score(criteria: Criteria, row: dict[str, object]) -> Match:
    name, first = criteria.name_key, criteria.first_name_key
    score = _traits_score(name, first, criteria, row)
    if name and first:
        # First name and name swapped on entry: the same person, barely less likely.
        score = max(score, 0.98 * _traits_score(first, name, criteria, row))
    names = (row["birth_name_key"], row["used_name_key"])
    same_rest = (not criteria.birth_date or criteria.birth_date == row["birth_date"]) and (
        not criteria.sex or criteria.sex == row["sex"]
    )
    exact = same_rest and (
        ((not name or name in names) and (not first or first == row["first_name_key"]))
        or (bool(name and first) and first in names and name == row["first_name_key"])
    )
    rounded = round(score, 1)
    sort_key = (
        not exact,
        -rounded,
        row["birth_name"],
        row["first_name"],
        row["birth_date"],
        row["pk"],
    )
    return Match(identity_id=row["pk"], score=rounded, exact=exact, sort_key=sort_key)
