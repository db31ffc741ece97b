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
"""

import bisect
import datetime
import itertools
import re
import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from random import Random
from typing import Any

from identities import geo
from identities.normalize import fold, normalize_name
from identities.phonetic import compact

DEFAULT_SEED = 2026
# Ages are counted from this date, so the output does not depend on the day it is generated.
REFERENCE_DATE = datetime.date(2026, 1, 1)
# Synthetic rows are told apart from real ones by this e-mail domain (``.test`` is reserved).
EMAIL_DOMAIN = "synthetique.test"

HYPHENATED_SHARE = 0.06
ABROAD_SHARE = 0.08
UNKNOWN_BIRTHPLACE_SHARE = 0.002
TOP_SURNAMES_SHARE = 0.08
TAIL_VOCABULARY_SIZE = 600_000
FRANCE, ABROAD, UNKNOWN = "france", "abroad", "unknown"  # Identity.BirthplaceKind values
UNKNOWN_BIRTHPLACE_CODE = "99999"


def _words(text: str) -> list[str]:
    return text.split()


# --- Surnames ----------------------------------------------------------------------------------

# The most frequent surnames of France, most frequent first (INSEE births 1891-2000 and the
# naming of recent decades), spelt as they are, accents included.
TOP_SURNAMES = _words(
    """
MARTIN BERNARD THOMAS PETIT ROBERT RICHARD DURAND DUBOIS MOREAU LAURENT SIMON MICHEL LEFEBVRE
LEROY ROUX DAVID BERTRAND MOREL FOURNIER GIRARD BONNET DUPONT LAMBERT FONTAINE ROUSSEAU VINCENT
MULLER LEFÈVRE FAURE ANDRÉ MERCIER BLANC GUÉRIN BOYER GARNIER CHEVALIER FRANÇOIS LEGRAND
GAUTHIER GARCIA PERRIN ROBIN CLÉMENT MORIN NICOLAS HENRY ROUSSEL MATHIEU GAUTIER MASSON MARCHAND
DUVAL DENIS DUMONT MARIE LEMAIRE NOËL MEYER DUFOUR MEUNIER BRUN BLANCHARD GIRAUD JOLY RIVIÈRE
LUCAS BRUNET GAILLARD BARBIER ARNAUD MARTINEZ GÉRARD ROCHE RENARD SCHMITT ROY LEROUX COLIN VIDAL
CARON PICARD ROGER FABRE AUBERT LEMOINE RENAUD DUMAS LACROIX OLIVIER PHILIPPE BOURGEOIS PIERRE
BENOÎT REY LECLERC PAYET ROLLAND LECLERCQ GUILLAUME LECOMTE LOPEZ JEAN DUPUY GUILLOT HUBERT
BERGER CARPENTIER SANCHEZ DUPUIS MOULIN LOUIS DESCHAMPS HUET VASSEUR PEREZ BOUCHER FLEURY ROYER
KLEIN JACQUET ADAM PARIS POIRIER MARTY AUBRY GUYOT CARRÉ CHARLES RENAULT CHARPENTIER MÉNARD
MAILLARD BARON BERTIN BAILLY HERVÉ SCHNEIDER FERNANDEZ LE_GALL COLLET LÉGER BOUVIER JULIEN
PRÉVOST MILLET PERROT DANIEL LE_ROUX COUSIN GERMAIN BRETON BESSON LANGLOIS RÉMY LE_GOFF
PELLETIER LÉVÊQUE PERRIER LEBLANC BARRÉ LEBRUN MARCHAL WEBER MALLET HAMON BOULANGER JACOB
MONNIER MICHAUD RODRIGUEZ GUICHARD GILLET ÉTIENNE GRONDIN POULAIN TESSIER CHEVALLIER COLLIN
CHAUVIN DA_SILVA BOUCHET GAY LEMAÎTRE BÉNARD MARÉCHAL HUMBERT REYNAUD ANTOINE HOARAU PERRET
BARTHÉLEMY CORDIER PICHON LEJEUNE GILBERT LAMY DELAUNAY PASQUIER CARLIER LAPORTE NGUYEN DIALLO
DOS_SANTOS PEREIRA FERREIRA RODRIGUES GONZALEZ TRAORÉ COULIBALY BENARD BOUVET BRUNEAU CHARRIER
DELMAS FOUCHER GUIBERT JOUBERT LEBON NAUDIN PINEAU RAYNAUD TANGUY VERDIER
"""
)

# Surnames of the families of France that the parts below do not build; they join the head of
# the long tail.
REGIONAL_SURNAMES = _words(
    """
