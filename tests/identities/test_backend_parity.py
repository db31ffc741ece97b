"""The search gives the same results on SQLite (embedded default) and PostgreSQL."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from identities.search import Criteria, search

ROOT = Path(__file__).resolve().parents[2]
QUERIES = [
    {"name": "teleconsultation"},
    {"name": "TELEKONSULTASION", "first_name": "bobi"},
    {"name": "bobby", "first_name": "teleconsultation"},
    {"name": "MART", "first_name": "c"},
    {"name": "martin lefevre", "first_name": "eloise"},
    {"name": "dupon", "first_name": "jean"},
    {"name": "moro", "first_name": "helene"},
    {"name": "t", "birth_date": "1989-08-24"},
    {"name": "le roy"},
]

# Builds the same directory as the `directory` fixture, then prints the results of QUERIES.
SCRIPT = """
import datetime, json, sys
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from identities.search import Criteria, search
from tests.identities.conftest import build_directory
build_directory()
out = []
for query in json.loads(sys.argv[1]):
    if "birth_date" in query:
        query["birth_date"] = datetime.date.fromisoformat(query["birth_date"])
    out.append([[i.birth_name, i.first_name, str(i.birth_date), m.score, m.exact]
                for i, m in search(Criteria(**query))])
print(json.dumps(out))
"""


def _results_here() -> list[list[list[object]]]:
    import datetime

    out = []
    for query in QUERIES:
        criteria = dict(query)
        if "birth_date" in criteria:
            criteria["birth_date"] = datetime.date.fromisoformat(criteria["birth_date"])
        out.append(
            [
                [i.birth_name, i.first_name, str(i.birth_date), m.score, m.exact]
                for i, m in search(Criteria(**criteria))
            ]
        )
    return out


def test_sqlite_and_postgresql_give_the_same_results(
    directory: dict[str, object], tmp_path: Path
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("compares PostgreSQL, which make test uses, with SQLite")
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'parity.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "portal.settings",
    }
    env.pop("REDIS_URL", None)
    env.pop("CACHE_REDIS_URL", None)
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, json.dumps(QUERIES)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    sqlite = json.loads(result.stdout.splitlines()[-1])
    postgresql = _results_here()
    assert all(postgresql), "every query finds someone"
    assert sqlite == postgresql
