"""The held-out population: real INSEE surnames and first names, a region's birthplaces.

See the package docstring for what is drawn and why; every figure of the model is here.
"""

import bisect
import datetime
import functools
import gzip
import itertools
import math
import re
import unicodedata
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from random import Random

DATA = Path(__file__).resolve().parent / "data"
REFERENCE_DATE = datetime.date(2026, 1, 1)
DEFAULT_SEED = 1891
EMAIL_PREFIX = "heldout."  # the rows of this generator, among synthetic ones

# Bearers of a surname by its rank in INSEE's list (births 1891-2000). The head follows the
# published shares (MARTIN about 0.59 % of the file's bearers, rank 1,000 about 0.016 %), scaled
# to the file's own thresholds, which its first line gives: 500 bearers at rank 21,817, 100 at
# 96,264, 50 at 158,590, about 20 at the last one. Log-log interpolation between the anchors.
RANK_ANCHORS = ((1, 220_000), (10, 83_000), (30, 55_400), (100, 31_700), (300, 15_100),
                (1_000, 6_030), (3_000, 2_640), (5_000, 1_885))  # fmt: skip
# People whose name is too rare for the list (under ~10 births a decade): a rare spelling of a
# listed name, made by one or two of the variations French civil registers are full of.
RARE_SHARE = 0.13
RARE_BASE_FROM_RANK = 15_000
DOUBLE_NAME_SINCE = 2005  # the law of 2002 (in force 2005): both parents' names
DOUBLE_NAME_SHARE = {True: 0.09, False: 0.012}  # born since 2005, before
# Used name of women by age (marriage, kept after widowhood or divorce), then men.
USED_NAME_BY_AGE = ((20, 0.0), (25, 0.08), (30, 0.25), (35, 0.42), (45, 0.55), (65, 0.62),
                    (200, 0.70))  # fmt: skip
MEN_USED_NAME = 0.007
# The region of 8 million is Auvergne-Rhône-Alpes: its departments and their weights (thousand
# inhabitants); its maternity towns; the rest of France; abroad (countries of birth of
# immigrants, by weight); unknown.
REGION = {"01": 660, "03": 335, "07": 330, "15": 145, "26": 520, "38": 1280, "42": 765,
          "43": 227, "63": 665, "69": 1880, "73": 440, "74": 840}  # fmt: skip
REGION_SHARE = 0.62
CITY_SHARE = 0.45  # of the births in France: in a large town's maternity
REGION_CITIES = ("69381", "69382", "69383", "69384", "69385", "69386", "69387", "69388", "69389",
                 "42218", "38185", "69266", "63113", "74010", "26362", "73065", "01053", "42187",
                 "03310", "03185", "03190", "15014", "43157", "07186", "74012", "38544",
                 "74281")  # fmt: skip
FRANCE_CITIES = ("75112", "75113", "75114", "75115", "75118", "75120", "13205", "13208", "13213",
                 "31555", "06088", "44109", "67482", "34172", "33063", "59350", "35238", "51454",
                 "76540", "21231")  # fmt: skip
ABROAD_SHARE = 0.11
UNKNOWN_SHARE = 0.003
COUNTRIES = {"99352": 30, "99350": 22, "99139": 14, "99351": 9, "99127": 7, "99134": 6,
             "99208": 5, "99132": 3, "99109": 3, "99131": 3, "99341": 3, "99335": 2, "99326": 2,
             "99322": 2, "99243": 2, "99216": 2, "99114": 3, "99122": 2, "99397": 2, "99333": 2,
             "99312": 2, "99140": 2, "99401": 1}  # fmt: skip
JANUARY_FIRST_ABROAD = 0.08  # born abroad, day unknown: registered on 1 January
# Births a year in France (thousands) and a Gompertz mortality (hazard a * exp(b * age)).
BIRTHS = ((1914, 750), (1919, 450), (1939, 720), (1945, 600), (1973, 850), (1999, 760),
          (2014, 800), (2026, 700))  # fmt: skip
