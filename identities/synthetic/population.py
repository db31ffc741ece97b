"""Synthetic French identities: first names by generation, ages, birthplaces, used names."""

import bisect
import datetime
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from random import Random
from typing import Any

from identities import geo
from identities.normalize import normalize_name
from identities.synthetic.constants import (
    ABROAD,
    ABROAD_SHARE,
    DEFAULT_SEED,
    EMAIL_DOMAIN,
    FRANCE,
    HYPHENATED_SHARE,
    REFERENCE_DATE,
    UNKNOWN,
    UNKNOWN_BIRTHPLACE_CODE,
    UNKNOWN_BIRTHPLACE_SHARE,
)
from identities.synthetic.surnames import (
    REGIONAL_SURNAMES,
    TOP_SURNAMES,
    _Distribution,
    _spelling,
    surname_distribution,
)

# Generations of birth (first year of each) and, per sex, the most given first names of each,
# most frequent first (INSEE fichier des prénoms, rounded into generations).
GENERATIONS = (0, 1945, 1965, 1985, 2005)


# First names were fewer and more shared before: the most given one is about 8 % of the people
# born before 1945 (Jean, Marie), 2 % of those born since 2005 (Gabriel, Jade).
_FIRST_NAME_EXPONENTS = (0.6, 0.4, 0.38, 0.24, 0.14)


FEMALE_FIRST_NAMES = (
    """Marie Jeanne Simone Germaine Madeleine Suzanne Yvonne Marguerite Louise Denise Paulette
    Odette Hélène Renée Lucienne Marcelle Andrée Jacqueline Colette Geneviève Raymonde Georgette
    Monique Yvette Ginette Lucie Juliette Henriette Thérèse Berthe Alice Gisèle Mauricette
    Huguette Odile Fernande Solange Jeannine Cécile Paule Anne Élise Rolande Josette Micheline
    Léone Augustine Eugénie Marthe Marie-Louise Marie-Thérèse Antoinette Blanche""",
    """Monique Françoise Martine Nicole Catherine Christiane Danielle Sylvie Michèle Jacqueline
    Chantal Brigitte Annie Christine Nadine Josiane Évelyne Claudine Marie-Claude Dominique
    Maryse Joëlle Bernadette Élisabeth Anne-Marie Marie-France Marie-Thérèse Marie-Christine
    Marie-Claire Colette Régine Ghislaine Patricia Mireille Huguette Arlette Odile Geneviève
    Marie-Hélène Jocelyne Liliane Éliane Yvette Gisèle Marie Marie-Josée Marie-Paule Francine
    Gilberte Lucette Viviane""",
    """Nathalie Isabelle Sandrine Valérie Sylvie Stéphanie Christelle Céline Véronique Karine
    Laurence Virginie Catherine Corinne Sophie Patricia Florence Delphine Caroline Émilie
    Aurélie Séverine Hélène Carole Muriel Pascale Agnès Anne-Sophie Marie-Laure Frédérique
    Élodie Audrey Julie Cécile Estelle Magali Laetitia Myriam Béatrice Marie Anne Claire
    Mélanie Vanessa Nadia Samia Fatima Marie-Pierre Ludivine Peggy Sabrina Alexandra""",
    """Julie Camille Laura Marine Pauline Manon Léa Sarah Mathilde Marion Anaïs Émilie Élodie
    Charlotte Clémence Lucie Chloé Océane Justine Mélanie Amandine Morgane Audrey Claire Marie
    Aurélie Alexandra Margaux Inès Emma Clara Jessica Caroline Céline Émeline Mélissa Jade
    Laurie Alice Marina Maëlle Élise Juliette Cindy Ophélie Coralie Noémie Eva Léna Yasmine
    Manel Sonia Kelly Anne-Sophie Marie-Charlotte""",
    """Emma Jade Louise Alice Chloé Lina Léa Rose Anna Mila Ambre Julia Inès Mia Léna Juliette
    Manon Zoé Lou Camille Agathe Romy Iris Jeanne Sarah Éva Nina Lola Alba Léonie Louna Margaux
    Lucie Clara Adèle Victoria Charlotte Lana Capucine Margot Éloïse Lya Mathilde Romane Ava
    Maëlys Giulia Olivia Victoire Apolline Héloïse Thaïs Nour Assia Maryam Sofia Aya""",
)


