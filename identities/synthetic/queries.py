"""The queries a clinician would type to find a stored identity, with one kind of error each."""

import datetime
import re
from dataclasses import dataclass
from functools import cache
from random import Random
from typing import Any

from identities.normalize import fold
from identities.phonetic import compact
from identities.synthetic.constants import REFERENCE_DATE
from identities.synthetic.population import accented_spellings

WITH_BIRTH_DATE = "birth_date"  # name + first name + birth date


NAME_AND_FIRST_NAME = "name_first_name"  # name + first name, no birth date


PREFIX = "prefix"  # as-you-type: the first 3 to 5 letters of the name


KINDS = (WITH_BIRTH_DATE, NAME_AND_FIRST_NAME, PREFIX)


VARIANTS = (
    "exact",  # the stored form
    "case_accents",  # lower case or capitalised, accents typed when the name has some
    "hyphen_space",  # hyphen typed as a space or the reverse, in the name or the first name
    "typo1",  # one substitution, insertion, deletion or transposition in the name
    "typo2",  # two of them
    "phonetic",  # PH/F, O/AU/EAU, doubled consonant, silent final letter
    "swapped",  # first name in the name field and the reverse
    "used_name",  # the used name instead of the birth name
)


PHONETIC_RULES = ("ph_f", "o_au_eau", "double", "final")


_NAME = re.compile(r"[A-Z]+(?:[ '-][A-Z]+)*")  # what normalize_name accepts


_AZERTY = ("AZERTYUIOP", "QSDFGHJKLM", "WXCVBN")


@cache
def _keyboard_neighbours() -> dict[str, str]:
    """Letters next to each letter on a French AZERTY keyboard."""
    position = {
        char: (row, col) for row, keys in enumerate(_AZERTY) for col, char in enumerate(keys)
    }
    return {
        char: "".join(
            other
            for other, (orow, ocol) in position.items()
            if other != char and abs(orow - row) <= 1 and abs(ocol - col) <= 1
        )
        for char, (row, col) in position.items()
    }


@dataclass(frozen=True)
class Query:
    """What a clinician types, and who they are looking for (``target``, a primary key)."""

    kind: str
    variant: str
    name: str
    first_name: str = ""
    birth_date: datetime.date | None = None
    target: int | None = None
    stored_name: str = ""  # the stored name the typed one comes from (birth or used name)
    detail: str = ""  # which edit was made, for reports

    def criteria(self) -> Any:
        from identities.search import Criteria

        return Criteria(name=self.name, first_name=self.first_name, birth_date=self.birth_date)

    def describe(self) -> str:
        date = f" {self.birth_date:%d/%m/%Y}" if self.birth_date else ""
        return f"{self.name!r} {self.first_name!r}{date}".replace("''", "").strip()


def typed(stored: str, rng: Random) -> str:
    """How a human may type a stored name: case changed, accents typed if the name has some."""
    spellings = accented_spellings()
    if rng.random() < 0.6:
        spelling = "-".join(spellings.get(part, part) for part in stored.split("-"))
    else:
        spelling = stored
    style = rng.random()
    if style < 0.45:
        return spelling.lower()
    if style < 0.85:
        return "-".join(
            " ".join(part[:1].upper() + part[1:].lower() for part in chunk.split(" "))
            for chunk in spelling.split("-")
        )
    return spelling.upper()


