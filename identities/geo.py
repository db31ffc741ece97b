"""Birthplace reference data: French communes and foreign countries with their INSEE codes.

The data are the CSV files shipped in ``identities/data/`` (provenance in its README, rebuilt by
``manage.py build_geo_data``). This module is pure Python on purpose, without Django and without
models: the picker, the forms and the tests can use it without a database, and the data change
only with the code that ships them.

The files are read once, on first use, into in-memory indexes (``functools.cache``), after which a
search costs a binary search plus a small sort: well under a millisecond for typical queries.

Two facts of the data shape the API:

* an INSEE code is not unique: 584 delegated communes carry the code of the current commune they
  belong to (``01033`` is both Valserhône and its delegated commune Bellegarde-sur-Valserine).
  :func:`commune` returns the current commune; :func:`communes_by_code` returns all of them;
* delegated and associated communes have no postal code upstream, so their label shows the
  department instead: ``BELLEGARDE-SUR-VALSERINE (01)``.
"""

import bisect
import csv
import heapq
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

__all__ = [
    "Commune",
    "Country",
    "all_communes",
    "all_countries",
    "commune",
    "commune_label",
    "communes_by_code",
    "country",
    "country_label",
    "search_communes",
    "search_countries",
]

DATA_DIR = Path(__file__).resolve().parent / "data"

# Kinds of the COG, best first: the ranking puts today's communes (and the municipal
# arrondissements of Paris, Lyon and Marseille, which are current too) before the former communes
# that survive as delegated or associated ones.
KIND_RANKS = {
    "commune-actuelle": 0,
    "arrondissement-municipal": 1,
    "commune-deleguee": 2,
    "commune-associee": 3,
}
_OTHER_KIND_RANK = len(KIND_RANKS)


@dataclass(frozen=True, slots=True)
class Commune:
    """A French commune (or delegated / associated commune, or municipal arrondissement)."""

    insee_code: str
    name: str
    postal_codes: tuple[str, ...]
    department: str
    kind: str


@dataclass(frozen=True, slots=True)
class Country:
    """A foreign country or territory, with its INSEE code (99xxx)."""

    insee_code: str
    name: str


# --- Normalisation -----------------------------------------------------------------------------

# Letters that Unicode does not decompose into a base letter plus an accent.
_LIGATURES = str.maketrans(
    {"Œ": "OE", "œ": "OE", "Æ": "AE", "æ": "AE", "ß": "SS", "Ø": "O", "ø": "O"}
)
# Apostrophes and hyphens as word processors and phones type them.
_PUNCTUATION = str.maketrans(
    {
        "\u2019": "'",  # right single quotation mark (the typographic apostrophe)
        "\u2018": "'",  # left single quotation mark
        "\u02bc": "'",  # modifier letter apostrophe
        "`": "'",
        "\u00b4": "'",  # acute accent typed as an apostrophe
        "\u2010": "-",  # hyphen
        "\u2011": "-",  # non-breaking hyphen
        "\u2013": "-",  # en dash
        "\u2014": "-",  # em dash
    }
)


def _fold(text: str) -> str:
    """Capitals without diacritics, hyphens and apostrophes kept, spaces collapsed.

    This is the identity-vigilance display form: ``"Évian-les-Bains"`` gives
    ``"EVIAN-LES-BAINS"``, ``"L'Haÿ-les-Roses"`` gives ``"L'HAY-LES-ROSES"``. Kept private:
    ``identities.normalize`` may later take over.
    """
    # Most keystrokes and a quarter of the names are plain ASCII: skip the Unicode work for them.
    if not text.isascii():
        text = text.translate(_LIGATURES).translate(_PUNCTUATION)
        text = unicodedata.normalize("NFKD", text)
        text = "".join(char for char in text if not unicodedata.combining(char))
    return " ".join(text.upper().split())


# What people abbreviate when they type a commune's name; the data always spell it out.
_ABBREVIATIONS = {"ST": "SAINT", "STE": "SAINTE", "STS": "SAINTS", "STES": "SAINTES"}
_WORD = re.compile(r"[A-Z0-9]+")
_NUMBER = re.compile(r"\d+")