LE_BIHAN LE_CORRE KERMARREC LE_BRIS LE_GUEN QUÉRÉ KERVELLA LE_MEUR JÉZÉQUEL CALVEZ LE_DANTEC
LE_FLOCH GUÉGUEN MADEC TANGUY LE_PAPE LE_GAL CORNEC PRIGENT LE_BORGNE HOFFMANN SCHMIDT FISCHER
WAGNER BECKER SCHWARTZ ZIMMERMANN KOEHLER BAUER KELLER HERRMANN STEIN HUBER WOLFF FRITSCH
SCHAEFFER KLEIN WALTER HAAS ETCHEVERRY ETCHEGARAY IRIGOYEN HARISPE ELISSALDE SANTONI LUCCHESI
CASANOVA ALBERTINI PAOLI ROSSI RUSSO ESPOSITO BIANCHI ROMANO COLOMBO RICCI MARINO GRECO BRUNO
GALLO CONTI DE_LUCA COSTA GIORDANO MANCINI RIZZO LOMBARDI MORETTI DA_COSTA ALVES MARTINS GOMES
LOPES SOARES FERNANDES OLIVEIRA RIBEIRO CARVALHO TEIXEIRA MOREIRA DE_SOUSA MENDES GONÇALVES
JIMENEZ MORENO MUÑOZ ALVAREZ ROMERO NAVARRO DOMINGUEZ RUIZ DIAZ HERNANDEZ TORRES RAMIREZ BENALI
BENSAÏD BOUZID CHERIF HADDAD MANSOURI BELKACEM AMRANI BENABDALLAH BOUAZIZ HAMIDI MEZIANE SAÏDI
TAHRI BOUALEM CHAOUI BENAMAR KHELIFI ZERROUKI BELHADJ BOUDJEMA LAHLOU EL_AMRANI BENMOUSSA OUALI
AÏT_AHMED DIOP NDIAYE SYLLA SOW BA KEITA DIARRA CISSÉ TOURÉ FOFANA CAMARA KONÉ SANGARÉ DIAKITÉ
BAMBA KOUASSI MBAYE FALL GUEYE SARR TRAN LE PHAM HUYNH HOANG PHAN VU VO DANG BUI DO HO NGO DUONG
LY TRUONG LAM CHEN WANG LI ZHANG LIU YILMAZ KAYA DEMIR ŞAHIN ÇELIK ÖZTÜRK KOWALSKI NOWAK
WIŚNIEWSKI POPESCU IONESCU D'ALMEIDA D'ARTOIS DE_LA_FONTAINE DE_OLIVEIRA DE_ALMEIDA
"""
)

# Stems come from the names of communes (most French surnames are places or trades), cut at a
# syllable boundary: CHABEUIL gives CHAB-, which gives CHABOT, CHABERT, CHABANNE...
# fmt: off
_SURNAME_ENDINGS = [
    ("ET", 10), ("OT", 8), ("IER", 9), ("AND", 5), ("ARD", 7), ("EAU", 7), ("IN", 8), ("ON", 8),
    ("OUX", 3), ("AUD", 5), ("AULT", 3), ("ERT", 4), ("OIS", 3), ("ERON", 2), ("ELIN", 2),
    ("ILLON", 2), ("ONNET", 2), ("ICHON", 2), ("AT", 4), ("AC", 4), ("AN", 3), ("EL", 5),
    ("ER", 3), ("EY", 2), ("AIS", 2), ("EUX", 2), ("OUD", 2), ("ELET", 2), ("IOT", 2), ("AUX", 3),
    ("ES", 2), ("Y", 3), ("IE", 2), ("ERE", 1), ("ERIE", 1), ("EREAU", 1), ("ELLE", 1),
    ("ETTE", 1), ("ANT", 2), ("IAL", 1), ("OUX", 1), ("ENNE", 1), ("ASSE", 1), ("IAUD", 1),
]
# fmt: on
# Particles, joined or not: LEBRUN and LE BRUN both exist.
_PREFIXES = ["LE", "LE ", "LA", "DE", "DE ", "DU", "DU ", "DES", "DELA", "DE LA ", "D'"]
_BRETON_ROOTS = _words(
    """
