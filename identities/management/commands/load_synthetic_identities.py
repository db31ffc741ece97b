"""Load N synthetic identities (``identities/synthetic/``) into the directory, fast.

Why this command exists: the identity search has to be measured (``make bench``) and tried at
the size of a regional directory, two million identities, on names that behave like the French
population's, and never on real patients. Creating them one by one through
``services.create_identity`` (an INSERT, an event and an audit line each) would take hours; this
command writes them in bulk, in minutes:

* on PostgreSQL, with ``COPY identities_identity (...) FROM STDIN``. The nine search indexes
  (``Identity.Meta.indexes``) are dropped first and built again at the end: one sort per index
  instead of two million random insertions into each. They are dropped and created through the
  schema editor, from the model's own definitions, so they cannot drift from the migrations.
  The unique indexes stay in place (primary key, uuid, and the strict traits of active
  identities, which the generator never repeats). ``ANALYZE`` then gives the planner the
  statistics of the new table, and ``VACUUM`` after the commit its visibility map;
* on any other database (the embedded SQLite), ``bulk_create`` by batches.

The search keys are computed by ``Identity.refresh_search_keys`` itself, the code that
``Identity.save()`` runs, so a loaded row is keyed exactly as a saved one.

The rows are marked as synthetic by their e-mail domain (``@synthetique.test``); they are manual
entries (``saisie``) of provisional identities created by nobody (``created_by`` empty), without
event nor audit line: no user did anything. ``--truncate`` deletes the synthetic identities of
earlier loads (and only them) first. Everything runs in one transaction: interrupted or failed,
the load leaves the directory as it was. Refused in production.

``--generator heldout`` draws the people from ``bench/heldout/`` instead: the held-out
generator that shares nothing with ``identities/synthetic/`` (issue 15), through the same
loading code; its rows are synthetic ones too (same e-mail domain, ``heldout.`` before the @).
It lives with the benchmarks and is not shipped in the image.

Usage::

    manage.py load_synthetic_identities 2000000             # 150 s on 2 cores
    manage.py load_synthetic_identities 2000 --seed 7 --truncate -v 2
    manage.py load_synthetic_identities 2000000 --generator heldout --truncate
"""

import importlib
import itertools
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction
from django.utils import timezone

from identities import names, synthetic
from identities.models import (
    NAME_AND_BIRTH_FIELDS,
    SEARCH_KEY_FIELDS,
    Identity,
    SearchNameVariant,
)

# What the generator gives for each person; every other column takes the model's default.
PERSON_FIELDS = (
    "uuid",
    *NAME_AND_BIRTH_FIELDS,
    "birthplace_kind",
    "birthplace_code",
    "email",
)
SYNTHETIC_EMAIL_SUFFIX = f"@{synthetic.EMAIL_DOMAIN}"
GENERATORS = ("synthetic", "heldout")


class _Names:
    """What ``Identity.refresh_search_keys`` reads and writes, without a model instance: the
    method runs as is on it (an ``Identity()`` per row would cost more than the keys)."""

    __slots__ = ("birth_name", "used_name", "first_name", *SEARCH_KEY_FIELDS)

    def __init__(self, birth_name: str, used_name: str, first_name: str) -> None:
        self.birth_name, self.used_name, self.first_name = birth_name, used_name, first_name


def search_keys(person: Any) -> tuple[str, ...]:
    """The search keys of a person, in ``SEARCH_KEY_FIELDS`` order, as ``save()`` sets them."""
    names = _Names(person.birth_name, person.used_name, person.first_name)
    Identity.refresh_search_keys(names)
    return tuple(getattr(names, field) for field in SEARCH_KEY_FIELDS)


def synthetic_identities() -> Any:
    """The synthetic identities of the directory (a queryset)."""
    return Identity.objects.filter(email__endswith=SYNTHETIC_EMAIL_SUFFIX)