def make_query(identity: Any, kind: str, variant: str, rng: Random) -> Query | None:
    """The query for ``identity`` of that kind and variant, or None when the variant does not
    apply to this identity (no used name, nothing to hyphenate, name too short for typos...)."""
    if kind == PREFIX:
        return make_prefix_query(identity, rng)
    name, first_name, detail = identity.birth_name, identity.first_name, ""
    stored_name = name
    if variant == "exact":
        pass
    elif variant == "case_accents":
        name, first_name = typed(name, rng), typed(first_name, rng)
        if name == identity.birth_name and first_name == identity.first_name:
            name = name.lower()
    elif variant == "hyphen_space":
        if "-" in name or " " in name:
            name = name.replace("-", "\0").replace(" ", "-").replace("\0", " ")
            detail = "name"
        elif "-" in first_name:
            first_name = first_name.replace("-", " ")
            detail = "first name"
        else:
            return None
    elif variant in ("typo1", "typo2"):
        edits = 1 if variant == "typo1" else 2
        if len(compact(name)) < 4 + edits:
            return None
        name, detail = with_typos(name, edits, rng)
    elif variant == "phonetic":
        found = phonetic_variant(name, rng)
        if found is None:
            return None
        name, detail = found
    elif variant == "swapped":
        name, first_name = first_name, name
        detail = "first name and name swapped"
    elif variant == "used_name":
        if not identity.used_name:
            return None
        name = stored_name = identity.used_name
    else:
        raise ValueError(f"unknown variant {variant!r}")
    if kind == WITH_BIRTH_DATE:
        birth_date = identity.birth_date
    elif kind == NAME_AND_FIRST_NAME:
        birth_date = None
    else:
        raise ValueError(f"unknown kind {kind!r}")
    return Query(
        kind=kind,
        variant=variant,
        name=name,
        first_name=first_name,
        birth_date=birth_date,
        target=getattr(identity, "pk", None),
        stored_name=stored_name,
        detail=detail,
    )


def make_prefix_query(identity: Any, rng: Random) -> Query | None:
    """The first 3 to 5 letters of the name, as typed in the search box before the results
    appear (the name the patient gives: the used name when there is one)."""
    stored = identity.used_name or identity.birth_name
    letters = rng.randint(3, 5)
    if len(compact(stored)) < letters:
        return None
    text = typed(stored, rng)
    end = 0
    while len(compact(text[:end])) < letters:
        end += 1
    return Query(
        kind=PREFIX,
        variant=f"prefix{letters}",
        name=text[:end],
        target=getattr(identity, "pk", None),
        stored_name=stored,
    )


def with_typos(name: str, edits: int, rng: Random) -> tuple[str, str]:
    """``name`` with ``edits`` typing errors on its letters, each a substitution (usually by a
    neighbouring key), an insertion, a deletion or a transposition of two letters; the compact
    forms are exactly ``edits`` edits apart (optimal string alignment distance)."""
    from rapidfuzz.distance import OSA

    while True:
        text, kinds = name, []
        for _ in range(edits):
            text, kind = _one_typo(text, rng)
            kinds.append(kind)
        # Still a name (a deleted one-letter word would leave "-X" or "'ALMEIDA").
        valid = _NAME.fullmatch(fold(text)) is not None
        if valid and OSA.distance(compact(text), compact(name)) == edits:
            return text, " + ".join(kinds)


def _one_typo(text: str, rng: Random) -> tuple[str, str]:
    letters = [index for index, char in enumerate(text) if char.isalpha()]
    kind = rng.choice(("substitution", "insertion", "deletion", "transposition"))
    index = rng.choice(letters)
    char = text[index].upper()
    neighbours = _keyboard_neighbours().get(char, "AEIOU")
    if kind == "substitution":
        other = rng.choice(neighbours) if rng.random() < 0.7 else rng.choice("ABCDEFGHIJLMNOPRSTUV")
        return text[:index] + other + text[index + 1 :], f"substitution {char}>{other}"
    if kind == "insertion":
        other = char if rng.random() < 0.3 else rng.choice(neighbours)
        return text[: index + 1] + other + text[index + 1 :], f"insertion of {other}"
    if kind == "deletion":
        return text[:index] + text[index + 1 :], f"deletion of {char}"
    pairs = [i for i in letters if i + 1 < len(text) and text[i + 1].isalpha()]
    pairs = [i for i in pairs if text[i] != text[i + 1]]
    if not pairs:
        return text[:index] + text[index + 1 :], f"deletion of {char}"
    i = rng.choice(pairs)
    return text[:i] + text[i + 1] + text[i] + text[i + 2 :], f"transposition {text[i : i + 2]}"


_CONSONANTS_TO_DOUBLE = "LNRTSMPF"