def _words(text: str) -> list[str]:
    """The folded words of ``text``: hyphens, apostrophes and other punctuation separate words."""
    return _WORD.findall(_fold(text))


def _key(words: Iterable[str]) -> str:
    """The search key: words run together, so "st etienne", "Saint-Étienne" and
    "SAINT ETIENNE" all give ``SAINTETIENNE`` and a prefix matches across word boundaries."""
    return "".join(_ABBREVIATIONS.get(word, word) for word in words)


def _query_keys(text: str) -> list[str]:
    """The keys to look up for what the user typed.

    The last word may still be being typed, so "st" is looked up both as SAINT... and as a
    literal prefix (STENAY, STRASBOURG); earlier words are always expanded.
    """
    words = _words(text)
    if not words:
        return []
    keys = [_key(words)]
    if words[-1] in _ABBREVIATIONS:
        keys.append(_key(words[:-1]) + words[-1])
    return keys


def _natural(key: str) -> str:
    """Sort "PARIS 2E" before "PARIS 10E": numbers are padded for ordering only."""
    return _NUMBER.sub(lambda match: match.group().zfill(6), key)


# --- Labels ------------------------------------------------------------------------------------


def commune_label(c: Commune) -> str:
    """The label the user guide shows: ``CHABEUIL (26120)``.

    With several postal codes, the first one (upstream order: the main one); without any (all
    delegated and associated communes), the department, so the label still tells homonyms apart.
    """
    where = c.postal_codes[0] if c.postal_codes else c.department
    return f"{_fold(c.name)} ({where})"


def country_label(c: Country) -> str:
    """The display form of a country: ``ETATS-UNIS``, ``PALESTINE (ETAT DE)``."""
    return _fold(c.name)


# --- Indexes -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _PrefixIndex:
    """Sorted keys with, for each, the rank of its entry: a prefix is a contiguous slice."""

    keys: list[str]
    ranks: list[int]

    @classmethod
    def build(cls, pairs: Iterable[tuple[str, int]]) -> "_PrefixIndex":
        """Index ``(key, rank)`` pairs."""
        ordered = sorted(pairs)
        return cls([key for key, _ in ordered], [rank for _, rank in ordered])

    def lookup(self, prefix: str) -> tuple[set[int], set[int]]:
        """The ranks whose key equals ``prefix``, and those whose key only starts with it."""
        low = bisect.bisect_left(self.keys, prefix)
        # Keys are [A-Z0-9] only, so any key starting with the prefix sorts before prefix + "~".
        high = bisect.bisect_left(self.keys, prefix + "~", low)
        exact_high = bisect.bisect_right(self.keys, prefix, low, high)
        return set(self.ranks[low:exact_high]), set(self.ranks[exact_high:high])


@dataclass(frozen=True, slots=True)
class _CommuneIndex:
    communes: tuple[Commune, ...]  # In ranking order: a commune's rank is its position here.
    by_code: dict[str, tuple[Commune, ...]]
    names: _PrefixIndex
    postal_codes: _PrefixIndex
    departments: dict[str, set[int]]


@dataclass(frozen=True, slots=True)
class _CountryIndex:
    countries: tuple[Country, ...]  # In ranking order.
    by_code: dict[str, Country]  # The main name of each code.
    names: _PrefixIndex
    codes: _PrefixIndex


def _read_csv(filename: str, header: Sequence[str]) -> list[list[str]]:
    """The rows of a shipped CSV file, after checking its header (fails loudly if edited)."""
    with (DATA_DIR / filename).open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        found = next(reader, [])
        if found != list(header):
            raise ValueError(f"{filename}: expected columns {list(header)}, found {found}")
        return list(reader)


def _name_key(name: str) -> tuple[str, str]:
    """The search key of a stored name, and its display form (computed once, at load time)."""
    folded = _fold(name)
    return _key(_WORD.findall(folded)), folded


