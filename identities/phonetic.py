"""Search keys of names: a compact form and a French phonetic key.

Both are computed in Python when an identity is saved and stored in indexed columns, so the
search finds the same candidates on SQLite and on PostgreSQL.

The phonetic key folds what French spelling writes in several ways for one sound (PH/F, EAU/O,
doubled letters, silent endings, C/K/QU, ...), so that ``PHILIPPE`` and ``FILIPE``, ``MOREAU``
and ``MORO``, ``DUPONT`` and ``DUPOND`` share a key. It is a recall tool: the ranking compares
the real names afterwards.
"""

import re
from functools import lru_cache

from identities.normalize import fold

# Ordered rewrite rules; each applies to the result of the previous ones.
_RULES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(pattern), replacement)
    for pattern, replacement in [
        # Foreign and learned spellings.
        (r"SCH", "CH"),
        (r"CHR", "KR"),
        (r"PH", "F"),
        (r"TH", "T"),
        (r"GH", "G"),
        (r"CK", "K"),
        (r"BV", "V"),
        (r"TION", "SION"),
        (r"NCOI", "NSOI"),
        (r"W", "V"),
        (r"Y", "I"),
        # Hard and soft C and G, QU.
        (r"QU", "K"),
        (r"Q", "K"),
        (r"C(?=[EI])", "S"),
        (r"CH", "X"),
        (r"C", "K"),
        (r"GU(?=[EI])", "G"),
        (r"GE(?=[AOU])", "J"),
        (r"G(?=[EI])", "J"),
        (r"GN", "NI"),
        # Vowel groups.
        (r"EAU", "O"),
        (r"AU", "O"),
        (r"OU", "U"),
        (r"OE", "E"),
        (r"[AE]I(?=[^N]|$)", "E"),
        # Nasal vowels before a consonant or at the end.
        (r"[AE][NM](?=[^AEIOUNM]|$)", "AN"),
        (r"[AE]?I[NM](?=[^AEIOUNM]|$)", "IN"),
        (r"U[NM](?=[^AEIOUNM]|$)", "IN"),
        (r"O[NM](?=[^AEIOUNM]|$)", "ON"),
        # Consonants that sound alike.
        (r"(?<=[AEIOU])S(?=[AEIOU])", "Z"),
        (r"Z", "S"),
        (r"KS", "X"),
        (r"H", ""),
    ]
]
# Letters French leaves silent at the end of a name: DUPONT, DUPONS, BERNARD, DEVAUX, DUPREZ.
_SILENT_ENDING = re.compile(r"(?<=.)(?:[DTSXZP]+|E[RTSZ]?)$")
_DOUBLED = re.compile(r"(.)\1+")


@lru_cache(maxsize=65_536)
def compact(name: str) -> str:
    """The letters of a name, without spaces, hyphens or apostrophes: ``JEAN-PIERRE`` gives
    ``JEANPIERRE``."""
    return "".join(char for char in fold(name) if "A" <= char <= "Z")


def anagram(name: str) -> str:
    """The letters of a name in alphabetical order: a swap of two letters keeps it."""
    return "".join(sorted(compact(name)))


@lru_cache(maxsize=65_536)
def phonetic(name: str) -> str:
    """French phonetic key of a name; names are keyed word by word and joined."""
    words = [compact(word) for word in re.split(r"[ '\-]+", fold(name))]
    return "".join(_phonetic_word(word) for word in words if word)


def _phonetic_word(word: str) -> str:
    key = _DOUBLED.sub(r"\1", word)
    for pattern, replacement in _RULES:
        key = pattern.sub(replacement, key)
    key = _SILENT_ENDING.sub("", key)
    key = _DOUBLED.sub(r"\1", key)
    return key or word[:1]
