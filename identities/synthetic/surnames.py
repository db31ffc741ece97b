"""Synthetic French surnames: the most frequent ones and a Zipf-like tail built from name parts."""

import bisect
import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from random import Random

from identities import geo
from identities.normalize import fold, normalize_name
from identities.synthetic.constants import TAIL_VOCABULARY_SIZE, TOP_SURNAMES_SHARE


def _words(text: str) -> list[str]:
    return text.split()


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
    rng = Random("surnames-v1")  # noqa: S311 (reproducible data, not a secret)  # nosec B311
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
