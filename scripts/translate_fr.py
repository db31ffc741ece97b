"""Fill French translations from a dict: a developer helper for `make messages`, not run in CI.

Usage: .venv/bin/python scripts/translate_fr.py  (needs polib: pip install polib)
Lists the entries still untranslated or fuzzy after applying TRANSLATIONS.
"""

import polib

TRANSLATIONS: dict[str, str] = {}

if __name__ == "__main__":
    import json
    import sys

    if len(sys.argv) > 1:
        with open(sys.argv[1], encoding="utf-8") as source:
            TRANSLATIONS.update(json.load(source))
    catalogue = polib.pofile("locale/fr/LC_MESSAGES/django.po")
    for entry in catalogue:
        if entry.msgid in TRANSLATIONS:
            french = TRANSLATIONS[entry.msgid]
            if entry.msgid_plural:  # given as [singular, plural]
                entry.msgstr_plural = dict(enumerate(french))
            else:
                entry.msgstr = french
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
    catalogue.save()
    for entry in catalogue:
        if not (entry.msgstr or any(entry.msgstr_plural.values())) or entry.fuzzy:
            print(f"untranslated: {entry.msgid!r}")