def phonetic_variants(name: str) -> list[tuple[str, str]]:
    """Every spelling of ``name`` (stored form) that French pronounces the same, one rewrite
    away: ``(new name, rule: what was rewritten)``. Rules: :data:`PHONETIC_RULES`."""
    variants: list[tuple[str, str]] = []

    def add(start: int, end: int, new: str, rule: str) -> None:
        variants.append((name[:start] + new + name[end:], f"{rule}: {name[start:end]}>{new}"))

    for match in re.finditer(r"[A-Z]+", name):
        word, offset = match.group(), match.start()
        for m in re.finditer("PH", word):
            add(offset + m.start(), offset + m.end(), "F", "ph_f")
        for m in re.finditer(r"(?<=[A-Z])(?<![FP])F(?!F)", word):
            add(offset + m.start(), offset + m.end(), "PH", "ph_f")
        for m in re.finditer("EAU", word):
            add(offset + m.start(), offset + m.end(), "O", "o_au_eau")
        for m in re.finditer(r"(?<!E)AU", word):
            add(offset + m.start(), offset + m.end(), "O", "o_au_eau")
        for m in re.finditer(r"(?<=[A-Z])(?<![AEO])O(?=[BCDFGKLPRSTVZ]|$)", word):
            new = "EAU" if m.end() == len(word) else "AU"
            add(offset + m.start(), offset + m.end(), new, "o_au_eau")
        for m in re.finditer(rf"([{_CONSONANTS_TO_DOUBLE}])\1", word):
            add(offset + m.start(), offset + m.end(), m.group(1), "double")
        for m in re.finditer(rf"(?<=[AEIOUY])[{_CONSONANTS_TO_DOUBLE}](?=[AEIOUY])", word):
            add(offset + m.start(), offset + m.end(), m.group() * 2, "double")
        end = offset + len(word)
        if len(word) >= 4:
            if re.search(r"[AEIOUNR][TDSX]$", word):
                add(end - 1, end, "", "final")
            if re.search(r"[NR][TD]$", word):
                add(end - 1, end, "T" if word[-1] == "D" else "D", "final")
            if re.search(r"[AEO]U$", word):
                add(end, end, "X", "final")
            if re.search(r"[AO]N$", word):
                add(end, end, "T", "final")
            if re.search(r"[AO]I$", word):
                add(end, end, "S", "final")
    return [(new, rule) for new, rule in variants if new != name]


def phonetic_variant(name: str, rng: Random) -> tuple[str, str] | None:
    variants = phonetic_variants(name)
    return rng.choice(variants) if variants else None


def make_duplicate(identity: Any, rng: Random) -> tuple[Any, str]:
    """The traits of a one-typo duplicate of ``identity`` (as ``services.Traits``, not saved),
    and where the typo is: ``"birth name"`` (60 %), ``"first name"`` (20 %) or ``"birth date"``
    (20 %, one digit of DD/MM/YYYY mistyped)."""
    from identities.services import Traits

    birth_name, first_names, birth_date = (
        identity.birth_name,
        identity.birth_first_names or identity.first_name,
        identity.birth_date,
    )
    where = rng.random()
    if where < 0.6 and len(compact(birth_name)) >= 4:
        birth_name, _ = with_typos(birth_name, 1, rng)
        kind = "birth name"
    elif where < 0.8 and len(compact(identity.first_name)) >= 4:
        first, _ = with_typos(identity.first_name, 1, rng)
        first_names = " ".join([first, *first_names.split(" ")[1:]])
        kind = "first name"
    else:
        birth_date = _mistyped_date(birth_date, rng)
        kind = "birth date"
    traits = Traits(
        birth_name=birth_name,
        first_name=first_names,
        birth_date=birth_date,
        sex=identity.sex,
        birthplace_kind=identity.birthplace_kind,
        birthplace_code=identity.birthplace_code,
        used_name=identity.used_name,
    )
    return traits, kind


def _mistyped_date(date: datetime.date, rng: Random) -> datetime.date:
    digits = f"{date:%d%m%Y}"
    while True:
        index = rng.choice((0, 1, 2, 3, 6, 7))  # the century is rarely mistyped
        wrong = str((int(digits[index]) + rng.choice((-1, 1))) % 10)
        text = digits[:index] + wrong + digits[index + 1 :]
        try:
            candidate = datetime.date(int(text[4:]), int(text[2:4]), int(text[:2]))
        except ValueError:
            continue
        if candidate != date and candidate <= REFERENCE_DATE:
            return candidate
