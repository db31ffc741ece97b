"""The held-out generator (``bench/heldout/``): its people, its queries, and its loading.

The benchmark ``identities-heldout`` trusts it at two million identities; here it is checked on
a few thousand. It must share nothing with ``identities/synthetic/`` (issue 15): not a line.
"""

import ast
import datetime
from collections import Counter
from pathlib import Path
from random import Random
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from rapidfuzz.distance import OSA

from bench import heldout
from bench.heldout.population import Person
from identities import geo
from identities.management.commands.load_synthetic_identities import synthetic_identities
from identities.normalize import normalize_name
from identities.phonetic import compact
from tests.identities.conftest import make_identity

N = 6_000
SEED = 3
PACKAGE = Path(heldout.__file__).resolve().parent


@pytest.fixture(scope="module")
def people() -> list[Person]:
    return list(heldout.generate(N, SEED, email_domain="synthetique.test"))


def _share(values: list[bool]) -> float:
    return sum(values) / len(values)


def _letters(name: str) -> int:
    return sum(char.isalpha() for char in name)


def test_it_imports_nothing_of_the_other_generator() -> None:
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                assert not (node.module or "").startswith("identities.synthetic"), path
                assert node.module != "identities" or all(
                    alias.name != "synthetic" for alias in node.names
                ), path
            if isinstance(node, ast.Import):
                assert all(not a.name.startswith("identities.synthetic") for a in node.names), path


def test_the_same_seed_gives_the_same_people(people: list[Person]) -> None:
    assert list(heldout.generate(300, SEED, email_domain="synthetique.test")) == people[:300]
    assert list(heldout.generate(300, SEED + 1, email_domain="synthetique.test")) != people[:300]


def test_names_are_stored_forms_and_places_are_valid_codes(people: list[Person]) -> None:
    for person in people:
        for name in (person.birth_name, person.first_name, person.used_name or "X"):
            assert normalize_name(name) == name
        if person.birthplace_kind == "france":
            assert geo.commune(person.birthplace_code) is not None
        elif person.birthplace_kind == "abroad":
            assert geo.country(person.birthplace_code) is not None
        else:
            assert person.birthplace_code == "99999"
        assert person.email.startswith(heldout.EMAIL_PREFIX)
        assert datetime.date(1919, 1, 1) <= person.birth_date < heldout.REFERENCE_DATE
    traits = Counter(
        (p.birth_name, p.first_name, p.birth_date, p.sex, p.birthplace_code) for p in people
    )
    assert traits.most_common(1)[0][1] == 1


def test_the_directory_looks_like_a_french_one(people: list[Person]) -> None:
    names = Counter(person.birth_name for person in people)
    assert names.most_common(1)[0][0] == "MARTIN"
    assert len(names) > 0.5 * N  # a long tail: most names are borne by one person here
    assert 0.5 < _share([3 <= _letters(p.birth_name) <= 7 for p in people]) < 0.75
    assert 0.03 < _share([("-" in p.birth_name or " " in p.birth_name) for p in people]) < 0.15
    women = [p for p in people if p.sex == "F" and p.birth_date.year < 1980]
    assert 0.45 < _share([bool(p.used_name) for p in women]) < 0.8
    young = [p for p in people if p.birth_date.year >= 2008]
    assert not any(p.used_name for p in young)
    assert 0.08 < _share([p.birthplace_kind == "abroad" for p in people]) < 0.14
    region = [p for p in people if p.birthplace_code[:2] in ("01", "03", "38", "42", "63", "69")]
    assert len(region) / N > 0.3
    assert 0.48 < _share([p.sex == "F" for p in people]) < 0.54


def _identity(person: Person, pk: int) -> SimpleNamespace:
    return SimpleNamespace(**{name: getattr(person, name) for name in person.__slots__}, pk=pk)


def test_each_variant_types_what_it_says(people: list[Person]) -> None:
    rng = Random(7)
    identities = [_identity(person, pk) for pk, person in enumerate(people[:800])]
    for variant in heldout.VARIANTS:
        queries = [
            q
            for identity in identities
            if (q := heldout.make_query(identity, heldout.NAME_AND_FIRST_NAME, variant, rng))
        ]
        assert len(queries) >= 40, variant
        for query in queries:
            target = identities[query.target]
            typed, stored = compact(query.name), compact(query.stored_name)
            if variant == "exact":
                assert (query.name, query.first_name) == (target.birth_name, target.first_name)
            elif variant in ("typo1", "typo2"):
                edits = 1 if variant == "typo1" else 2
                assert 1 <= OSA.distance(typed, stored) <= edits, query
                assert compact(query.first_name) == compact(target.first_name)
            elif variant == "first_name_typo":
                assert OSA.distance(compact(query.first_name), compact(target.first_name)) == 1
            elif variant == "swapped":
                assert compact(query.first_name) == compact(target.birth_name)
            elif variant == "used_name":
                assert stored == compact(target.used_name) != compact(target.birth_name)
            elif variant in ("case_accents", "hyphen_space"):
                assert query.name != target.birth_name or query.first_name != target.first_name
            elif variant == "phonetic":
                assert typed != stored
            assert query.birth_date is None


def test_duplicates_differ_by_one_slip(people: list[Person]) -> None:
    rng = Random(9)
    where = Counter()
    for pk, person in enumerate(people[:300]):
        traits, place = heldout.make_duplicate(_identity(person, pk), rng)
        where[place] += 1
        changed = (
            traits.birth_name != person.birth_name,
            traits.first_name != person.first_name,
            traits.birth_date != person.birth_date,
        )
        assert sum(changed) == 1
    assert set(where) == {"birth name", "first name", "birth date"}


def test_the_loader_loads_held_out_people_keyed_as_save_keys_them(db: None) -> None:
    real = make_identity("Martin", "Claire", "08/09/1985")
    call_command("load_synthetic_identities", 200, generator="heldout", seed=SEED, verbosity=0)
    loaded = list(synthetic_identities().order_by("pk"))
    expected = list(heldout.generate(200, SEED, email_domain="synthetique.test"))
    assert [identity.uuid for identity in loaded] == [person.uuid for person in expected]
    for identity in loaded:
        keys = [getattr(identity, field) for field in ("birth_name_key", "first_name_sound")]
        identity.refresh_search_keys()
        assert keys == [identity.birth_name_key, identity.first_name_sound]
    call_command("load_synthetic_identities", 50, generator="heldout", truncate=True, verbosity=0)
    assert synthetic_identities().count() == 50
    assert real.__class__.objects.filter(pk=real.pk).exists()
