"""The held-out query model: what a hurried person types on an AZERTY keyboard, by ear.

Variants share their names with the project's own bench where they mean the same thing, so
rows can be read side by side; two are its own (``first_name_typo``, and typos on short names are
counted apart by the bench). Every edit is drawn with the ``Random`` given: same seed, same
queries.
"""

import datetime
import re
from dataclasses import dataclass
from random import Random
from typing import Any

from bench.heldout.population import accented_first_names

WITH_BIRTH_DATE = "birth_date"
NAME_AND_FIRST_NAME = "name_first_name"
PREFIX = "prefix"
VARIANTS = (
    "exact",  # as stored
    "case_accents",  # lower or mixed case, accents typed (Hélène, LEFÈVRE)
    "hyphen_space",  # hyphen for space or the reverse, or the space left out (LE GALL: LEGALL)
    "typo1",  # one keyboard slip in the name: neighbour key, transposition, missing, extra...
    "typo2",  # two of them (names of 5 letters or more)
    "phonetic",  # spelt by ear: -AULT/-AUD/-AUT/-EAU/-O, -EZ/-ES, PH/F, Y/I, K/C/QU, silent H...
    "swapped",  # first name typed in the name field and the reverse
    "used_name",  # the used (married) name instead of the birth name
    "first_name_typo",  # one keyboard slip in the first name
)
AZERTY = ("AZERTYUIOP", "QSDFGHJKLM", "WXCVBN")


@dataclass(frozen=True)
class Query:
    """What is typed, and who is sought (``target``, a primary key); as the bench reads it."""

    kind: str
    variant: str
    name: str
    first_name: str = ""
    birth_date: datetime.date | None = None
    target: int | None = None
    stored_name: str = ""  # the stored name the typed one comes from (birth or used name)
    detail: str = ""  # which edit was made

    def criteria(self) -> Any:
        from identities.search import Criteria

        return Criteria(name=self.name, first_name=self.first_name, birth_date=self.birth_date)

    def describe(self) -> str:
        date = f" {self.birth_date:%d/%m/%Y}" if self.birth_date else ""
        return f"{self.name!r} {self.first_name!r}{date}".replace("''", "").strip()


def _neighbours() -> dict[str, str]:
    """Keys next to each letter on an AZERTY keyboard (same row, and the rows above and below)."""
    near: dict[str, set[str]] = {}
    for row_index, row in enumerate(AZERTY):
        for column, letter in enumerate(row):
            keys = near.setdefault(letter, set())
            keys.update(row[max(0, column - 1) : column + 2])
            for other in (row_index - 1, row_index + 1):
                if 0 <= other < len(AZERTY):
                    keys.update(AZERTY[other][max(0, column - 1) : column + 2])
            keys.discard(letter)
    return {letter: "".join(sorted(keys)) for letter, keys in near.items()}


NEIGHBOURS = _neighbours()
# Respellings by ear: (pattern, replacements, label); the first that applies is used.
SOUNDS = (
    (r"AULT$", ("AUD", "AUT", "O", "EAU"), "ault_aud"),
    (r"AUD$", ("AULT", "AUT", "O"), "ault_aud"),
    (r"AUT$", ("AULT", "AUD", "EAU"), "ault_aud"),
    (r"EAUX?$", ("O", "AUD", "AULT"), "eau_o"),
    (r"(?<=[^AEIOU])OT$", ("AUT", "EAU"), "eau_o"),
    (r"EZ$", ("ES",), "ez_es"),
    (r"(?<=[^AEIOU])ES$", ("EZ",), "ez_es"),
    (r"PH", ("F",), "ph_f"),
    (r"(?<=[AEIOU])F(?=[AEIOU])", ("PH",), "ph_f"),
    (r"Y", ("I",), "y_i"),
    (r"(?<=[^AEIOU])I(?=[^AEIOU])", ("Y",), "y_i"),
    (r"QU", ("K", "C"), "k_c_qu"),
    (r"K", ("C", "QU"), "k_c_qu"),
    (r"C(?=[AOU])", ("K",), "k_c_qu"),
    (r"TH", ("T",), "silent_h"),
    (r"^H(?=[AEIOU])", ("",), "silent_h"),
    (r"(?<=[AEIOU])T(?=[AEIOU])", ("TH",), "silent_h"),
    (r"AI", ("E", "EI"), "ai_e"),
    (r"EI", ("AI", "E"), "ai_e"),
    (r"AN(?=[^AEIOUN])", ("EN",), "an_en"),
    (r"EN(?=[^AEIOUN])", ("AN",), "an_en"),
    (r"(?<=[AEIOU])([TDSX])$", ("",), "silent_end"),
    (r"(?<=[AEIOU])$", ("T", "D", "S"), "silent_end"),
    (r"SCH", ("CH",), "sch_ch"),
    (r"([LNRST])\1", (r"\1",), "double"),
)
_SOUNDS = tuple((re.compile(pattern), options, label) for pattern, options, label in SOUNDS)
_ACCENTS = ((re.compile(r"E(?=[BCDFGLMNPRSTV]RE$)"), "È"), (re.compile(r"E(?=VRE$)"), "È"),
            (re.compile(r"EE$"), "ÉE"),
            (re.compile(r"(?<=[BCDFGLMNPRSTV])E(?=[BCDFGLMNPRSTV][AEIOU])"), "É"))  # fmt: skip


