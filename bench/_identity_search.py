"""What the identity benchmarks share: one query through the search, the misses, the homonyms,
the duplicates and the plans (``bench/identities.py`` runs them on each directory)."""

import json
import time
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from random import Random
from typing import Any

from bench.harness import Context, Row, at_least, at_most, percentile

AMBIGUOUS_ABOVE = 20  # homonyms: more people with the same name and first name than results
HOMONYM_HEAVY_QUERIES = 40
EXPLAINED_PER_KIND = 3
DUPLICATE_RECALL_TARGET = 0.98


@dataclass
class Outcome:
    """One query run: how long, what came back (primary keys, best first)."""

    query: Any
    ms: float
    results: list[int]
    names: list[str] = field(default_factory=list)
    refused: str = ""

    @property
    def found(self) -> bool:
        return self.query.target in self.results


def run_search(query: Any) -> Outcome:
    from identities.search import SearchRefused, search

    criteria = query.criteria()
    started = time.perf_counter()
    try:
        results = search(criteria)
    except SearchRefused as error:
        return Outcome(query, (time.perf_counter() - started) * 1000, [], refused=str(error))
    ms = (time.perf_counter() - started) * 1000
    return Outcome(
        query,
        ms,
        [identity.pk for identity, _match in results],
        [
            f"{identity.display_name} {identity.first_name} {identity.birth_date:%d/%m/%Y}"
            for identity, _match in results
        ],
    )


def matches_prefix(query: Any, outcome: Outcome) -> bool:
    """Every result's birth or used name starts with the letters typed."""
    from identities.models import Identity
    from identities.phonetic import compact

    prefix = compact(query.name)
    keys = Identity.objects.filter(pk__in=outcome.results).values_list(
        "birth_name_key", "used_name_key"
    )
    return bool(outcome.results) and all(
        birth.startswith(prefix) or used.startswith(prefix) for birth, used in keys
    )


def homonyms(query: Any) -> int:
    """Active identities with exactly the target's name (as typed from) and first name."""
    from django.db.models import Q

    from identities.models import Identity
    from identities.phonetic import compact, phonetic

    name, first = compact(query.stored_name), compact(query.first_name)
    if query.variant == "swapped":
        name, first = compact(query.first_name), compact(query.name)
    first_sound = phonetic(first)
    return (
        Identity.objects.filter(is_active=True, first_name_sound=first_sound, first_name_key=first)
        .filter(Q(birth_name_key=name) | Q(used_name_key=name))
        .count()
    )


def ambiguity(ctx: Context, label: str, outcomes: Sequence[Outcome]) -> Iterator[Row]:
    counts = [homonyms(o.query) for o in outcomes]
    ambiguous = [o for o, n in zip(outcomes, counts, strict=True) if n > AMBIGUOUS_ABOVE]
    clear = [o for o, n in zip(outcomes, counts, strict=True) if n <= AMBIGUOUS_ABOVE]
    share = len(ambiguous) / len(outcomes)
    examples = sorted(
        ((n, o.query.describe()) for o, n in zip(outcomes, counts, strict=True)), reverse=True
    )[:5]
    ctx.log(
        f"identities: {len(ambiguous)} of {len(outcomes)} queries have more than "
        f"{AMBIGUOUS_ABOVE} homonyms (same name and first name), e.g. "
        + "; ".join(f"{text}: {n}" for n, text in examples)
    )
    yield Row(
        label,
        f"queries with > {AMBIGUOUS_ABOVE} exact homonyms",
        share * 100,
        "%",
        details={
            "most homonyms": examples,
            "homonyms per query": dict(sorted(Counter(counts).items())),
        },
    )
    if ambiguous:
        yield Row(
            label,
            f"recall@20 of those ({len(ambiguous)})",
            sum(o.found for o in ambiguous) / len(ambiguous),
            "",
        )
    yield Row(
        label,
        f"recall@20 of the others ({len(clear)})",
        sum(o.found for o in clear) / len(clear),
        "",
    )


