"""Realistic synthetic French identities, and the queries a clinician would type to find them.

Why: the directory search (``identities/search.py``) has to be measured at the size of a regional
directory, two million identities, on names that behave like the French population's (a few
very frequent names such as MARTIN, a very long tail of rare ones, married women found under a
used name, compound first names, people born abroad), and without a single real patient. The
Faker ``fr_FR`` lists are far too short for that (a few hundred surnames, so every name has
thousands of homonyms and the search would be measured on the wrong problem).

What is generated (proportions checked by ``tests/identities/test_synthetic.py``):

* **surnames**: about 8 % of people carry one of the ~230 most frequent surnames of France
  (Zipf-like: MARTIN about 0.4 %), the others a name of a long tail of 600,000 names built from
  French name parts (stems taken from commune names + the usual endings -ET, -OT, -IER, -AND,
  -EAU, -IN, -ON, -OUX..., prefixes LE, LA, DE, DU, DES, D', toponyms, Breton, Alsatian,
  Occitan, Italian, Iberian, Maghrebi, West African and Vietnamese names), also Zipf-like: in
  two million people, several hundred thousand distinct surnames, most of them borne by one or
  two people. Accents are kept where the name really has them (LEFÈVRE, GÉRARD); the stored form
  is the normalised one (``normalize_name``);
* **hyphenated surnames**: 6 % of birth names (``MARTIN-DUBOIS``);
* **used names**: 25 % of all identities have a used name different from their birth name, 96 %
  of them women (the spouse's name, or the spouse's and their own joined by a hyphen), almost
  none before 20 and most women from 35 on;
* **first names** by sex and generation of birth with realistic frequencies (Jeanne and Marcel
  before 1945, Nathalie and Stéphane around 1970, Léa and Lucas around 2000), about 300 per
  sex, compound ones (JEAN-PIERRE, MARIE-CLAIRE) and one to three birth first names;
* **birth dates** over 0 to 100 years, from the French age pyramid (baby boom, fewer men at old
  ages), relative to the fixed :data:`REFERENCE_DATE` (never today: the output must not change
  with the day it runs);
* **birthplaces**: 91.8 % a current French commune (INSEE code from :func:`geo.all_communes`,
  the large cities weighing more), 8 % abroad (INSEE country code, countries of birth of
  immigrants in France weighing more), 0.2 % unknown;
* no two identities with the same strict traits (the database refuses them among active
  identities): a draw that repeats one already made is dropped.

Deterministic: everything comes from ``random.Random`` instances seeded explicitly, sets are
never iterated unsorted, so one seed gives the same identities on every machine and every run.

The second half is the **query generator**: given a stored identity, the query a clinician would
type to find it, with one kind of error (:data:`VARIANTS`), and the ground truth (the identity's
primary key) to measure recall. :func:`make_duplicate` gives the traits of a one-typo duplicate.

A package, one module per topic (constants, surnames, population, queries); this module
exports what the loader, the tests and the benchmarks use.
"""

from identities.synthetic.constants import DEFAULT_SEED, EMAIL_DOMAIN, REFERENCE_DATE
from identities.synthetic.population import SyntheticIdentity, accented_spellings, generate
from identities.synthetic.queries import (
    NAME_AND_FIRST_NAME,
    PHONETIC_RULES,
    PREFIX,
    VARIANTS,
    WITH_BIRTH_DATE,
    Query,
    make_duplicate,
    make_prefix_query,
    make_query,
)
from identities.synthetic.surnames import surname_distribution

__all__ = [
    "DEFAULT_SEED",
    "EMAIL_DOMAIN",
    "NAME_AND_FIRST_NAME",
    "PHONETIC_RULES",
    "PREFIX",
    "REFERENCE_DATE",
    "VARIANTS",
    "WITH_BIRTH_DATE",
    "Query",
    "SyntheticIdentity",
    "accented_spellings",
    "generate",
    "make_duplicate",
    "make_prefix_query",
    "make_query",
    "surname_distribution",
]