GOMPERTZ = {"F": 1.7e-5, "M": 3.0e-5}
GOMPERTZ_B = 0.095
MALE_BIRTHS = 0.512
OLDEST = 105
# First names: INSEE's 600 most frequent of the decade of birth, Zipf-like with an exponent that
# falls as names diversified; 1 to 3 birth first names, more of them for older people.
FIRST_NAME_EXPONENT = ((1945, 1.05), (1975, 0.95), (2100, 0.85))
MORE_FIRST_NAMES = {True: (0.25, 0.45), False: (0.45, 0.30)}  # born before 1960: 1, 2 (rest 3)

_LETTERS = re.compile(r"[A-Z]+(?:[ '-][A-Z]+)*")


@dataclass(frozen=True, slots=True)
class Person:
    """One generated person, names in the directory's stored form (capitals, no accents)."""

    uuid: uuid.UUID
    birth_name: str
    used_name: str
    first_name: str
    birth_first_names: str
    used_first_name: str
    birth_date: datetime.date
    sex: str
    birthplace_kind: str
    birthplace_code: str
    email: str


def stored(name: str) -> str:
    text = unicodedata.normalize("NFKD", name.upper())
    return " ".join("".join(c for c in text if not unicodedata.combining(c)).split())


@functools.cache
def surnames() -> tuple[tuple[str, ...], tuple[float, ...]]:
    """INSEE's surnames in order of frequency and their cumulative weights."""
    with gzip.open(DATA / "surnames.txt.gz", "rt") as source:
        header, *names = source.read().split("\n")
    limits = [int(value) for value in header.split()]
    anchors = [*RANK_ANCHORS, *zip(limits, (500, 100, 50, 20), strict=True)]
    logs = [(math.log(rank), math.log(count)) for rank, count in anchors]
    names = [name for name in names if name]
    weights, segment = [], 0
    for rank in range(1, len(names) + 1):
        x = math.log(rank)
        while segment < len(logs) - 2 and x > logs[segment + 1][0]:
            segment += 1
        (x0, y0), (x1, y1) = logs[segment], logs[segment + 1]
        weights.append(math.exp(y0 + (y1 - y0) * (x - x0) / (x1 - x0)))
    return tuple(names), tuple(itertools.accumulate(weights))


@functools.cache
def first_names() -> dict[tuple[str, int], tuple[tuple[str, ...], tuple[float, ...]]]:
    """(sex, decade) -> first names as INSEE spells them, cumulative weights."""
    table = {}
    for line in (DATA / "first_names.tsv").read_text().splitlines():
        sex, decade, names = line.split("\t")
        spelled = tuple(name for name in names.split(",") if _LETTERS.fullmatch(stored(name)))
        exponent = next(e for until, e in FIRST_NAME_EXPONENT if int(decade) <= until)
        weights = itertools.accumulate(1 / (rank**exponent) for rank in range(1, len(spelled) + 1))
        table[sex, int(decade)] = (spelled, tuple(weights))
    return table


@functools.cache
def accented_first_names() -> dict[str, str]:
    """Stored form -> INSEE's spelling with its accents (``HELENE`` -> ``Hélène``)."""
    return {
        stored(name): name
        for names, _weights in first_names().values()
        for name in names
        if stored(name) != name.upper()
    }


# Rare spellings: what registers did to names over centuries (one or two of these).
RARE_VARIATIONS = (
    (r"([BCDFGLMNPRST])\1", r"\1"), (r"(?<=[AEIOU])([LNRST])(?=[AEIOU])", r"\1\1"),
    (r"Y", "I"), (r"(?<=[^AEIOU])I(?=[^AEIOU])", "Y"), (r"PH", "F"), (r"(?<=[AEIOU])F", "PH"),
    (r"C(?=[AOU])", "K"), (r"QU", "K"), (r"K", "C"), (r"TH", "T"),
    (r"(?<=[AEIOU])T(?=[AEIOU])", "TH"),
    (r"AI", "EI"), (r"EI", "AI"), (r"AU", "O"), (r"EAU$", "AUX"), (r"O$", "EAU"), (r"AN", "EN"),
    (r"EN(?!$)", "AN"), (r"([AEIOU])$", r"\1T"), (r"(?<=[AEIOU])[TDSX]$", ""), (r"E$", ""),
    (r"(?<=[^AEIOUE])$", "E"), (r"ER$", "IER"), (r"IER$", "YER"), (r"S$", "Z"), (r"Z$", "S"),
    (r"ET$", "OT"), (r"OT$", "ET"), (r"IN$", "AIN"), (r"^", "LE"), (r"^(?=[AEIOU])", "D'"),
    (r"^", "DU "), (r"^", "DE "), (r"GU(?=[EI])", "G"), (r"(?<=[AEIOU])S(?=[AEIOU])", "Z"),
)  # fmt: skip
_RARE = tuple((re.compile(pattern), replacement) for pattern, replacement in RARE_VARIATIONS)


