"""Birthplace reference data (identities.geo): look-ups, labels, search and ranking.

Pure Python on purpose: no database, no settings. Runs on its own with
``pytest tests/identities/test_geo.py -p no:django --noconftest``.
"""

import csv
import statistics
import time
from collections import Counter

import pytest

from identities import geo
from identities.geo import Commune, Country


def codes(results: list[Commune] | list[Country]) -> list[str]:
    """The INSEE codes of search results, in order."""
    return [result.insee_code for result in results]


# --- Look-ups and labels -----------------------------------------------------------------------


def test_chabeuil_code_and_label() -> None:
    chabeuil = geo.commune("26064")
    assert chabeuil == Commune("26064", "Chabeuil", ("26120",), "26", "commune-actuelle")
    assert geo.commune_label(chabeuil) == "CHABEUIL (26120)"


def test_label_uses_the_first_postal_code_and_keeps_hyphens_and_apostrophes() -> None:
    assert geo.commune_label(geo.commune("42218")) == "SAINT-ETIENNE (42000)"
    assert geo.commune_label(geo.commune("75056")) == "PARIS (75001)"
    assert geo.commune_label(geo.commune("94038")) == "L'HAY-LES-ROSES (94240)"
    assert geo.commune_label(geo.commune("02565")) == "OEUILLY (02160)"


def test_label_without_postal_code_shows_the_department() -> None:
    # Delegated communes have no postal code upstream: the department tells homonyms apart.
    beon = geo.commune("01039")
    assert beon is not None
    assert (beon.name, beon.kind, beon.postal_codes) == ("Béon", "commune-deleguee", ())
    assert geo.commune_label(beon) == "BEON (01)"


def test_every_label_is_unique() -> None:
    labels = Counter(geo.commune_label(c) for c in geo.all_communes())
    assert [label for label, count in labels.items() if count > 1] == []


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Évian-les-Bains", "EVIAN-LES-BAINS"),
        ("L\u2019Haÿ-les-Roses", "L'HAY-LES-ROSES"),
        ("Œuilly", "OEUILLY"),
        ("  saint   étienne ", "SAINT ETIENNE"),
        ("Curaçao", "CURACAO"),
    ],
)
def test_fold(text: str, folded: str) -> None:
    assert geo._fold(text) == folded


def test_corsican_codes_are_case_insensitive() -> None:
    ajaccio = geo.commune("2a004")
    assert ajaccio is not None
    assert ajaccio.name == "Ajaccio"
    assert ajaccio.department == "2A"


@pytest.mark.parametrize("code", ["", "00000", "99109", "26 064", "2C004", "260640"])
def test_unknown_commune_codes_return_none(code: str) -> None:
    assert geo.commune(code) is None
    assert geo.communes_by_code(code) == ()


@pytest.mark.parametrize("code", ["", "99100", "99999", "26064", "99000"])
def test_unknown_country_codes_return_none(code: str) -> None:
    assert geo.country(code) is None


# --- The data ----------------------------------------------------------------------------------


def test_row_counts_match_the_package() -> None:
    # @etalab/decoupage-administratif 6.0.0 (COG 2026); see identities/data/README.md.
    communes = geo.all_communes()
    assert len(communes) == 37590
    assert Counter(c.kind for c in communes) == {
        "commune-actuelle": 34969,
        "commune-deleguee": 2105,
        "commune-associee": 471,
        "arrondissement-municipal": 45,
    }
    assert sum(1 for c in communes if not c.postal_codes) == 2581
    assert len({c.insee_code for c in communes}) == 37006


def test_a_delegated_commune_sharing_its_code_with_the_current_one() -> None:
    # 01033 is Valserhône today and the delegated commune Bellegarde-sur-Valserine.
    assert geo.commune("01033").name == "Valserhône"
    assert [(c.name, c.kind) for c in geo.communes_by_code("01033")] == [
        ("Valserhône", "commune-actuelle"),
        ("Bellegarde-sur-Valserine", "commune-deleguee"),
    ]
    found = geo.search_communes("bellegarde sur valserine")
    assert (found[0].insee_code, found[0].kind) == ("01033", "commune-deleguee")


def test_an_associated_commune_is_present() -> None:
    associated = [c for c in geo.all_communes() if c.kind == "commune-associee"]
    assert associated
    assert all(c.insee_code == c.insee_code.strip() and c.department for c in associated)


def test_municipal_arrondissements_are_present() -> None:
    assert geo.commune("75115").name == "Paris 15e Arrondissement"
    assert geo.commune("69381").kind == "arrondissement-municipal"


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("99109", "ALLEMAGNE"),
        ("99131", "BELGIQUE"),
        ("99127", "ITALIE"),
        ("99134", "ESPAGNE"),
        ("99140", "SUISSE"),
        ("99132", "ROYAUME-UNI"),
        ("99350", "MAROC"),
        ("99352", "ALGERIE"),
        ("99351", "TUNISIE"),
        ("99404", "ETATS-UNIS"),
        ("99139", "PORTUGAL"),
        ("99156", "MACEDOINE DU NORD"),
        ("99115", "TCHECOSLOVAQUIE"),  # Former states stay: people were born there.
    ],
)
def test_well_known_country_codes(code: str, name: str) -> None:
    assert geo.country(code) == Country(code, name)