MALE_FIRST_NAMES = (
    """Jean Pierre André Louis René Marcel Roger Georges Henri Robert Paul Maurice Raymond
    Jacques Lucien Joseph Fernand Roland Claude Guy Gilbert Gérard Michel Albert Émile Charles
    Bernard Léon Marius Gaston Francis Jules Eugène Raoul Édouard Félix Yves Armand Camille
    Étienne Gabriel Jean-Baptiste Auguste Victor Alfred Julien Clément Antoine Norbert""",
    """Michel Alain Jean-Pierre Gérard Daniel Bernard Patrick Jean-Claude Christian Jacques
    Philippe Jean Dominique Claude Pierre Jean-Luc Serge André Jean-Michel Jean-Marie Jean-Paul
    Gilles Jean-Louis Jean-François Guy Marc Yves Francis Didier Jean-Jacques René Robert Roland
    Hervé Bruno Joël Henri Thierry Jean-Marc Pascal Éric Georges Maurice Raymond Roger Jacky
    Rémy Gilbert Guy-Marie Jean-Noël Bernard-Marie Régis""",
    """Christophe Stéphane Laurent Frédéric Philippe David Éric Olivier Nicolas Thierry Pascal
    Sébastien Jérôme Patrick Franck Didier Pierre Emmanuel Vincent Bruno Cédric Fabrice
    Ludovic Jean-François Xavier Hervé Arnaud Gilles Sylvain Denis Marc Yannick Guillaume
    Mickaël Anthony Fabien Grégory Julien Damien Alexandre François Benoît Mohamed Karim Samir
    Jean-Marc Thomas Alain Raphaël Jean-Christophe Lionel Jean-Sébastien""",
    """Thomas Nicolas Julien Kévin Maxime Quentin Alexandre Romain Antoine Guillaume Anthony
    Florian Jérémy Mathieu Clément Sébastien Benjamin Pierre Vincent Lucas Hugo Alexis Valentin
    Jonathan Adrien Thibault Damien Mickaël Dylan Théo Baptiste Paul Louis Simon Arthur Mehdi
    Yanis Bastien Loïc Aurélien Jordan Cyril Rémi Axel Corentin Jason Enzo Nathan Benoît
    Pierre-Alexandre Jean-Baptiste""",
    """Gabriel Léo Raphaël Louis Arthur Jules Adam Maël Lucas Hugo Noah Liam Gabin Sacha Paul
    Nathan Aaron Mohamed Ethan Tom Éden Léon Noé Tiago Théo Isaac Marius Victor Ayden Martin
    Naël Mathis Nino Axel Timéo Enzo Évan Rayan Malo Antoine Noam Clément Baptiste Samuel
    Léandre Côme Augustin Ibrahim Youssef Milo Elio Valentin""",
)


@cache
def first_name_distributions() -> dict[tuple[str, int], _Distribution]:
    """``(sex, generation) -> distribution`` of stored first names: the generation's names
    (Zipf-like, exponents ``_FIRST_NAME_EXPONENTS``) plus, for 20 % of people, any name of that
    sex (the rarer first names, and the ones that come back)."""
    result = {}
    for sex, lists in (("F", FEMALE_FIRST_NAMES), ("M", MALE_FIRST_NAMES)):
        every = sorted({normalize_name(name) for names in lists for name in names.split()})
        for generation, names, exponent in zip(
            GENERATIONS, lists, _FIRST_NAME_EXPONENTS, strict=True
        ):
            ranked = list(dict.fromkeys(normalize_name(name) for name in names.split()))
            weights = [1 / rank**exponent for rank in range(1, len(ranked) + 1)]
            scale = 0.8 / sum(weights)
            pairs = {name: weight * scale for name, weight in zip(ranked, weights, strict=True)}
            for name in every:
                pairs[name] = pairs.get(name, 0.0) + 0.2 / len(every)
            result[sex, generation] = _Distribution.of(sorted(pairs.items()))
    return result


@cache
def accented_spellings() -> dict[str, str]:
    """Stored form -> spelling with accents, for the names that have some (``LEFEVRE`` ->
    ``LEFÈVRE``, ``ELOISE`` -> ``Éloïse``): what a careful human may type."""
    names = [_spelling(name) for name in [*TOP_SURNAMES, *REGIONAL_SURNAMES]]
    names += [name for names in (*FEMALE_FIRST_NAMES, *MALE_FIRST_NAMES) for name in names.split()]
    return {normalize_name(name): name for name in names if normalize_name(name) != name.upper()}


# France's age pyramid (thousands of people by 5-year band, INSEE 2024), with the share of
# women in each band; ages 100 and over are counted at 100.
# fmt: off
AGE_BANDS = (
    (0, 3550, 0.488), (5, 3900, 0.488), (10, 4150, 0.488), (15, 4200, 0.488), (20, 3900, 0.497),
    (25, 3750, 0.505), (30, 4050, 0.510), (35, 4300, 0.510), (40, 4200, 0.505), (45, 4350, 0.505),
    (50, 4450, 0.508), (55, 4400, 0.515), (60, 4150, 0.525), (65, 3900, 0.530), (70, 3700, 0.545),
    (75, 2900, 0.565), (80, 2000, 0.600), (85, 1300, 0.650), (90, 650, 0.720), (95, 180, 0.800),
)


