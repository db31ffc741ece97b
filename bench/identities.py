"""The identity directory at two million identities, on two directories: the product's search
beside the simple alternatives a Django developer would write.

Two benchmarks, the same measures, each on its own database (the two sets are never mixed):

* ``identities``: 2,000,000 identities of ``identities/synthetic/`` (Zipf-like French surnames
  with a long tail, first names by generation, used names, hyphenated names, the age pyramid),
  in ``portal_bench``;
* ``identities-heldout``: 2,000,000 identities of the held-out generator ``bench/heldout/``
  (INSEE's surnames and first names, another typo model: AZERTY slips, transpositions, spelling
  by ear), which shares no code and no name list with the first (issue 15, part 1), in
  ``BENCH_HELDOUT_DATABASE_URL`` (``portal_bench_heldout``, created and migrated by
  ``scripts/bench``).

Each is loaded by ``manage.py load_synthetic_identities`` (``--generator heldout`` for the second)
when fewer are there; a second run reuses them (the row says "reused").

Queries: identities drawn at random (fixed seed) among the directory's, and for each the query a
clinician would type (the generator's ``make_query``), with one kind of error among its
``VARIANTS`` (exact, case and accents, hyphen/space, one typo, two typos, phonetic spelling, first
name and name swapped, used name; the held-out set adds a typo in the first name), in equal
numbers: 400 queries per kind on the synthetic set, 603 on the held-out one. Three kinds:

* **with birth date**: name + first name + birth date;
* **name + first name**, without birth date;
* **prefix**: the first 3 to 5 letters of the name, as typed in the as-you-type box.

Measured through ``identities.search.search()`` in this process (the product's code, with its
SQL on PostgreSQL and its ranking in Python; DEBUG off), after a warm-up that is not counted:
p95 and max latency, and recall@20, the share of queries whose identity is among the first 20
results, overall, by variant, and for names of 3 to 7 letters. For the prefix, whose letters
match thousands of people, recall means nothing: the row checks that every result starts with
the letters typed instead.

Baselines (``bench/_identity_baselines.py``), in the same run, on the same queries, recall and
p95 side by side (≥ 400 queries each):

* name + first name: **pg_trgm**, the GIN trigram indexes on the name keys with the ``%``
  operator and ``similarity()`` ordering, the best simple alternative;
* with birth date: the **plain indexed lookup** (``ILIKE`` on the names with the exact date,
  which the birth-date index serves): it is faster than the search (about 1 ms) and finds only
  the queries typed without an error (0.40 of the targets on the synthetic set, 0.32 on the
  held-out one); and pg_trgm's ordering among the people born that day;
* prefix: an anchored **``LIKE 'ABC%'``** on the indexed name keys.

Targets (issue 15, on any realistic directory): without a birth date recall@20 ≥ 0.98, two
typos ≥ 0.85, p95 ≤ 50 ms, max ≤ 150 ms; with a birth date recall ≥ 0.995, p95 ≤ 10 ms; prefix
p95 ≤ 20 ms; duplicates recall ≥ 0.98. The baselines have none: they are what the search is
read against.

Ambiguity is reported, not hidden: without a birth date, "MARTIN MARIE" has dozens of true
homonyms and no search can put the right one in the first 20. The share of queries whose
identity has more than 20 homonyms (same name and first name) and the recall with and without
them are printed; the recall row counts every query. Random targets seldom are such people, so
the share of the directory concerned is printed too, and exact queries on 40 of them are run on
purpose: their recall@20, against the best any search can do (20 / homonyms), shows the limit.

Duplicates: one-typo duplicates of existing identities (the generator's ``make_duplicate``), as
``Traits``, never saved; ``services.find_duplicates()`` must return the original (recall) and the
precision is the share of returned candidates that are the original.

Plans: the SQL of a few searches of each kind, and of the most frequent name with its most
frequent first name (the largest blocks), goes through ``EXPLAIN``; a sequential scan of the
identity table, or an index scan without an index condition, counts as a query not served by
a search index. The plans are written to ``<out>/explain.txt`` (``explain-heldout.txt``), every
missed query to ``<out>/identities-misses.txt`` (``identities-heldout-misses.txt``).
"""

import gc
import os
import time
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from io import StringIO
from random import Random
from typing import Any