def homonym_heavy(
    ctx: Context, label: str, generator: Any, active: Any, rng: Random
) -> Iterator[Row]:
    """Exact queries on people whose name and first name more than 20 people share.

    Random targets rarely are such people, so they are sought on purpose: the recall of these
    queries shows what no search can do without a birth date (at best 20 / homonyms).
    """
    from django.db.models import Count

    from identities.models import Identity

    pairs = list(
        active.values("birth_name", "first_name")
        .annotate(holders=Count("pk"))
        .filter(holders__gt=AMBIGUOUS_ABOVE)
        .order_by("-holders", "birth_name", "first_name")
    )
    people = sum(pair["holders"] for pair in pairs)
    total = active.count()
    examples = ", ".join(f"{p['birth_name']} {p['first_name']} ({p['holders']})" for p in pairs[:5])
    ctx.log(
        f"identities: {len(pairs)} name + first name pairs have more than {AMBIGUOUS_ABOVE} "
        f"holders, {people:,} identities ({people / total:.2%}); most shared: {examples}"
    )
    yield Row(
        label,
        f"identities sharing name + first name with > {AMBIGUOUS_ABOVE} others",
        people / total * 100,
        "%",
        details={"pairs": len(pairs), "most shared": examples},
    )
    if not pairs:
        return
    outcomes, bound = [], []
    for pair in rng.sample(pairs, min(HOMONYM_HEAVY_QUERIES, len(pairs))):
        holders = list(
            active.filter(birth_name=pair["birth_name"], first_name=pair["first_name"])
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        identity = Identity.objects.get(pk=rng.choice(holders))
        query = generator.make_query(identity, generator.NAME_AND_FIRST_NAME, "exact", rng)
        outcomes.append(run_search(query))
        bound.append(min(1.0, 20 / len(holders)))
    yield Row(
        label,
        f"recall@20 of exact queries on those ({len(outcomes)}, informative)",
        sum(o.found for o in outcomes) / len(outcomes),
        "",
    )
    yield Row(label, "best possible on those (20 / holders)", sum(bound) / len(bound), "")


def describe_miss(kind: str, outcome: Outcome) -> str:
    from identities.models import Identity

    query = outcome.query
    target = Identity.objects.get(pk=query.target)
    stored = (
        f"{target.birth_name}{f' ({target.used_name})' if target.used_name else ''} "
        f"{target.first_name} {target.birth_date:%d/%m/%Y} #{target.pk}"
    )
    returned = outcome.refused or (
        f"{len(outcome.results)} results: "
        + "; ".join(outcome.names[:3])
        + (" ..." if len(outcome.names) > 3 else "")
    )
    detail = f" [{query.detail}]" if query.detail else ""
    return (
        f"{kind} / {query.variant}{detail}: typed {query.describe()} | stored {stored} | "
        f"returned {returned}"
    )


# --- Duplicates -------------------------------------------------------------------------------


def duplicates(
    ctx: Context, label: str, generator: Any, pool: Sequence[Any], count: int, rng: Random
) -> Iterator[Row]:
    from identities.services import find_duplicates

    originals = rng.sample(list(pool), count)
    ctx.log(f"identities: find_duplicates() on {len(originals)} one-typo duplicates")
    found = returned = 0
    durations: list[float] = []
    by_kind: dict[str, list[bool]] = defaultdict(list)
    missed: list[str] = []
    for original in originals:
        traits, where = generator.make_duplicate(original, rng)
        started = time.perf_counter()
        candidates = find_duplicates(traits)
        durations.append((time.perf_counter() - started) * 1000)
        hit = any(candidate.identity.pk == original.pk for candidate in candidates)
        found += hit
        returned += len(candidates)
        by_kind[where].append(hit)
        if not hit and len(missed) < 10:
            missed.append(
                f"{where}: {traits.birth_name} {traits.first_name} {traits.birth_date:%d/%m/%Y}"
                f" for {original}"
            )
    for line in missed[:5]:
        ctx.log(f"identities: duplicate missed: {line}")
    kinds = {kind: sum(hits) / len(hits) for kind, hits in sorted(by_kind.items())}
    yield Row(
        label,
        f"recall ({len(originals)} duplicates)",
        found / len(originals),
        "",
        at_least(DUPLICATE_RECALL_TARGET),
        details={"by typo location": kinds, "missed": missed},
    )
    yield Row(
        label,
        "precision (returned candidates that are the original)",
        found / returned if returned else 0.0,
        "",
        details={"candidates returned": returned},
    )
    yield Row(label, "find_duplicates() p95 latency", percentile(durations, 95), "ms")


# --- Plans ------------------------------------------------------------------------------------


def explain(
    ctx: Context, label: str, filename: str, generator: Any, active: Any, queries: dict[str, Any]
) -> Iterator[Row]:
    """``EXPLAIN`` of a few searches of each kind, written to ``filename``; one row."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    lines: list[str] = []
    bad: list[str] = []
    total = 0
    explained = [
        query
        for kind_queries in queries.values()
        for query in kind_queries[:: max(1, len(kind_queries) // EXPLAINED_PER_KIND)][
            :EXPLAINED_PER_KIND
        ]
    ]
    explained += _frequent_name_queries(generator, active)
    for query in explained:
        with CaptureQueriesContext(connection) as captured:
            run_search(query)
        for executed in captured.captured_queries:
            sql = executed["sql"]
            if not sql.lstrip().upper().startswith("SELECT"):
                continue
            total += 1
            with connection.cursor() as cursor:
                cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}")
                plan = cursor.fetchone()[0]
                cursor.execute(f"EXPLAIN {sql}")
                text = "\n".join(row[0] for row in cursor.fetchall())
            plan = json.loads(plan) if isinstance(plan, str) else plan
            problems = list(_full_scans(plan[0]["Plan"]))
            lines += [f"-- {query.kind} / {query.variant}: {query.describe()}", sql, text, ""]
            if problems:
                bad.append(f"{query.kind}: {', '.join(problems)}: {sql}")
    (ctx.out_dir / filename).write_text("\n".join(lines))
    for line in bad[:5]:
        ctx.log(f"identities: not served by a search index: {line}")
    ctx.log(f"identities: {total} plans written to {filename}")
    yield Row(
        label,
        f"queries reading the whole table (of {total})",
        len(bad),
        "",
        at_most(0),
        details={"queries": bad},
    )


def _frequent_name_queries(generator: Any, active: Any) -> list[Any]:
    """The worst cases for the planner: the most frequent name, with its most frequent first
    name, as typed in each kind of query (the blocks and ranges are then the largest)."""
    from django.db.models import Count

    by_count = {"n": Count("pk")}
    top = active.values("birth_name").annotate(**by_count).order_by("-n", "birth_name").first()
    if top is None:
        return []
    name = top["birth_name"]
    first = (
        active.filter(birth_name=name)
        .values("first_name")
        .annotate(**by_count)
        .order_by("-n", "first_name")
        .first()["first_name"]
    )
    birth_date = (
        active.filter(birth_name=name, first_name=first)
        .order_by("pk")
        .values_list("birth_date", flat=True)
        .first()
    )
    return [
        generator.Query(generator.WITH_BIRTH_DATE, "frequent", name, first, birth_date),
        generator.Query(generator.NAME_AND_FIRST_NAME, "frequent", name, first),
        generator.Query(generator.PREFIX, "frequent", name[:3]),
    ]


def _full_scans(node: dict[str, Any]) -> Iterator[str]:
    """Scans of the identity table that are not served by an index condition."""
    relation = node.get("Relation Name")
    if relation == "identities_identity":
        if node["Node Type"] == "Seq Scan":
            yield "Seq Scan"
        elif node["Node Type"] in ("Index Scan", "Index Only Scan") and "Index Cond" not in node:
            yield f"{node['Node Type']} on {node.get('Index Name')} without condition"
    for child in node.get("Plans", []):
        yield from _full_scans(child)