@cache
def _communes() -> _CommuneIndex:
    rows = _read_csv("communes.csv", ("insee_code", "name", "postal_codes", "department", "kind"))
    entries = []
    for code, name, postal, department, kind in rows:
        key, folded = _name_key(name)
        # The ranking after exact matches: current communes first, then by name, then by code.
        order = (KIND_RANKS.get(kind, _OTHER_KIND_RANK), _natural(key), folded, code)
        entries.append((order, key, Commune(code, name, tuple(postal.split()), department, kind)))
    entries.sort(key=lambda entry: entry[0])
    communes = tuple(c for _, _, c in entries)
    by_code: dict[str, list[Commune]] = {}
    departments: dict[str, set[int]] = {}
    for rank, c in enumerate(communes):
        # Ranking order puts the current commune first among those sharing a code.
        by_code.setdefault(c.insee_code, []).append(c)
        departments.setdefault(c.department, set()).add(rank)
    return _CommuneIndex(
        communes=communes,
        by_code={code: tuple(group) for code, group in by_code.items()},
        names=_PrefixIndex.build((key, rank) for rank, (_, key, _) in enumerate(entries)),
        postal_codes=_PrefixIndex.build(
            (postal, rank) for rank, c in enumerate(communes) for postal in c.postal_codes
        ),
        departments=departments,
    )


@cache
def _countries() -> _CountryIndex:
    rows = _read_csv("countries.csv", ("insee_code", "name"))
    # The first row of a code is its main name (the state); later rows are aliases (territories,
    # former names), ranked after main names.
    main_names: dict[str, str] = {}
    for code, name in rows:
        main_names.setdefault(code, name)
    entries = []
    for code, name in rows:
        key, folded = _name_key(name)
        order = (main_names[code] != name, _natural(key), folded, code)
        entries.append((order, key, Country(code, name)))
    entries.sort(key=lambda entry: entry[0])
    countries = tuple(c for _, _, c in entries)
    return _CountryIndex(
        countries=countries,
        by_code={code: Country(code, name) for code, name in main_names.items()},
        names=_PrefixIndex.build((key, rank) for rank, (_, key, _) in enumerate(entries)),
        codes=_PrefixIndex.build((c.insee_code, rank) for rank, c in enumerate(countries)),
    )


# --- Look-ups ----------------------------------------------------------------------------------


def _clean_code(code: str) -> str:
    """Codes as people paste them: spaces around, lower-case Corsican "2a"."""
    return code.strip().upper() if isinstance(code, str) else ""


def commune(insee_code: str) -> Commune | None:
    """The commune with this INSEE code (the current one when a delegated one shares it)."""
    found = _communes().by_code.get(_clean_code(insee_code))
    return found[0] if found else None


def communes_by_code(insee_code: str) -> tuple[Commune, ...]:
    """Every entry with this INSEE code, current commune first (empty if unknown)."""
    return _communes().by_code.get(_clean_code(insee_code), ())


def country(insee_code: str) -> Country | None:
    """The country with this INSEE code (99xxx), under its main name."""
    return _countries().by_code.get(_clean_code(insee_code))


def all_communes() -> tuple[Commune, ...]:
    """Every entry of communes.csv, in ranking order."""
    return _communes().communes


def all_countries() -> tuple[Country, ...]:
    """Every row of countries.csv (main names and aliases), in ranking order."""
    return _countries().countries


# --- Search ------------------------------------------------------------------------------------

# "Chabeuil (26120)" as the picker displays it, or "Chabeuil (261" while still typing. Only a
# code-like part counts: "Bors (Canton de Charente-Sud)" is a name with parentheses.
_LABEL = re.compile(r"^(?P<name>.*?)\s*\(\s*(?P<code>\d{1,5}|2[AB]\d{0,3})\s*\)?\s*$")
# "Chabeuil 26120" or "26120 Chabeuil".
_NAME_THEN_POSTAL = re.compile(r"^(?P<name>.*\D)\s+(?P<code>\d{5})$")
_POSTAL_THEN_NAME = re.compile(r"^(?P<code>\d{5})\s+(?P<name>\D.*)$")
_CORSICA = frozenset({"2A", "2B"})
_DIGITS_ONLY = re.compile(r"[\d\s()]+")


