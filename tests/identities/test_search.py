"""The search finds the right person despite the ways people type names."""

import datetime

import pytest

from identities.models import Identity
from identities.search import Criteria, SearchRefused, search


def _names(criteria: Criteria) -> list[str]:
    return [f"{i.birth_name} {i.first_name}" for i, _match in search(criteria)]


def _first(criteria: Criteria) -> Identity:
    results = search(criteria)
    assert results, f"nothing found for {criteria}"
    return results[0][0]


@pytest.mark.parametrize(
    ("name", "first_name", "expected"),
    [
        ("teleconsultation", "bobby", "bobby"),  # case
        ("LEFEVRE", "eloise", "eloise"),  # accents lost
        ("Lefèvre", "Éloïse", "eloise"),  # accents typed
        ("Martin Lefevre", "Eloise", "eloise"),  # used name, space instead of hyphen
        ("MARTIN-LEFEVRE", "ELOISE", "eloise"),
        ("dupont", "jean pierre", "jean_pierre"),  # hyphen vs space in the first name
        ("dupont", "jean-pierre", "jean_pierre"),
        ("leroy", "anne", "leroy"),  # compound name typed joined
        ("bobby", "teleconsultation", "bobby"),  # name and first name swapped
        ("TELECONSULTATON", "bobby", "bobby"),  # one typo (deletion)
        ("TELECONUSLTATION", "bobby", "bobby"),  # transposition
        ("TELEKONSULTASION", "bobby", "bobby"),  # two typos, phonetic
        ("FILIPPE", "marc", "philippe"),  # PH/F, double letters
        ("MORO", "helene", "moreau"),  # EAU/O
        ("MOREAUX", "helene", "moreau"),  # silent ending
        ("DUPOND", "jean", "jean"),  # silent ending D/T
    ],
)
def test_it_finds_the_right_person_first(
    directory: dict[str, Identity], name: str, first_name: str, expected: str
) -> None:
    assert _first(Criteria(name=name, first_name=first_name)) == directory[expected]


def test_the_birth_date_narrows_homonyms(directory: dict[str, Identity]) -> None:
    criteria = Criteria(name="TELECONSULTATION", birth_date=datetime.date(2018, 5, 9))
    assert _first(criteria) == directory["lea"]


def test_a_typo_in_the_name_is_found_with_the_birth_date(directory: dict[str, Identity]) -> None:
    criteria = Criteria(
        name="TELECONSULTATIOM", first_name="BOBY", birth_date=datetime.date(1989, 8, 24)
    )
    assert _first(criteria) == directory["bobby"]


def test_exact_matches_come_first(directory: dict[str, Identity]) -> None:
    results = search(Criteria(name="MARTIN", first_name="CLAIRE"))
    assert [identity for identity, _ in results[:2]] == [directory["martin"], directory["martine"]]
    assert results[0][1].exact and not results[1][1].exact


def test_ties_are_broken_by_name_then_first_name(directory: dict[str, Identity]) -> None:
    assert _names(Criteria(name="DUPONT")) == ["DUPONT JEAN", "DUPONT JEAN-PIERRE"]
    assert _names(Criteria(name="TELECONSULTATION")) == [
        "TELECONSULTATION BOBBY",
        "TELECONSULTATION LEA",
    ]


def test_the_same_search_always_gives_the_same_order(directory: dict[str, Identity]) -> None:
    criteria = Criteria(name="MART", first_name="C")
    assert _names(criteria) == _names(criteria) == _names(criteria)


def test_as_you_type_finds_names_by_their_first_letters(directory: dict[str, Identity]) -> None:
    assert _names(Criteria(name="TELEC")) == ["TELECONSULTATION BOBBY", "TELECONSULTATION LEA"]
    assert "LEFEVRE ELOISE" in _names(Criteria(name="MARTIN-L"))


def test_sex_is_used_to_rank(directory: dict[str, Identity]) -> None:
    results = search(Criteria(name="TELECONSULTATION", sex="F"))
    assert results[0][0] == directory["lea"]


def test_merged_identities_are_not_found(directory: dict[str, Identity]) -> None:
    martine = directory["martine"]
    martine.is_active = False
    martine.save(update_fields=["is_active"])
    assert "MARTINE CLAIRE" not in _names(Criteria(name="MARTIN", first_name="CLAIRE"))


def test_results_are_capped_at_twenty(db: None) -> None:
    from tests.identities.conftest import make_identity

    for day in range(1, 26):
        make_identity("Durand", "Paul", f"{day:02d}/01/1960", sex="M")
    assert len(search(Criteria(name="DURAND", first_name="PAUL"))) == 20


@pytest.mark.parametrize(
    "criteria",
    [
        Criteria(),
        Criteria(name="DU"),
        Criteria(first_name="JEAN"),
        Criteria(birth_date=datetime.date(1980, 1, 1)),
        Criteria(sex="F"),
    ],
)
def test_thin_criteria_are_refused(db: None, criteria: Criteria) -> None:
    with pytest.raises(SearchRefused, match="au moins les 3 premières lettres"):
        search(criteria)