from bench import _identity_baselines as baselines
from bench._identity_search import (
    Outcome,
    ambiguity,
    describe_miss,
    duplicates,
    explain,
    homonym_heavy,
    matches_prefix,
    run_search,
)
from bench.harness import BenchError, Context, Row, at_least, at_most, benchmark, percentile

TARGET_COUNT = 2_000_000
PREFIX_QUERIES = 400
WARM_UP = 40  # queries per kind run once before measuring
DUPLICATES = 300
POOL = 8_000  # identities drawn at random, the targets of every query
LOAD_TARGET_S = 600
HELDOUT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/portal_bench_heldout"

KIND_LABELS = {
    "birth_date": "name + first name + birth date",
    "name_first_name": "name + first name",
    "prefix": "as-you-type prefix",
}
P95_TARGETS_MS = {"birth_date": 10, "name_first_name": 50, "prefix": 20}
MAX_TARGETS_MS = {"name_first_name": 150}
RECALL_TARGETS = {"birth_date": 0.995, "name_first_name": 0.98}
VARIANT_TARGETS = {("name_first_name", "typo2"): 0.85}
SHORT_NAME = (3, 7)  # letters: the names whose blocking keys all break at once with two typos


@dataclass(frozen=True)
class Directory:
    """One set of identities, its generator and how the bench reads it."""

    name: str  # the generator's name for load_synthetic_identities --generator
    title: str  # what its rows' labels start with
    files: str  # what its files' names end with
    seed: int
    per_variant: int  # queries of each variant, per kind with a name and a first name
    baseline_per_variant: int  # of those, run through the baselines too

    @property
    def generator(self) -> Any:
        if self.name == "heldout":
            from bench import heldout

            return heldout
        from identities import synthetic

        return synthetic

    def identities(self) -> Any:
        """The directory's identities (a queryset): this generator's synthetic rows."""
        from bench.heldout import EMAIL_PREFIX
        from identities.management.commands.load_synthetic_identities import (
            synthetic_identities,
        )

        rows = synthetic_identities()
        if self.name == "heldout":
            return rows.filter(email__startswith=EMAIL_PREFIX)
        return rows.exclude(email__startswith=EMAIL_PREFIX)

    def label(self, kind: str) -> str:
        return f"{self.title} search: {KIND_LABELS[kind]}"


SYNTHETIC = Directory("synthetic", "identity", "", 2026, 50, 50)
HELDOUT = Directory("heldout", "held-out identity", "-heldout", 1891, 67, 45)


@benchmark("identities", budget_s=1800)
def identities(ctx: Context) -> Iterator[Row]:
    """Identity directory at 2 million (identities/synthetic): search vs pg_trgm, duplicates."""
    yield from _run(ctx, SYNTHETIC)


@benchmark("identities-heldout", budget_s=2000)
def identities_heldout(ctx: Context) -> Iterator[Row]:
    """Held-out directory at 2 million (bench/heldout, own database): the same measures."""
    # This benchmark's own process (bench/_child.py): Django is not set up yet.
    os.environ["DATABASE_URL"] = os.environ.get("BENCH_HELDOUT_DATABASE_URL", HELDOUT_DATABASE_URL)
    yield from _run(ctx, HELDOUT)


def _run(ctx: Context, directory: Directory) -> Iterator[Row]:
    from bench.harness import setup_django

    setup_django()
    _check_schema()
    yield from _load(ctx, directory)

    generator = directory.generator
    rng = Random(directory.seed)
    pool = _pool(ctx, directory, rng)
    ctx.log(f"identities: {len(pool):,} {directory.name} identities drawn as query targets")
    queries = {
        kind: _queries(directory, pool, kind, rng)
        for kind in (generator.WITH_BIRTH_DATE, generator.NAME_AND_FIRST_NAME)
    }
    queries[generator.PREFIX] = _prefix_queries(generator, pool, rng)
    # As a web worker once started (portal/wsgi.py): what is built so far (the pool, the
    # queries) outlives the measures, out of the collector's full passes. Collections still run.
    gc.freeze()

    misses: list[str] = []
    for kind, kind_queries in queries.items():
        yield from _measure_kind(ctx, directory, kind, kind_queries, misses, rng)
    misses_file = f"identities{directory.files}-misses.txt"
    (ctx.out_dir / misses_file).write_text("\n".join(misses) + "\n")
    ctx.log(f"identities: {len(misses)} missed queries written to {misses_file}")

    label = f"{directory.title.replace('identity', 'duplicate')} detection: one-typo duplicates"
    yield from duplicates(ctx, label, generator, pool, DUPLICATES, rng)
    yield from explain(
        ctx,
        f"{directory.title} search: plans (EXPLAIN)",
        f"explain{directory.files}.txt",
        generator,
        directory.identities().filter(is_active=True),
        queries,
    )