def test_countries_are_all_99xxx_and_exclude_france() -> None:
    countries = geo.all_countries()
    assert len(countries) == 269
    assert len({c.insee_code for c in countries}) == 236
    assert all(len(c.insee_code) == 5 and c.insee_code.startswith("99") for c in countries)
    assert "99100" not in {c.insee_code for c in countries}


# --- Commune search ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "26120",
        "261",
        "26 120",
        "chabeuil",
        "CHAB",
        "Chabeuil (26120)",
        "CHABEUIL (26120)",
        "Chabeuil (261",
        "chabeuil 26120",
        "26120 Chabeuil",
    ],
)
def test_search_finds_chabeuil(query: str) -> None:
    assert "26064" in codes(geo.search_communes(query, limit=50))


def test_search_by_full_postal_code_lists_only_that_postal_code() -> None:
    found = geo.search_communes("26120")
    assert found
    assert all("26120" in c.postal_codes for c in found)


@pytest.mark.parametrize(
    "query", ["saint etienne", "st etienne", "saint-étienne", "SAINT-ETIENNE", "St-Étienne"]
)
def test_search_saint_etienne_whatever_the_spelling(query: str) -> None:
    found = geo.search_communes(query)
    assert found[0].insee_code == "42218"
    assert geo.commune_label(found[0]) == "SAINT-ETIENNE (42000)"


@pytest.mark.parametrize("query", ["Évian", "evian", "EVIAN LES", "évian-les-bains"])
def test_search_ignores_accents(query: str) -> None:
    found = geo.search_communes(query)
    assert codes(found)[:1] == ["74119"]
    assert geo.commune_label(found[0]) == "EVIAN-LES-BAINS (74500)"


def test_search_st_also_matches_names_starting_with_st() -> None:
    # While typing "st", the user may want STRASBOURG as well as SAINT-...
    assert "67482" in codes(geo.search_communes("stras"))
    assert "67482" in codes(geo.search_communes("st", limit=40_000))


def test_search_by_department_finds_communes_without_postal_code() -> None:
    assert "98412" in codes(geo.search_communes("984"))  # Archipel des Kerguelen (TAAF).
    assert "2A004" in codes(geo.search_communes("2A", limit=200))


def test_every_label_finds_its_commune() -> None:
    missing = [c for c in geo.all_communes() if c not in geo.search_communes(geo.commune_label(c))]
    assert missing == []


@pytest.mark.parametrize("query", ["", "   ", "-", "zzzz", "(", "99999"])
def test_search_without_match(query: str) -> None:
    assert geo.search_communes(query) == []


def test_search_limit() -> None:
    assert len(geo.search_communes("saint", limit=7)) == 7
    assert len(geo.search_communes("s")) == 20
    assert geo.search_communes("saint", limit=0) == []


# --- Ranking -----------------------------------------------------------------------------------


def test_ranking_exact_name_first_then_current_communes_then_name_then_code() -> None:
    # PARIS exactly, then the current communes starting with PARIS by name (the two PARISOT by
    # code), then the municipal arrondissements in natural order (1er before 10e).
    assert codes(geo.search_communes("paris", limit=7)) == [
        "75056",
        "71343",
        "81202",
        "82137",
        "75101",
        "75102",
        "75103",
    ]
    assert codes(geo.search_communes("paris 1", limit=3)) == ["75101", "75110", "75111"]


def test_ranking_homonyms_current_first_then_by_code() -> None:
    # Twelve communes are named exactly BEAULIEU: they come first, current ones by code, then the
    # delegated ones (58026 is both: the current commune and its delegated namesake).
    found = geo.search_communes("beaulieu", limit=50)
    exact = [(c.insee_code, c.kind) for c in found[:12]]
    current = [
        "07028",
        "15020",
        "21052",
        "34027",
        "36015",
        "38033",
        "43021",
        "58026",
        "61034",
        "63031",
    ]
    assert exact == [
        *((code, "commune-actuelle") for code in current),
        ("14052", "commune-deleguee"),
        ("58026", "commune-deleguee"),
    ]
    assert all(geo._fold(c.name) != "BEAULIEU" for c in found[12:])
    assert geo._fold(found[12].name).startswith("BEAULIEU")


def test_ranking_current_before_delegated_and_associated() -> None:
    found = geo.search_communes("be", limit=2000)
    ranks = [geo.KIND_RANKS[c.kind] for c in found]
    assert ranks == sorted(ranks)
    assert {"commune-actuelle", "commune-deleguee", "commune-associee"} <= {c.kind for c in found}