def rare_surname(base: str, rng: Random, listed: frozenset[str]) -> str:
    """A rare spelling of ``base``: one or two variations, not a listed name if possible."""
    candidate = base
    for _attempt in range(6):
        candidate = base
        for _edit in range(1 if rng.random() < 0.8 else 2):
            pattern, replacement = rng.choice(_RARE)
            candidate = pattern.sub(replacement, candidate, count=1)
        if candidate != base and candidate not in listed and _LETTERS.fullmatch(candidate):
            return candidate
    return candidate if _LETTERS.fullmatch(candidate) else base


@functools.cache
def _age_table() -> tuple[list[tuple[int, str]], list[float]]:
    """(birth year, sex) and cumulative weights: births of the year times survival to today."""
    keys, weights = [], []
    for age in range(OLDEST + 1):
        year = REFERENCE_DATE.year - 1 - age
        births = next(b for until, b in BIRTHS if year <= until)
        for sex, share in (("M", MALE_BIRTHS), ("F", 1 - MALE_BIRTHS)):
            a = GOMPERTZ[sex]
            survival = math.exp(-a / GOMPERTZ_B * (math.exp(GOMPERTZ_B * (age + 0.5)) - 1))
            keys.append((year, sex))
            weights.append(births * share * survival)
    return keys, list(itertools.accumulate(weights))


@functools.cache
def _places() -> dict[str, tuple[tuple[str, ...], tuple[float, ...]]]:
    from identities import geo

    by_department: dict[str, list[str]] = {}
    for commune in geo.all_communes():
        if commune.kind in ("commune-actuelle", "arrondissement-municipal"):
            by_department.setdefault(commune.department, []).append(commune.insee_code)
    departments = sorted(by_department)
    region_weights = [REGION.get(d, 0) for d in departments]
    other_weights = [0 if d in REGION else 1 for d in departments]
    countries = [code for code in COUNTRIES if geo.country(code)]
    return {
        "region": (tuple(departments), tuple(itertools.accumulate(region_weights))),
        "other": (tuple(departments), tuple(itertools.accumulate(other_weights))),
        "countries": (
            tuple(countries),
            tuple(itertools.accumulate(COUNTRIES[c] for c in countries)),
        ),
        "region_cities": (tuple(c for c in REGION_CITIES if geo.commune(c)), ()),
        "france_cities": (tuple(c for c in FRANCE_CITIES if geo.commune(c)), ()),
        **{f"d{d}": (tuple(sorted(codes)), ()) for d, codes in by_department.items()},
    }


def _pick(rng: Random, values: tuple[str, ...], cumulative: tuple[float, ...]) -> str:
    if not cumulative:
        return rng.choice(values)
    return values[bisect.bisect(cumulative, rng.random() * cumulative[-1])]