GALL GOFF BIHAN CORRE BRIS GUEN MEUR FLOCH GAL PAPE BORGNE BRAS HIR DU GUILLOU ROUX QUERE BERRE
GOASGUEN DANTEC MOAL NAOUR FUR BOT COZ
"""
)
_GERMANIC_ROOTS = _words(
    """
SCHNEID SCHMIDT FISCH WAGN BECK HOFF KELL WALT HAAS WEB STEIN KRUG ZIMM KLEIN FRITZ BAUM HERR
WOLF MAY KUHN LEHM SCHUL RITT GRUB
"""
)
_GERMANIC_ENDINGS = ["ER", "MANN", "EL", "LER", "INGER", "BACH", "HARDT", "MEYER", "ERT", "LIN"]
_ITALIAN_ROOTS = _words(
    """
ROSS BIANC FERR ROM COLOMB RICC MARIN GREC BRUN GALL CONT COST GIORD MANC RIZZ LOMBARD MOR
BERTOL SANT PAOL LUCCH CASAN ALBERT BATTIST
"""
)
_ITALIAN_ENDINGS = ["INI", "ELLI", "ETTI", "ONI", "ATO", "ANO", "ESE", "I", "O", "UCCI", "OTTI"]
_IBERIAN_ROOTS = _words(
    """