# fmt: on
# Share of women with a used name by age (married, or once married, and using the name), and
# of men: ~25 % of all identities overall.
_WOMEN_USED_NAME = ((20, 0.0), (25, 0.12), (30, 0.45), (35, 0.62), (45, 0.72), (60, 0.78))


_MEN_USED_NAME = 0.015


# Large cities weigh more (births happen where the maternity wards are): INSEE code, weight
# (roughly the population in thousands). Paris, Lyon and Marseille by arrondissement.
# fmt: off
_LARGE_CITIES = (
    *[(f"751{n:02d}", 105) for n in range(1, 21)], *[(f"132{n:02d}", 54) for n in range(1, 17)],
    *[(f"6938{n}", 58) for n in range(1, 10)], ("31555", 500), ("06088", 340), ("44109", 320),
    ("34172", 300), ("67482", 290), ("33063", 260), ("59350", 235), ("35238", 225), ("51454", 180),
    ("83137", 180), ("42218", 175), ("76351", 166), ("38185", 158), ("21231", 160), ("49007", 157),
    ("30189", 150), ("69266", 155), ("63113", 147), ("72181", 145), ("13001", 145), ("29019", 140),
    ("37261", 137), ("80021", 134), ("87085", 130), ("74010", 130), ("66136", 120), ("92012", 120),
    ("57463", 120), ("25056", 120), ("45234", 117), ("93066", 113), ("97411", 153), ("76540", 114),
    ("95018", 110), ("68224", 108), ("93048", 110), ("14118", 108), ("54395", 105), ("59599", 98),
    ("59512", 99), ("92050", 96), ("94081", 95), ("84007", 92), ("94028", 92), ("86194", 90),
    ("97209", 76), ("64445", 77), ("26362", 65), ("64102", 52), ("17300", 77), ("62193", 67),
    ("97302", 63), ("2A004", 73), ("2B033", 48), ("73065", 60), ("97415", 105),
)


# fmt: on
LARGE_CITIES_SHARE = 0.35


# Countries of birth of people born abroad (INSEE code, weight); 15 % spread over the others.
# fmt: off
_COUNTRIES = (
    ("99352", 13), ("99350", 12), ("99139", 8), ("99351", 4.5), ("99127", 4), ("99134", 3),
    ("99208", 3), ("99132", 2), ("99341", 2), ("99335", 1.6), ("99326", 1.6), ("99322", 1.3),
    ("99324", 1.0), ("99312", 1.2), ("99216", 1.5), ("99243", 1.0), ("99234", 0.6), ("99241", 0.4),
    ("99114", 1.8), ("99122", 1.0), ("99131", 1.6), ("99109", 1.6), ("99410", 0.8), ("99397", 0.8),
    ("99333", 1.0), ("99140", 0.8), ("99123", 0.6), ("99155", 0.8), ("99416", 0.6), ("99404", 0.6),
    ("99223", 0.4), ("99235", 0.5), ("99206", 0.5), ("99212", 0.5), ("99330", 0.6), ("99336", 0.3),
    ("99205", 0.5),
)


# fmt: on
OTHER_COUNTRIES_SHARE = 0.15


@cache
def _commune_distribution() -> _Distribution:
    current = sorted(
        {
            commune.insee_code
            for commune in geo.all_communes()
            if commune.kind in ("commune-actuelle", "arrondissement-municipal")
        }
    )
    large = {code: weight for code, weight in _LARGE_CITIES if code in set(current)}
    large_total = sum(large.values())
    others = [code for code in current if code not in large]
    pairs = [(code, LARGE_CITIES_SHARE * weight / large_total) for code, weight in large.items()]
    pairs += [(code, (1 - LARGE_CITIES_SHARE) / len(others)) for code in others]
    return _Distribution.of(pairs)


@cache
def _country_distribution() -> _Distribution:
    codes = sorted({country.insee_code for country in geo.all_countries()})
    named = {code: weight for code, weight in _COUNTRIES if code in codes}
    total = sum(named.values())
    others = [code for code in codes if code not in named]
    pairs = [(code, (1 - OTHER_COUNTRIES_SHARE) * weight / total) for code, weight in named.items()]
    pairs += [(code, OTHER_COUNTRIES_SHARE / len(others)) for code in others]
    return _Distribution.of(pairs)


_AGE_DISTRIBUTION = _Distribution.of((str(start), weight) for start, weight, _ in AGE_BANDS)


_WOMEN_SHARE = {start: share for start, _, share in AGE_BANDS}


def _generation(year: int) -> int:
    return GENERATIONS[bisect.bisect(GENERATIONS, year) - 1]


def _women_used_name_share(age: int) -> float:
    share = 0.0
    for start, value in _WOMEN_USED_NAME:
        if age >= start:
            share = value
    return share