class Generator:
    """Draws people one by one (deterministic for a seed)."""

    def __init__(self, seed: int, email_domain: str) -> None:
        self.rng = Random(seed)
        self.email_domain = email_domain
        self.names, self.name_weights = surnames()
        self.listed = frozenset(self.names)
        self.rare_from = min(RARE_BASE_FROM_RANK, len(self.names) - 1)
        self.first = {
            key: (tuple(stored(name) for name in names), weights)
            for key, (names, weights) in first_names().items()
        }
        self.places = _places()
        self.count = 0

    def surname(self) -> str:
        rng = self.rng
        if rng.random() < RARE_SHARE:
            base = self.names[rng.randrange(self.rare_from, len(self.names))]
            return rare_surname(base, rng, self.listed)
        return _pick(rng, self.names, self.name_weights)

    def first_name(self, sex: str, year: int) -> str:
        decade = min(2011, max(1901, (year - 1) // 10 * 10 + 1))
        return _pick(self.rng, *self.first[sex, decade])

    def birth_date(self, year: int, abroad: bool) -> datetime.date:
        if abroad and self.rng.random() < JANUARY_FIRST_ABROAD:
            return datetime.date(year, 1, 1)
        start = datetime.date(year, 1, 1).toordinal()
        days = datetime.date(year + 1, 1, 1).toordinal() - start
        return datetime.date.fromordinal(start + self.rng.randrange(days))

    def birthplace(self) -> tuple[str, str]:
        rng, places = self.rng, self.places
        draw = rng.random()
        if draw < UNKNOWN_SHARE:
            return "unknown", "99999"
        if draw < UNKNOWN_SHARE + ABROAD_SHARE:
            return "abroad", _pick(rng, *places["countries"])
        in_region = rng.random() < REGION_SHARE
        if rng.random() < CITY_SHARE:
            return "france", rng.choice(
                places["region_cities" if in_region else "france_cities"][0]
            )
        department = _pick(rng, *places["region" if in_region else "other"])
        return "france", rng.choice(places[f"d{department}"][0])

    def used_name(self, birth_name: str, sex: str, age: int) -> str:
        rng = self.rng
        if sex == "F":
            share = next(s for until, s in USED_NAME_BY_AGE if age < until)
        else:
            share = MEN_USED_NAME if age >= 25 else 0.0
        if rng.random() >= share:
            return ""
        spouse = self.surname()
        while spouse == birth_name:
            spouse = self.surname()
        form = rng.random()
        if sex == "M" or form > 0.96:
            return f"{birth_name}-{spouse}"
        return f"{spouse}-{birth_name}" if form > 0.88 else spouse

    def person(self) -> Person:
        rng = self.rng
        keys, cumulative = _age_table()
        year, sex = keys[bisect.bisect(cumulative, rng.random() * cumulative[-1])]
        kind, code = self.birthplace()
        birth_date = self.birth_date(year, kind == "abroad")
        age = (REFERENCE_DATE - birth_date).days // 365
        birth_name = self.surname()
        if rng.random() < DOUBLE_NAME_SHARE[year >= DOUBLE_NAME_SINCE]:
            other = self.surname()
            if other != birth_name:
                birth_name = f"{birth_name}{'-' if rng.random() < 0.7 else ' '}{other}"
        first = self.first_name(sex, year)
        names = [first]
        one, two = MORE_FIRST_NAMES[year < 1960]
        extra = rng.random()
        for _more in range(0 if extra < one else 1 if extra < one + two else 2):
            name = self.first_name(sex, year)
            if name not in names:
                names.append(name)
        self.count += 1
        return Person(
            uuid=uuid.UUID(int=rng.getrandbits(128), version=4),
            birth_name=birth_name[:100],
            used_name=self.used_name(birth_name, sex, age)[:100],
            first_name=first,
            birth_first_names=" ".join(names)[:200],
            used_first_name="",
            birth_date=birth_date,
            sex=sex,
            birthplace_kind=kind,
            birthplace_code=code,
            email=f"{EMAIL_PREFIX}{self.count}.{sex.lower()}{year}@{self.email_domain}",
        )


def generate(
    count: int, seed: int = DEFAULT_SEED, *, email_domain: str, exclude: Iterable[tuple] = ()
) -> Iterator[Person]:
    """``count`` people; a draw whose strict traits (name, first name, birth date, sex,
    birthplace) repeat an earlier one or one of ``exclude`` is dropped and drawn again."""
    seen = {hash(tuple(traits)) for traits in exclude}
    generator = Generator(seed, email_domain)
    made = 0
    while made < count:
        person = generator.person()
        key = hash((person.birth_name, person.first_name, person.birth_date, person.sex,
                    person.birthplace_code))  # fmt: skip
        if key in seen:
            continue
        seen.add(key)
        made += 1
        yield person