def test_ranking_is_stable_between_calls() -> None:
    for query in ("saint", "la", "26", "bel", "st e"):
        assert geo.search_communes(query, limit=100) == geo.search_communes(query, limit=100)


def test_search_is_fast() -> None:
    # The picker searches on each keystroke; short prefixes are the costly ones.
    queries = ["s", "sa", "st", "saint", "la", "l", "1", "7", "b", "bel", "chabeuil", "26120"]
    geo.all_communes()  # The one-off load (about 0.4 s) is not what is measured here.
    timings = []
    for query in queries * 10:
        start = time.perf_counter()
        geo.search_communes(query)
        timings.append(time.perf_counter() - start)
    assert statistics.median(timings) < 0.005
    assert max(timings) < 0.05  # Loose: a busy CI machine may pause any single call.


# --- Country search ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("allem", "99109"),
        ("Allemagne", "99109"),
        ("etats unis", "99404"),
        ("États-Unis", "99404"),
        ("royaume uni", "99132"),
        ("st marin", "99128"),
        ("maroc", "99350"),
        ("algérie", "99352"),
        ("99131", "99131"),
    ],
)
def test_search_countries(query: str, code: str) -> None:
    assert codes(geo.search_countries(query))[:1] == [code]


def test_search_countries_finds_territories_under_their_state_code() -> None:
    jersey = geo.search_countries("jersey")
    assert [(c.insee_code, c.name) for c in jersey] == [("99132", "JERSEY")]
    assert geo.country("99132").name == "ROYAUME-UNI"


def test_search_countries_ranking() -> None:
    # Exact name first, then main names before aliases, then by name.
    assert codes(geo.search_countries("coree")) == ["99237", "99239", "99238"]
    by_code = geo.search_countries("99132")
    assert [c.name for c in by_code] == ["ROYAUME-UNI", "GUERNESEY", "JERSEY", "MAN (ILE)"]
    assert all(c.insee_code.startswith("991") for c in geo.search_countries("991", limit=100))


def test_country_label() -> None:
    assert geo.country_label(geo.country("99261")) == "PALESTINE (ETAT DE)"
    assert geo.country_label(geo.country("99444")) == "CURACAO"


# --- The files and their build -----------------------------------------------------------------


def test_shipped_files_are_in_the_form_the_build_command_writes() -> None:
    build = pytest.importorskip("identities.management.commands.build_geo_data")
    for filename, header, sort_key in (
        ("communes.csv", build.COMMUNES_HEADER, build._commune_sort_key),
        ("countries.csv", build.COUNTRIES_HEADER, None),
    ):
        text = (geo.DATA_DIR / filename).read_text(encoding="utf-8")
        rows = [tuple(row) for row in csv.reader(text.splitlines()[1:])]
        if sort_key is not None:
            assert rows == sorted(rows, key=sort_key)
        else:
            assert [row[0] for row in rows] == sorted(row[0] for row in rows)
        assert build.render_csv(header, rows) == text


def test_build_communes_rows_keeps_every_entry_sorted() -> None:
    build = pytest.importorskip("identities.management.commands.build_geo_data")
    entries = [
        {"code": "01039", "nom": "Béon", "departement": "01", "type": "commune-deleguee"},
        {
            "code": "01033",
            "nom": "Bellegarde-sur-Valserine",
            "departement": "01",
            "type": "commune-deleguee",
        },
        {
            "code": "01033",
            "nom": "Valserhône",
            "departement": "01",
            "type": "commune-actuelle",
            "codesPostaux": ["01200"],
        },
    ]
    assert build.communes_rows(entries) == [
        ("01033", "Valserhône", "01200", "01", "commune-actuelle"),
        ("01033", "Bellegarde-sur-Valserine", "", "01", "commune-deleguee"),
        ("01039", "Béon", "", "01", "commune-deleguee"),
    ]
    with pytest.raises(ValueError, match="malformed"):
        build.communes_rows([{"code": "1033", "nom": "X", "departement": "01", "type": "t"}])


def test_build_countries_rows() -> None:
    build = pytest.importorskip("identities.management.commands.build_geo_data")
    source = (
        "COUNTRIES = {\n"
        '    "99132": ["ROYAUME-UNI", "JERSEY"],\n'
        '    "99100": ["FRANCE"],\n'
        '    "99156": ["EX-REPUBLIQUE YOUGOSLAVE DE MACEDOINE"],\n'
        '    "99109": ["ALLEMAGNE"],\n'
        "}\n"
    )
    assert build.countries_rows(build.parse_countries_module(source)) == [
        ("99109", "ALLEMAGNE"),
        ("99132", "ROYAUME-UNI"),
        ("99132", "JERSEY"),
        ("99156", "MACEDOINE DU NORD"),
        ("99156", "EX-REPUBLIQUE YOUGOSLAVE DE MACEDOINE"),
    ]
    # The package's module is read, never run.
    with pytest.raises(ValueError):
        build.parse_countries_module("COUNTRIES = dict(a=__import__('os'))")