def letters(name: str) -> int:
    return sum(char.isalpha() for char in name)


def typed(stored: str, rng: Random, *, first_name: bool = False) -> str:
    """Case as a person types it; accents where the name has (or sounds like it has) some."""
    spelling = stored
    if first_name:
        spelling = accented_first_names().get(stored, stored).upper()
    else:
        for pattern, accented in _ACCENTS:
            if rng.random() < 0.5:
                spelling = pattern.sub(accented, spelling, count=1)
    style = rng.random()
    if style < 0.4:
        return spelling.lower()
    if style < 0.75:
        return re.sub(r"[^\W\d_]+", lambda m: m.group(0).capitalize(), spelling)
    return spelling


def slip(name: str, rng: Random, avoid: frozenset[int] = frozenset()) -> tuple[str, str, int]:
    """One keyboard slip at a letter not in ``avoid``: (new name, what, position)."""
    positions = [i for i, c in enumerate(name) if c.isalpha() and i not in avoid]
    # The first letter is seldom the wrong one: a third of the others' chance.
    i = rng.choices(positions, [1 if i else 1 / 3 for i in positions])[0]
    char = name[i]
    draw = rng.random()
    if draw < 0.35:
        return name[:i] + rng.choice(NEIGHBOURS.get(char, char)) + name[i + 1 :], "neighbour", i
    if draw < 0.55 and i + 1 < len(name) and name[i + 1].isalpha() and name[i + 1] != char:
        return name[:i] + name[i + 1] + char + name[i + 2 :], "transposition", i
    if draw < 0.7:
        return name[:i] + name[i + 1 :], "deletion", i
    if draw < 0.8:
        extra = rng.choice(NEIGHBOURS.get(char, char))
        return name[:i] + char + extra + name[i + 1 :], "insertion", i
    if i + 1 < len(name) and name[i + 1] == char:
        return name[:i] + name[i + 1 :], "undoubled", i
    return name[:i] + char + name[i:], "doubled", i


def misspell(name: str, rng: Random, edits: int) -> tuple[str, str]:
    """``edits`` slips at distinct letters (the stored form is never given back)."""
    for _attempt in range(10):
        result, what, used = name, [], frozenset[int]()
        for _edit in range(edits):
            result, kind, position = slip(result, rng, used)
            what.append(kind)
            used = frozenset({*used, position, position + 1, max(0, position - 1)})
        if result != name and letters(result) >= 2:
            return result, "+".join(what)
    return name[:-1], "deletion"


def respell(name: str, rng: Random) -> tuple[str, str] | None:
    """The name spelt by ear, or None when no rule applies to it."""
    options = [
        (pattern, choices, label) for pattern, choices, label in _SOUNDS if pattern.search(name)
    ]
    while options:
        pattern, choices, label = options.pop(rng.randrange(len(options)))
        result = pattern.sub(rng.choice(choices), name, count=1)
        if result != name and letters(result) >= 2:
            return result, label
    return None