def _check_schema() -> None:
    from django.db import connection

    from identities.models import Identity

    with connection.cursor() as cursor:
        columns = {
            column.name
            for column in connection.introspection.get_table_description(
                cursor, Identity._meta.db_table
            )
        }
    missing = [f.column for f in Identity._meta.concrete_fields if f.column not in columns]
    if missing:
        name = connection.settings_dict["NAME"]
        raise BenchError(
            f"{name} lacks the columns {', '.join(missing)}: it was migrated with an older "
            f"0001_initial. Drop it (dropdb -h 127.0.0.1 -U postgres {name}) and run "
            "`make bench` again, which recreates it."
        )


# --- Data -------------------------------------------------------------------------------------


def _load(ctx: Context, directory: Directory) -> Iterator[Row]:
    from django.core.management import call_command

    from identities.management.commands.load_synthetic_identities import synthetic_identities

    label = f"{directory.title} directory"
    present = directory.identities().filter(is_active=True).count()
    if present >= TARGET_COUNT:
        ctx.log(f"identities: {present:,} {directory.name} identities already there, reused")
        yield Row(
            label, f"reused: {directory.name} identities already loaded", present, "identities"
        )
        return
    others = synthetic_identities().count() - present
    where = "after deleting the synthetic ones" if present or others else "into an empty table"
    ctx.log(
        f"identities: {present:,} {directory.name} identities, loading {TARGET_COUNT:,} "
        f"({where}); a few minutes"
    )
    output = StringIO()
    started = time.monotonic()
    call_command(
        "load_synthetic_identities",
        TARGET_COUNT,
        seed=directory.seed,
        generator=directory.name,
        truncate=bool(present or others),
        verbosity=1,
        stdout=output,
    )
    elapsed = time.monotonic() - started
    ctx.log(f"identities: {output.getvalue().strip()}")
    yield Row(
        label,
        f"load {TARGET_COUNT:,} {directory.name} identities",
        elapsed,
        "s",
        at_most(LOAD_TARGET_S),
        details={"command": output.getvalue().strip()},
    )


def _pool(ctx: Context, directory: Directory, rng: Random) -> list[Any]:
    """Random identities of the directory (random primary keys between the smallest and
    largest)."""
    from django.db.models import Max, Min

    active = directory.identities().filter(is_active=True)
    bounds = active.aggregate(low=Min("pk"), high=Max("pk"))
    if bounds["low"] is None:
        raise BenchError(f"no {directory.name} identity to search")
    wanted = sorted({rng.randint(bounds["low"], bounds["high"]) for _ in range(POOL * 2)})
    found = {}
    for start in range(0, len(wanted), 5_000):
        for identity in active.filter(pk__in=wanted[start : start + 5_000]):
            found[identity.pk] = identity
    pool = [found[pk] for pk in wanted if pk in found]
    rng.shuffle(pool)
    return pool[:POOL]


def _queries(directory: Directory, pool: Sequence[Any], kind: str, rng: Random) -> list[Any]:
    """``per_variant`` queries of each variant, each on an identity it applies to."""
    generator = directory.generator
    queries = []
    for variant in generator.VARIANTS:
        made = 0
        for identity in rng.sample(pool, len(pool)):
            query = generator.make_query(identity, kind, variant, rng)
            if query is not None:
                queries.append(query)
                made += 1
                if made == directory.per_variant:
                    break
    return queries


def _prefix_queries(generator: Any, pool: Sequence[Any], rng: Random) -> list[Any]:
    queries = []
    for identity in pool:
        query = generator.make_prefix_query(identity, rng)
        if query is not None:
            queries.append(query)
            if len(queries) == PREFIX_QUERIES:
                break
    return queries


# --- Search -----------------------------------------------------------------------------------


def _letters(name: str) -> int:
    return sum(char.isalpha() for char in name)