def _top(exact: set[int], others: set[int], limit: int) -> list[int]:
    """Exact matches first, then the best-ranked others; ranks are positions in ranking order."""
    best = sorted(exact)[:limit]
    if len(best) < limit:
        best += heapq.nsmallest(limit - len(best), others - exact)
    return best


def _split_query(query: str) -> tuple[str, str | None]:
    """Separate the name part from a postal / department code given alongside it."""
    text = " ".join(_fold(query).split())
    for pattern in (_LABEL, _NAME_THEN_POSTAL, _POSTAL_THEN_NAME):
        match = pattern.match(text)
        if match and match.group("name").strip():
            return match.group("name"), match.group("code")
    return text, None


def _code_filter(index: _CommuneIndex, code: str) -> set[int]:
    """Communes whose postal code starts with ``code`` or whose department is ``code``."""
    exact, others = index.postal_codes.lookup(code)
    return exact | others | index.departments.get(code, set())


def _name_matches(names: _PrefixIndex, text: str) -> tuple[set[int], set[int]]:
    """Exact and prefix matches of a typed name, over all its spellings (see _query_keys)."""
    exact: set[int] = set()
    others: set[int] = set()
    for key in _query_keys(text):
        found_exact, found_others = names.lookup(key)
        exact |= found_exact
        others |= found_others
    return exact, others


def _only_digits(text: str) -> str | None:
    """The digits of a query made of digits only (spaces and parentheses allowed), else None."""
    if _DIGITS_ONLY.fullmatch(text) and any(char.isdigit() for char in text):
        return "".join(char for char in text if char.isdigit())[:5]
    return None


def search_communes(query: str, limit: int = 20) -> list[Commune]:
    """Communes matching what the user is typing, best first, at most ``limit``.

    ``query`` may be a postal code or its start (``"261"``, ``"26120"``; a department code also
    matches, which finds the communes without postal code), a name or its start whatever the
    accents, case, hyphens, apostrophes or "ST"/"SAINT" (``"st etienne"``, ``"saint-étienne"``),
    or a label as displayed (``"Chabeuil (26120)"``, also ``"Chabeuil 26120"``). Ranking: exact
    name (or postal code) first, then current communes before delegated and associated ones,
    then by name, then by code.
    """
    if limit <= 0 or not isinstance(query, str):
        return []
    index = _communes()
    digits = _only_digits(query)
    department = _fold(query).replace(" ", "")
    if digits is not None:
        exact, others = index.postal_codes.lookup(digits)
        others |= index.departments.get(digits, set())
    elif department in _CORSICA:
        # No name starts with "2A"; the Corsican departments are the only non-numeric codes.
        exact, others = set(), set(index.departments.get(department, set()))
    else:
        name, code = _split_query(query)
        exact, others = _name_matches(index.names, name)
        if code is not None:
            allowed = _code_filter(index, code)
            exact &= allowed
            others &= allowed
    return [index.communes[rank] for rank in _top(exact, others, limit)]


def search_countries(query: str, limit: int = 20) -> list[Country]:
    """Countries matching what the user is typing, best first, at most ``limit``.

    ``query`` may be the start of a name, whatever the accents, case or punctuation
    (``"etats unis"``, ``"Royaume-Uni"``; territories such as ``"jersey"`` are found under their
    own name, with their state's code), or the start of an INSEE code (``"99109"``, ``"991"``).
    Ranking: exact name first, then main names before aliases, then by name, then by code.
    """
    if limit <= 0 or not isinstance(query, str):
        return []
    index = _countries()
    digits = _only_digits(query)
    if digits is not None:
        exact, others = index.codes.lookup(digits)
    else:
        exact, others = _name_matches(index.names, query)
    return [index.countries[rank] for rank in _top(exact, others, limit)]