def make_query(identity: Any, kind: str, variant: str, rng: Random) -> Query | None:
    """The query of that kind and variant for ``identity``, or None if the variant does not
    apply to it (no used name, nothing to hyphenate, name too short for two slips...)."""
    if kind == PREFIX:
        return make_prefix_query(identity, rng)
    name, first, detail = identity.birth_name, identity.first_name, ""
    stored_name = name
    if variant == "case_accents":
        name, first = typed(name, rng), typed(first, rng, first_name=True)
        if (name, first) == (identity.birth_name, identity.first_name):
            name = name.lower()
    elif variant == "hyphen_space":
        if "-" in name:
            name, detail = name.replace("-", " "), "name: hyphen as space"
        elif " " in name:
            joined = rng.random() < 0.5
            name = name.replace(" ", "" if joined else "-")
            detail = "name: space left out" if joined else "name: space as hyphen"
        elif "-" in first:
            first, detail = first.replace("-", " " if rng.random() < 0.7 else ""), "first name"
        else:
            return None
    elif variant in ("typo1", "typo2"):
        edits = 1 if variant == "typo1" else 2
        if letters(name) < (3 if edits == 1 else 5):
            return None
        name, detail = misspell(name, rng, edits)
        name = typed(name, rng)
    elif variant == "phonetic":
        respelt = respell(name, rng)
        if respelt is None:
            return None
        name, detail = respelt
        name = typed(name, rng)
    elif variant == "swapped":
        name, first, detail = typed(first, rng, first_name=True), typed(name, rng), "swapped"
    elif variant == "used_name":
        if not identity.used_name:
            return None
        name = stored_name = identity.used_name
        name = typed(name, rng)
    elif variant == "first_name_typo":
        if letters(first) < 4:
            return None
        first, detail = misspell(first, rng, 1)
        first = typed(first, rng, first_name=True)
    elif variant != "exact":
        raise ValueError(f"unknown variant {variant}")
    return Query(
        kind,
        variant,
        name,
        first,
        identity.birth_date if kind == WITH_BIRTH_DATE else None,
        identity.pk,
        stored_name,
        detail,
    )


def make_prefix_query(identity: Any, rng: Random) -> Query | None:
    """The first 3 to 5 letters of the name shown (the used one if any, else the birth one)."""
    name = identity.used_name if identity.used_name and rng.random() < 0.7 else identity.birth_name
    if letters(name) < 3:
        return None
    typed_letters = name.replace(" ", "").replace("-", "").replace("'", "")[: rng.randint(3, 5)]
    return Query(PREFIX, "prefix", typed_letters.lower(), target=identity.pk, stored_name=name)


def make_duplicate(identity: Any, rng: Random) -> tuple[Any, str]:
    """The traits of a duplicate typed with one slip (``services.Traits``, never saved), and
    where the slip is: birth name (55 %), first name (20 %), birth date (25 %: day and month
    swapped when that is a date, else a digit off by one)."""
    from identities.services import Traits

    birth_name, first, birth_date = identity.birth_name, identity.first_name, identity.birth_date
    draw = rng.random()
    if draw < 0.55 and letters(birth_name) >= 3:
        birth_name, where = misspell(birth_name, rng, 1)[0], "birth name"
    elif draw < 0.75 and letters(first) >= 3:
        first, where = misspell(first, rng, 1)[0], "first name"
    else:
        where = "birth date"
        birth_date = _date_slip(birth_date, rng)
    traits = Traits(
        birth_name=birth_name,
        first_name=first,
        birth_date=birth_date,
        sex=identity.sex,
        birthplace_kind=identity.birthplace_kind,
        birthplace_code=identity.birthplace_code,
        used_name=identity.used_name,
    )
    return traits, where


def _date_slip(date: datetime.date, rng: Random) -> datetime.date:
    if date.day <= 12 and date.day != date.month and rng.random() < 0.5:
        return date.replace(day=date.month, month=date.day)
    for _attempt in range(20):
        text = list(f"{date:%d%m%Y}")
        i = rng.choice([0, 1, 2, 3, 6, 7])
        text[i] = str((int(text[i]) + rng.choice((-1, 1))) % 10)
        digits = "".join(text)
        try:
            slipped = datetime.date(int(digits[4:]), int(digits[2:4]), int(digits[:2]))
        except ValueError:
            continue
        if slipped != date:
            return slipped
    return date + datetime.timedelta(days=1)