def _measure_kind(
    ctx: Context,
    directory: Directory,
    kind: str,
    queries: Sequence[Any],
    misses: list[str],
    rng: Random,
) -> Iterator[Row]:
    label = directory.label(kind)
    ctx.log(f"identities: {label}: warm-up, then {len(queries)} queries")
    for query in queries[:WARM_UP]:
        run_search(query)
    outcomes = [run_search(query) for query in queries]
    durations = [outcome.ms for outcome in outcomes]
    p95 = percentile(durations, 95)
    details: dict[str, Any] = {
        "queries": len(outcomes),
        "p50_ms": percentile(durations, 50),
        "p99_ms": percentile(durations, 99),
        "max_ms": max(durations),
        "refused": sum(bool(outcome.refused) for outcome in outcomes),
    }
    yield Row(
        label,
        f"p95 latency ({len(outcomes)} queries)",
        p95,
        "ms",
        at_most(P95_TARGETS_MS[kind]),
        details=details,
    )
    max_target = MAX_TARGETS_MS.get(kind)
    yield Row(
        label, "max latency", max(durations), "ms", at_most(max_target) if max_target else None
    )

    if kind == "prefix":
        correct = sum(matches_prefix(o.query, o) for o in outcomes) / len(outcomes)
        full = sum(len(o.results) == 20 for o in outcomes) / len(outcomes)
        yield Row(
            label,
            "results all starting with the letters typed",
            correct,
            "",
            at_least(1.0),
            details={"queries with 20 results": full},
        )
        yield from baselines.compare(
            ctx, label, "LIKE 'ABC%'", baselines.run_anchored_prefix, outcomes, recall=False
        )
        return

    yield from _recall_rows(ctx, label, kind, outcomes, misses)
    if kind == "name_first_name":
        yield from ambiguity(ctx, label, outcomes)
        yield from homonym_heavy(
            ctx, label, directory.generator, directory.identities().filter(is_active=True), rng
        )
    compared = _per_variant(outcomes, directory.baseline_per_variant)
    if kind == "birth_date":
        yield from baselines.compare(
            ctx, label, "plain indexed lookup", baselines.run_plain_lookup, compared
        )
    yield from baselines.compare(ctx, label, "pg_trgm", baselines.run_trigram, compared)


def _per_variant(outcomes: Sequence[Outcome], count: int) -> list[Outcome]:
    by_variant: dict[str, list[Outcome]] = defaultdict(list)
    for outcome in outcomes:
        if len(by_variant[outcome.query.variant]) < count:
            by_variant[outcome.query.variant].append(outcome)
    return [outcome for group in by_variant.values() for outcome in group]


def _recall_rows(
    ctx: Context, label: str, kind: str, outcomes: Sequence[Outcome], misses: list[str]
) -> Iterator[Row]:
    recall = sum(o.found for o in outcomes) / len(outcomes)
    by_variant: dict[str, list[Outcome]] = defaultdict(list)
    for outcome in outcomes:
        by_variant[outcome.query.variant].append(outcome)
    variant_recall = {
        variant: sum(o.found for o in group) / len(group) for variant, group in by_variant.items()
    }
    yield Row(
        label,
        f"recall@20 ({len(outcomes)} queries)",
        recall,
        "",
        at_least(RECALL_TARGETS[kind]),
        details={"by_variant": variant_recall},
    )
    for variant, group in by_variant.items():
        target = VARIANT_TARGETS.get((kind, variant))
        yield Row(
            label,
            f"recall@20: {variant} ({len(group)})",
            variant_recall[variant],
            "",
            at_least(target) if target else None,
        )
    low, high = SHORT_NAME
    short = [o for o in outcomes if low <= _letters(o.query.stored_name) <= high]
    if short:
        short_typos = [o for o in short if o.query.variant in ("typo1", "typo2")]
        yield Row(
            label,
            f"recall@20: names of {low} to {high} letters ({len(short)})",
            sum(o.found for o in short) / len(short),
            "",
            details={
                "with one or two typos": len(short_typos),
                "recall of those": (
                    sum(o.found for o in short_typos) / len(short_typos) if short_typos else None
                ),
            },
        )
    for outcome in outcomes:
        if not outcome.found:
            misses.append(describe_miss(kind, outcome))
    for group in by_variant.values():
        missed = [o for o in group if not o.found]
        for outcome in missed[:2]:
            ctx.log(f"identities: miss: {describe_miss(kind, outcome)}")
