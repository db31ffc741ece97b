"""French typography: a non-breaking space before « : ; ? ! » in every French string and template
(SMS excepted: GSM-7 has no non-breaking space), and « : » never glued to the word before it."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# A colon, semicolon, question or exclamation mark ending a phrase (not "17:25" nor "https://").
BAD = re.compile(r"(?:[^\u00a0\u202f\s]|(?<=\S) )[:;?!](?=\s|$|<|\")")


def _french_entries() -> list[tuple[str, str]]:
    text = (ROOT / "locale/fr/LC_MESSAGES/django.po").read_text(encoding="utf-8")
    entries = []
    for block in text.split("\n\n"):
        if "_sms.txt" in block and "#: templates/notifications/" in block.split("msgid")[0]:
            locations = re.findall(r"#: (.*)", block)
            if all("_sms.txt" in part for line in locations for part in line.split()):
                continue
        msgid = "".join(re.findall(r'^msgid "(.*)"', block, re.M))
        for msgstr in re.findall(r'^msgstr(?:\[\d\])? ((?:".*"\n?)+)', block, re.M):
            value = "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', msgstr))
            if value and msgid:
                entries.append((msgid, value))
    return entries


def test_french_strings_put_a_non_breaking_space_before_double_punctuation() -> None:
    wrong = [value for _msgid, value in _french_entries() if BAD.search(value)]
    assert wrong == []


def test_french_templates_put_a_non_breaking_space_before_double_punctuation() -> None:
    wrong = []
    for path in (ROOT / "templates").rglob("*.html"):
        if "notifications" in path.parts:
            continue
        source = path.read_text(encoding="utf-8")
        # English to translate is checked in the catalogue; the rest is written as shown.
        source = re.sub(r"\{% blocktranslate.*?endblocktranslate %\}", "x", source, flags=re.S)
        source = re.sub(r"\{[%{].*?[%}]\}", "x", source)
        source = re.sub(r"<(script|style)\b.*?</\1>", "", source, flags=re.S)
        for number, line in enumerate(source.splitlines(), 1):
            for text in re.findall(r">([^<>]*)<", line):
                if BAD.search(text):
                    wrong.append(f"{path.relative_to(ROOT)}:{number}: {text.strip()}")
    assert wrong == []