FERNAND GONZAL RODRIGU SANCH MARTIN LOP PER GOM ALVAR JIMEN DOMINGU HERNAND RAMIR NAVARR
"""
)
_IBERIAN_ENDINGS = ["EZ", "ES", "EIRA", "ADO", "ERO", "INHO"]

_STEM_STOP_WORDS = {
    "SAINT",
    "SAINTE",
    "SAINTS",
    "SUR",
    "SOUS",
    "LES",
    "AUX",
    "LEZ",
    "ARRONDISSEMENT",
}
_VOWELS = frozenset("AEIOUY")


@dataclass(frozen=True)
class _Distribution:
    """Values with weights; ``draw`` is a bisection on the cumulated weights."""

    values: tuple[str, ...]
    cumulated: tuple[float, ...]

    @classmethod
    def of(cls, pairs: Iterable[tuple[str, float]]) -> "_Distribution":
        values, weights = zip(*pairs, strict=True)
        return cls(tuple(values), tuple(itertools.accumulate(weights)))

    def draw(self, rng: Random) -> str:
        return self.values[bisect.bisect(self.cumulated, rng.random() * self.cumulated[-1])]

    def __len__(self) -> int:
        return len(self.values)


def _spelling(name: str) -> str:
    return name.replace("_", " ")


@cache
def _stems() -> tuple[str, ...]:
    """Syllable-cut stems of commune names: 3 to 5 letters, ending with a consonant."""
    stems: set[str] = set()
    for commune in geo.all_communes():
        for word in re.findall(r"[A-Z]+", fold(commune.name)):
            if len(word) < 4 or word in _STEM_STOP_WORDS:
                continue
            for cut in range(3, min(5, len(word) - 1) + 1):
                stem, following = word[:cut], word[cut]
                if (
                    stem[-1] not in _VOWELS | {"Q"}
                    and following in _VOWELS
                    and _VOWELS & set(stem)
                    and stem[0] != stem[1]
                ):
                    stems.add(stem)
    return tuple(sorted(stems))


@cache
def _toponyms() -> tuple[str, ...]:
    """One-word commune names short enough to be surnames (ABANCOURT, BEAUMONT, CHABEUIL)."""
    names = {
        word
        for commune in geo.all_communes()
        if commune.kind == "commune-actuelle"
        for word in [fold(commune.name)]
        if word.isalpha() and 4 <= len(word) <= 10
    }
    return tuple(sorted(names))


def _tail_name(rng: Random, stems: Sequence[str], endings: _Distribution) -> str:
    """One name of the long tail, from one of the families of French surnames."""
    family = rng.random()
    if family < 0.70:  # stem + ending: CHABOT, GRIGNET, AUDELIN
        return rng.choice(stems) + endings.draw(rng)
    if family < 0.82:  # with a particle: LEGRIGNET, DU CHABOT, D'AUDELIN
        prefix = rng.choice(_PREFIXES)
        name = rng.choice(stems) + endings.draw(rng)
        if prefix == "D'" and name[0] not in _VOWELS:
            prefix = "DE "
        return prefix + name
    if family < 0.89:  # a place: BEAUMONT, DE BEAUMONT
        place = rng.choice(_toponyms())
        return place if rng.random() < 0.8 else ("D'" if place[0] in _VOWELS else "DE ") + place
    if family < 0.92:
        root = rng.choice(_BRETON_ROOTS)
        return ("LE " + root) if rng.random() < 0.6 else "KER" + rng.choice(stems)
    if family < 0.95:
        return rng.choice(_GERMANIC_ROOTS) + rng.choice(_GERMANIC_ENDINGS)
    if family < 0.975:
        return rng.choice(_ITALIAN_ROOTS) + rng.choice(_ITALIAN_ENDINGS)
    return rng.choice(_IBERIAN_ROOTS) + rng.choice(_IBERIAN_ENDINGS)


@cache
def surname_distribution() -> _Distribution:
    """Every surname (stored form) with its weight: the head list, then a Zipf-like long tail.

    The vocabulary does not depend on the seed (it is the "population's" names; the seed picks
    people): it is built once per process from a fixed seed.
    """
    rng = Random("surnames-v1")  # noqa: S311  (reproducible data, not a secret)
    head = list(dict.fromkeys(normalize_name(_spelling(name)) for name in TOP_SURNAMES))
    # Zipf with a small exponent: MARTIN about 0.4 %, the 230th about 0.016 % of people.
    head_weights = [1 / rank**0.6 for rank in range(1, len(head) + 1)]
    scale = TOP_SURNAMES_SHARE / sum(head_weights)
    pairs = [(name, weight * scale) for name, weight in zip(head, head_weights, strict=True)]

    seen = set(head)
    tail: list[str] = []
    regional = [normalize_name(_spelling(name)) for name in REGIONAL_SURNAMES]
    stems, endings = _stems(), _Distribution.of(_SURNAME_ENDINGS)
    while len(tail) < TAIL_VOCABULARY_SIZE:
        if regional and len(tail) % 17 == 0:  # spread over the head of the tail
            name = regional.pop(0)
        else:
            name = _tail_name(rng, stems, endings)
        if name not in seen:  # the parts are in the stored form already
            seen.add(name)
            tail.append(name)
    # Zipf with an offset: the first tail names as frequent as the last head ones (about
    # 0.014 %), the last ones borne by one person in two million or fewer.
    tail_weights = [1 / (rank + 700) for rank in range(1, len(tail) + 1)]
    scale = (1 - TOP_SURNAMES_SHARE) / sum(tail_weights)
    pairs += [(name, weight * scale) for name, weight in zip(tail, tail_weights, strict=True)]
    return _Distribution.of(pairs)


# --- First names -------------------------------------------------------------------------------

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


# --- Birth dates, sexes and birthplaces ---------------------------------------------------------

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


# --- Identities --------------------------------------------------------------------------------


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
    rng = Random(seed)  # noqa: S311  (reproducible data, not a secret)
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


# --- Queries -------------------------------------------------------------------------------------

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