@dataclass(frozen=True, slots=True)
class SyntheticIdentity:
    """One generated person, names in their stored form (``normalize_name``)."""

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

    @property
    def strict_traits(self) -> tuple[str, str, datetime.date, str, str]:
        """What the unique constraint ``identities_unique_strict_traits`` compares."""
        return strict_traits(self)


def strict_traits(identity: Any) -> tuple[str, str, datetime.date, str, str]:
    return (
        identity.birth_name,
        identity.first_name,
        identity.birth_date,
        identity.sex,
        identity.birthplace_code,
    )


def generate(
    count: int,
    seed: int = DEFAULT_SEED,
    *,
    exclude: Iterable[tuple[str, str, datetime.date, str, str]] = (),
) -> Iterator[SyntheticIdentity]:
    """``count`` synthetic identities, always the same ones for a seed.

    No two share their strict traits, and none has the strict traits of ``exclude`` (the
    identities already in the database). The sequence is a stream: the first 1,000 of a run of
    2,000 are the 1,000 of a run of 1,000 (as long as ``exclude`` is the same).
    """
    rng = Random(seed)  # noqa: S311 (reproducible data, not a secret)  # nosec B311
    surnames = surname_distribution()
    first_names = first_name_distributions()
    communes, countries = _commune_distribution(), _country_distribution()
    seen = set(exclude)
    produced = 0
    reference = REFERENCE_DATE.toordinal()
    while produced < count:
        # Birth date and sex from the pyramid.
        band = int(_AGE_DISTRIBUTION.draw(rng))
        age = min(band + rng.randrange(5), 100)
        birth_date = datetime.date.fromordinal(reference - 1 - int((age + rng.random()) * 365.2425))
        sex = "F" if rng.random() < _WOMEN_SHARE[band] else "M"

        # Names.
        birth_name = _draw_surname(rng, surnames)
        if rng.random() < HYPHENATED_SHARE:
            birth_name = _hyphenate(birth_name, _draw_surname(rng, surnames, plain=True))
        used_name = _draw_used_name(rng, surnames, birth_name, sex, age)
        distribution = first_names[sex, _generation(birth_date.year)]
        count_first = 1 + (rng.random() < 0.65) + (rng.random() < 0.25 + 0.2 * (age >= 60))
        firsts: list[str] = []
        while len(firsts) < count_first:
            name = distribution.draw(rng)
            if name not in firsts:
                firsts.append(name)
        used_first_name = firsts[1] if len(firsts) > 1 and rng.random() < 0.03 else ""

        # Birthplace.
        where = rng.random()
        if where < ABROAD_SHARE:
            kind, code = ABROAD, countries.draw(rng)
        elif where < ABROAD_SHARE + UNKNOWN_BIRTHPLACE_SHARE:
            kind, code = UNKNOWN, UNKNOWN_BIRTHPLACE_CODE
        else:
            kind, code = FRANCE, communes.draw(rng)

        public_id = uuid.UUID(int=rng.getrandbits(128), version=4)
        key = (birth_name, firsts[0], birth_date, sex, code)
        if key in seen:
            continue  # a strict-trait twin: the database would refuse it
        seen.add(key)
        produced += 1
        yield SyntheticIdentity(
            uuid=public_id,
            birth_name=birth_name,
            used_name=used_name,
            first_name=firsts[0],
            birth_first_names=" ".join(firsts),
            used_first_name=used_first_name,
            birth_date=birth_date,
            sex=sex,
            birthplace_kind=kind,
            birthplace_code=code,
            email=f"{_email_part(firsts[0])}.{_email_part(used_name or birth_name)}"
            f".{produced}@{EMAIL_DOMAIN}",
        )


def _email_part(name: str) -> str:
    return name.replace(" ", "").replace("-", "").replace("'", "").lower()


def _draw_surname(rng: Random, surnames: _Distribution, *, plain: bool = False) -> str:
    name = surnames.draw(rng)
    while plain and not name.replace("'", "").isalpha():  # no particle inside a double name
        name = surnames.draw(rng)
    return name


def _hyphenate(first: str, second: str) -> str:
    return first if first == second else f"{first}-{second}"


def _draw_used_name(
    rng: Random, surnames: _Distribution, birth_name: str, sex: str, age: int
) -> str:
    share = _women_used_name_share(age) if sex == "F" else _MEN_USED_NAME * (age >= 25)
    if rng.random() >= share:
        return ""
    spouse = _draw_surname(rng, surnames)
    form = rng.random()
    if form < 0.80:
        used = spouse
    elif form < 0.95:
        used = _hyphenate(spouse, birth_name)
    else:
        used = _hyphenate(birth_name, spouse)
    return used if used != birth_name else ""
