"""Short names with typos are found through the distinct names' deletion neighbourhoods."""

import datetime

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from identities import names, search
from identities.models import Identity, SearchName, SearchNameVariant
from identities.search import Criteria
from tests.identities.conftest import make_identity


def _found(criteria: Criteria, identity: Identity) -> bool:
    return identity in [found for found, _match in search.search(criteria)]


def test_deletions_reach_every_key_within_the_distance() -> None:
    assert names.deletions("ROUX", 1) == {"ROUX", "OUX", "RUX", "ROX", "ROU"}
    # Two keys within distance d share a string with at most d letters deleted from each.
    assert names.deletions("KERGRIC", 2) & names.deletions("KEGRIC", 2)
    assert names.deletions("RENAULT", 2) & names.deletions("RENAUD", 2)


@pytest.mark.parametrize(
    ("stored", "typed"),
    [
        ("ROUX", "ROIX"),  # one substitution, 4 letters
        ("ROUX", "RUOX"),  # transposition
        ("BRUN", "BRUNN"),  # insertion
        ("KERGRIC", "KEGRIC"),  # deletion
        ("KERGRIC", "KEGRIK"),  # two typos, every old block broken
        ("LEBRUN", "LBERNU"),  # two transpositions
        ("RENAULT", "RENAUD"),  # the ending the sound key did not join
        ("GIRAUD", "JIRAUT"),  # two substitutions at both ends
    ],
)
def test_short_names_with_typos_are_found(db: None, stored: str, typed: str) -> None:
    target = make_identity(stored, "Odile", "03/03/1970")
    make_identity("Martin", "Odile", "04/04/1971")  # noise
    assert _found(Criteria(name=typed, first_name="odile"), target)


def test_a_typo_in_a_short_first_name_is_found(db: None) -> None:
    target = make_identity("Durand", "Odile", "03/03/1970")
    assert _found(Criteria(name="durand", first_name="odiel"), target)
    assert _found(Criteria(name="odiel", first_name="durand"), target)  # swapped


def test_candidates_are_bounded_and_nearest_first(db: None) -> None:
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"  # 676 names within two typos of MARAK
    names.register((names.NAME, f"MAR{a}{b}") for a in letters for b in letters)
    near = names.candidate_names("MARAK", names.NAME)
    assert len(near) == names.MAX_CANDIDATES
    assert near[0] == "MARAK"
    # A long typed name cannot reach an indexed one: no query at all.
    with CaptureQueriesContext(connection) as queries:
        assert names.candidate_names("TELECONSULTATION", names.NAME) == []
    assert not queries.captured_queries


def test_a_common_name_cannot_make_the_blocks_unbounded(db: None, monkeypatch) -> None:
    for day in range(1, 29):
        make_identity("Martin", "Odile", f"{day:02d}/02/1960")
        make_identity("Marti", "Odile", f"{day:02d}/03/1960")
    monkeypatch.setattr(search, "BLOCK_CAP", 5)
    fetched = search._candidates(Criteria(name="MARTIM", first_name="ODILE"))
    blocks = list(search._blocks("MARTIM", "ODILE")) + list(search._blocks("ODILE", "MARTIM"))
    assert len(fetched) <= 5 * len(blocks)
    # And at most SCORED_CAP of them are scored in Python, the exact matches among them.
    monkeypatch.setattr(search, "SCORED_CAP", 3)
    kept = search._candidates(Criteria(name="MARTIN", first_name="ODILE"))
    assert len(kept) == 3
    assert all(row["birth_name_key"] == "MARTIN" for row in kept)


def test_names_saved_through_every_path_are_indexed(db: None) -> None:
    # save() (services, admin, merges)
    created = make_identity("Pujol", "Odile", "03/03/1970", used_name="Vidal")
    assert set(SearchName.objects.values_list("kind", "key")) >= {
        ("N", "PUJOL"),
        ("N", "VIDAL"),
        ("F", "ODILE"),
    }
    created.birth_name = "Pujols"
    created.save()
    assert SearchName.objects.filter(kind="N", key="PUJOLS").exists()
    # bulk writers: the synthetic loader (bulk_create here, COPY on PostgreSQL) syncs in bulk
    SearchName.objects.all().delete()
    SearchNameVariant.objects.all().delete()
    call_command("load_synthetic_identities", 300, seed=3, verbosity=0)
    keys = set(Identity.objects.values_list("birth_name_key", flat=True))
    assert keys <= set(SearchName.objects.filter(kind="N").values_list("key", flat=True))
    short = next(key for key in sorted(keys) if 5 <= len(key) <= 7)
    person = Identity.objects.filter(birth_name_key=short).first()
    typo = short[0] + short[2] + short[1] + short[3:]  # transposition
    criteria = Criteria(name=typo, first_name=person.first_name, birth_date=None)
    assert _found(criteria, person) or len(search.search(criteria)) == 20


def test_the_sync_adds_only_missing_names(db: None) -> None:
    make_identity("Pujol", "Odile", "03/03/1970")
    assert names.sync_from_identities() == 0
    Identity.objects.bulk_create(
        [
            Identity(
                birth_name="ABAD",
                first_name="LINA",
                birth_date=datetime.date(1990, 1, 1),
                sex="F",
                birthplace_kind=Identity.BirthplaceKind.UNKNOWN,
                birthplace_code="99999",
                birth_name_key="ABAD",
                first_name_key="LINA",
            )
        ]
    )
    assert names.sync_from_identities() == 2
    assert SearchNameVariant.objects.filter(variant="ABD", kind="N", key="ABAD").exists()
