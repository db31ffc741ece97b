"""Normalisation of the names of the identity directory.

Names are stored in capitals without diacritics; hyphens, apostrophes and single spaces are kept.
The user may type accents and lower case; anything else (digits, symbols) is refused.
"""

import re
import unicodedata

from django.utils.translation import gettext_lazy as _

# Letters that Unicode does not decompose into a base letter and an accent.
_LIGATURES = str.maketrans(
    {"Œ": "OE", "œ": "OE", "Æ": "AE", "æ": "AE", "ß": "SS", "Ø": "O", "ø": "O"}
)
# Apostrophes and hyphens as word processors and phones type them.
_PUNCTUATION = str.maketrans(
    {
        "\u2019": "'",  # right single quotation mark
        "\u2018": "'",  # left single quotation mark
        "`": "'",
        "\u00b4": "'",  # acute accent
        "\u2010": "-",  # hyphen
        "\u2011": "-",  # non-breaking hyphen
        "\u2013": "-",  # en dash
    }
)
_ALLOWED = re.compile(r"[A-Z]+(?:[ '-][A-Z]+)*")


class InvalidName(ValueError):
    """The text cannot be a name; the message is safe to show to the user."""


def fold(value: str) -> str:
    """Capitals without diacritics, one space between words, hyphens and apostrophes unified.

    Unlike ``normalize_name`` it never refuses anything: it prepares search input.
    """
    text = value.translate(_LIGATURES).translate(_PUNCTUATION)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(char for char in text if not unicodedata.combining(char))
    text = " ".join(text.upper().split())
    text = re.sub(r" ?- ?", "-", text)
    return re.sub(r" ?' ?", "'", text)


def normalize_name(value: str) -> str:
    """Return the stored form of a name: ``"Jean-pierre  d'Été"`` gives ``"JEAN-PIERRE D'ETE"``."""
    text = fold(value)
    if not text:
        raise InvalidName(_("Enter a name."))
    if any(char.isdigit() for char in text):
        raise InvalidName(_("A name cannot contain digits."))
    if not _ALLOWED.fullmatch(text):
        raise InvalidName(_("A name may only contain letters, spaces, hyphens and apostrophes."))
    return text
