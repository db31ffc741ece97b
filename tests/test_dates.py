"""Dates and times read "30/11/2026 à 17:25" in French, wherever a page shows both."""

import re
from pathlib import Path

from django.utils import formats, timezone, translation

ROOT = Path(__file__).resolve().parents[1]


def test_the_french_date_and_time_format_says_a() -> None:
    moment = timezone.make_aware(timezone.datetime(2026, 11, 30, 17, 25))
    with translation.override("fr"):
        assert formats.date_format(moment, "DATETIME_FORMAT") == "30/11/2026 à 17:25"
    with translation.override("en"):
        assert formats.date_format(moment, "DATETIME_FORMAT") == "30/11/2026 at 17:25"


def test_no_template_or_view_writes_a_date_and_time_without_the_format() -> None:
    wrong = []
    for path in [*ROOT.glob("templates/**/*.html"), *ROOT.glob("*/views.py")]:
        text = path.read_text(encoding="utf-8")
        if re.search(r'd/m/Y H:i"|%d/%m/%Y %H:%M', text) and "dev_outbox" not in path.name:
            wrong.append(str(path.relative_to(ROOT)))
    assert wrong == []
