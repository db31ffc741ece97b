"""The simple alternatives a Django developer would write, on the same queries as the search
(issue 15, part 4): each search row of ``bench/identities.py`` is read beside one of these.

* **name + first name: pg_trgm.** The trigram GIN indexes on the name keys exist
  (``identity_bn_trgm``, ``identity_un_trgm``, ``identity_fn_trgm``), so the simple search is::

      Identity.objects.filter(is_active=True)
          .filter(Q(birth_name_key__trigram_similar=key) | Q(used_name_key__trigram_similar=key))
          .annotate(similarity=Greatest(TrigramSimilarity("birth_name_key", key),
                                        TrigramSimilarity("used_name_key", key))
                               + TrigramSimilarity("first_name_key", first))
          .order_by("-similarity", "pk")[:20]

  with what was typed folded as the keys are (``phonetic.compact``: capitals, no accents, no
  hyphen or space). ``trigram_similar`` is the ``%`` operator, served by the GIN indexes, at
  pg_trgm's default threshold (0.3).
* **with a birth date: the plain indexed lookup**, ``ILIKE '%name%'`` on the birth or used name
  and the first name, with the exact birth date, which the birth-date index serves (~1 ms): it
  is faster than the search and finds only the queries typed without an error; and the same
  trigram ordering restricted to that birth date (no ``%`` filter: the people born that day are
  few), which finds what the search finds as fast.
* **prefix: an anchored** ``LIKE 'ABC%'`` (``__startswith``) on the indexed name keys, ordered
  by name, 20 rows. Under the database's collation (``C.UTF-8`` is not ``C`` to the planner) no
  B-tree turns the LIKE into a range, and with the OR of the birth and the used name PostgreSQL
  walks the name index in order and filters: hundreds of milliseconds, seconds for a late
  prefix. A ``varchar_pattern_ops`` index does not change that plan (tried: 437 ms for LEFE%);
  the search writes the range itself (``>= 'ABC' AND < 'ABD'``).
"""

import time
from collections import defaultdict
from collections.abc import Iterator, Sequence
from typing import Any

from bench._identity_search import Outcome
from bench.harness import Context, Row, percentile


def _register_trigram_lookup() -> None:
    """``trigram_similar`` without ``django.contrib.postgres`` in INSTALLED_APPS (the portal
    does not list it): what its ``AppConfig.ready()`` does, for CharField, in this process."""
    from django.contrib.postgres.lookups import TrigramSimilar
    from django.db.models import CharField

    if "trigram_similar" not in CharField.get_lookups():
        CharField.register_lookup(TrigramSimilar)


def run_trigram(query: Any) -> Outcome:
    from django.contrib.postgres.search import TrigramSimilarity
    from django.db.models import Q
    from django.db.models.functions import Greatest

    from identities.models import Identity
    from identities.phonetic import compact

    _register_trigram_lookup()
    key, first = compact(query.name), compact(query.first_name)
    rows = Identity.objects.filter(is_active=True)
    if query.birth_date:
        rows = rows.filter(birth_date=query.birth_date)
    else:
        rows = rows.filter(
            Q(birth_name_key__trigram_similar=key) | Q(used_name_key__trigram_similar=key)
        )
    similarity = Greatest(
        TrigramSimilarity("birth_name_key", key), TrigramSimilarity("used_name_key", key)
    ) + TrigramSimilarity("first_name_key", first)
    started = time.perf_counter()
    results = list(
        rows.annotate(similarity=similarity)
        .order_by("-similarity", "pk")
        .values_list("pk", flat=True)[:20]
    )
    return Outcome(query, (time.perf_counter() - started) * 1000, results)


def run_plain_lookup(query: Any) -> Outcome:
    """``ILIKE '%...%'`` on the names as typed, with the exact birth date (the date's index)."""
    from django.db.models import Q

    from identities.models import Identity

    name, first = query.name.strip(), query.first_name.strip()
    rows = Identity.objects.filter(is_active=True, birth_date=query.birth_date).filter(
        Q(birth_name__icontains=name) | Q(used_name__icontains=name)
    )
    if first:
        rows = rows.filter(first_name__icontains=first)
    started = time.perf_counter()
    results = list(
        rows.order_by("birth_name", "first_name", "pk").values_list("pk", flat=True)[:20]
    )
    return Outcome(query, (time.perf_counter() - started) * 1000, results)


def run_anchored_prefix(query: Any) -> Outcome:
    """``LIKE 'ABC%'`` on the indexed name keys, ordered by name."""
    from django.db.models import Q

    from identities.models import Identity
    from identities.phonetic import compact

    prefix = compact(query.name)
    rows = Identity.objects.filter(is_active=True).filter(
        Q(birth_name_key__startswith=prefix) | Q(used_name_key__startswith=prefix)
    )
    started = time.perf_counter()
    results = list(
        rows.order_by("birth_name_key", "first_name_key", "pk").values_list("pk", flat=True)[:20]
    )
    return Outcome(query, (time.perf_counter() - started) * 1000, results)


def compare(
    ctx: Context,
    label: str,
    name: str,
    runner: Any,
    searched: Sequence[Outcome],
    *,
    recall: bool = True,
) -> Iterator[Row]:
    """``runner`` on the queries of ``searched`` (the search's outcomes): p95 and max latency,
    recall@20 overall and by variant, beside the search's on the same queries."""
    ctx.log(f"identities: {label}: baseline {name}, {len(searched)} queries")
    runner(searched[0].query)  # warm-up
    outcomes = [runner(outcome.query) for outcome in searched]
    durations = [o.ms for o in outcomes]
    p95, search_p95 = percentile(durations, 95), percentile([o.ms for o in searched], 95)
    yield Row(
        label,
        f"baseline {name}: p95 latency ({len(outcomes)} queries)",
        p95,
        "ms",
        details={
            "p50_ms": percentile(durations, 50),
            "max_ms": max(durations),
            "search p95 on the same queries (ms)": search_p95,
        },
    )
    yield Row(label, f"baseline {name}: max latency", max(durations), "ms")
    if not recall:
        return
    by_variant: dict[str, list[tuple[bool, bool]]] = defaultdict(list)
    for baseline, search in zip(outcomes, searched, strict=True):
        by_variant[baseline.query.variant].append((baseline.found, search.found))
    variants = {
        variant: {
            "baseline": sum(b for b, _s in pairs) / len(pairs),
            "search": sum(s for _b, s in pairs) / len(pairs),
            "queries": len(pairs),
        }
        for variant, pairs in by_variant.items()
    }
    baseline_recall = sum(o.found for o in outcomes) / len(outcomes)
    search_recall = sum(o.found for o in searched) / len(searched)
    ctx.log(
        f"identities: {label}: {name} recall@20 {baseline_recall:.3f} (search {search_recall:.3f}),"
        f" p95 {p95:.1f} ms (search {search_p95:.1f} ms); by variant: "
        + ", ".join(f"{v} {r['baseline']:.2f}/{r['search']:.2f}" for v, r in variants.items())
    )
    yield Row(
        label,
        f"baseline {name}: recall@20 ({len(outcomes)} queries; search: {search_recall:.3f})",
        baseline_recall,
        "",
        details={"by variant (baseline, search)": variants},
    )
    for variant, figures in variants.items():
        yield Row(
            label,
            f"baseline {name}: recall@20: {variant} (search: {figures['search']:.3f})",
            figures["baseline"],
            "",
        )