class Command(BaseCommand):
    help = "Load N synthetic identities (realistic French names) for benchmarks and trials."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("count", type=int, help="number of identities to add")
        parser.add_argument("--seed", type=int, help="generator seed (default: the generator's)")
        parser.add_argument(
            "--generator",
            choices=GENERATORS,
            default="synthetic",
            help="identities/synthetic (default) or the held-out one of bench/heldout",
        )
        parser.add_argument(
            "--batch", type=int, default=50_000, help="rows per COPY or bulk_create batch"
        )
        parser.add_argument(
            "--truncate",
            action="store_true",
            help="delete the synthetic identities loaded before (only them) first",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError("Synthetic identities have no place in a production directory.")
        count, batch = options["count"], options["batch"]
        if count < 0 or batch < 1:
            raise CommandError("The count must be positive, and the batch at least 1.")
        verbosity = options["verbosity"]
        report = self.stdout.write if verbosity >= 2 else (lambda message: None)
        started = time.monotonic()
        with transaction.atomic():
            if options["truncate"]:
                deleted = delete_synthetic_identities()
                report(f"Deleted {deleted:,} synthetic identities of earlier loads.")
            existing = Identity.objects.filter(is_active=True).values_list(
                "birth_name", "first_name", "birth_date", "sex", "birthplace_code"
            )
            people = generate_people(
                options["generator"],
                count,
                options["seed"],
                exclude=existing.iterator(chunk_size=50_000),
            )
            if connection.vendor == "postgresql":
                timings = load_with_copy(people, batch=batch, report=report)
            else:
                timings = load_with_bulk_create(people, batch=batch, report=report)
            # The distinct names and their typo neighbourhoods (identities/names.py).
            names_started = time.monotonic()
            added = names.sync_from_identities()
            timings[f"{added:,} new distinct names"] = time.monotonic() - names_started
        if connection.vendor == "postgresql" and not connection.in_atomic_block:
            # Visibility map and hint bits set once now, rather than by the first searches (the
            # names' look-up is an index-only scan of the neighbourhoods).
            vacuum_started = time.monotonic()
            with connection.cursor() as cursor:
                for model in (Identity, SearchNameVariant):
                    cursor.execute(f"VACUUM {connection.ops.quote_name(model._meta.db_table)}")
            timings["VACUUM"] = time.monotonic() - vacuum_started
        elapsed = time.monotonic() - started
        if verbosity >= 1:
            steps = ", ".join(f"{step} {seconds:.1f} s" for step, seconds in timings.items())
            self.stdout.write(
                self.style.SUCCESS(
                    f"Loaded {count:,} {options['generator']} identities in {elapsed:.1f} s "
                    f"({steps})."
                )
            )


def generate_people(
    generator: str, count: int, seed: int | None, *, exclude: Iterable[Any]
) -> Iterable[Any]:
    """The people of one generator, as ``load_with_copy`` takes them."""
    if generator == "synthetic":
        if seed is None:
            seed = synthetic.DEFAULT_SEED
        return synthetic.generate(count, seed, exclude=exclude)
    try:  # the benchmarks' package: in a checkout, not in the image
        heldout = importlib.import_module("bench.heldout")
    except ImportError as error:
        raise CommandError("The held-out generator (bench/heldout) is not here.") from error
    if seed is None:
        seed = heldout.DEFAULT_SEED
    return heldout.generate(count, seed, email_domain=synthetic.EMAIL_DOMAIN, exclude=exclude)


def delete_synthetic_identities() -> int:
    """Delete the synthetic identities, without loading them: one DELETE statement.

    Refused by the database (foreign keys) if anything real points to one of them.
    """
    table = connection.ops.quote_name(Identity._meta.db_table)
    email = connection.ops.quote_name(Identity._meta.get_field("email").column)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE {email} LIKE %s", [f"%{SYNTHETIC_EMAIL_SUFFIX}"])  # noqa: S608  # nosec B608
        return cursor.rowcount


def _row_layout(now: Any) -> tuple[list[str], Callable[[Any], list[Any]]]:
    """The COPY columns (every concrete column but the primary key) and a row builder."""
    fields = [field for field in Identity._meta.concrete_fields if not field.primary_key]
    defaults = {
        field.attname: field.get_db_prep_save(field.get_default(), connection) for field in fields
    }
    defaults.update(created_at=now, no_objection_at=now)
    position = {field.attname: index for index, field in enumerate(fields)}
    template = [defaults[field.attname] for field in fields]
    person_positions = [(position[name], name) for name in PERSON_FIELDS]
    key_positions = [position[name] for name in SEARCH_KEY_FIELDS]

    def build(person: Any) -> list[Any]:
        row = template.copy()
        for index, name in person_positions:
            row[index] = getattr(person, name)
        for index, key in zip(key_positions, search_keys(person), strict=True):
            row[index] = key
        return row

    return [field.column for field in fields], build


def _batches(people: Iterable[Any], size: int) -> Iterator[list[Any]]:
    iterator = iter(people)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


def load_with_copy(
    people: Iterable[Any], *, batch: int, report: Callable[[str], None]
) -> dict[str, float]:
    """PostgreSQL: search indexes dropped, COPY by batches, indexes rebuilt, ANALYZE.

    To be run inside a transaction (the indexes come back with a rollback).
    """
    timings: dict[str, float] = {}
    columns, build = _row_layout(timezone.now())
    quote = connection.ops.quote_name
    copy_sql = (
        f"COPY {quote(Identity._meta.db_table)} ({', '.join(quote(c) for c in columns)}) FROM STDIN"
    )
    indexes = Identity._meta.indexes
    started = time.monotonic()
    with connection.schema_editor() as editor:
        for index in indexes:
            editor.remove_index(Identity, index)
    timings["indexes dropped"] = time.monotonic() - started

    started, loaded = time.monotonic(), 0
    with connection.cursor() as cursor:
        # The foreign keys are deferred: checked at each COPY's end rather than queued until the
        # commit, as pending checks would forbid the CREATE INDEX below.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for chunk in _batches(people, batch):
            # The Django cursor hands .copy() to psycopg's: one COPY statement per batch.
            with cursor.copy(copy_sql) as copy:
                for person in chunk:
                    copy.write_row(build(person))
            loaded += len(chunk)
            report(f"  {loaded:,} rows copied ({time.monotonic() - started:.1f} s)")
    timings["generation and COPY"] = time.monotonic() - started

    started = time.monotonic()
    with connection.cursor() as cursor:
        # Sorting two million keys in memory rather than on disk; for this transaction only.
        cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
    with connection.schema_editor() as editor:
        for index in indexes:
            editor.add_index(Identity, index)
            report(f"  index {index.name} built ({time.monotonic() - started:.1f} s)")
    timings[f"{len(indexes)} search indexes"] = time.monotonic() - started

    started = time.monotonic()
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {quote(Identity._meta.db_table)}")
    timings["ANALYZE"] = time.monotonic() - started
    return timings


def load_with_bulk_create(
    people: Iterable[Any], *, batch: int, report: Callable[[str], None]
) -> dict[str, float]:
    """Any other database: model instances, keys by ``refresh_search_keys``, bulk_create."""
    now, started, loaded = timezone.now(), time.monotonic(), 0
    for chunk in _batches(people, batch):
        identities = []
        for person in chunk:
            identity = Identity(
                **{name: getattr(person, name) for name in PERSON_FIELDS},
                created_at=now,
                no_objection_at=now,
            )
            identity.refresh_search_keys()
            identities.append(identity)
        Identity.objects.bulk_create(identities, batch_size=batch)
        loaded += len(chunk)
        report(f"  {loaded:,} rows created ({time.monotonic() - started:.1f} s)")
    return {"generation and bulk_create": time.monotonic() - started}
