"""The migration state knows every index, on SQLite as on PostgreSQL (scripts/test checks the
latter): the PostgreSQL-only trigram indexes are declared, and nothing is left to generate."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from identities.models import Identity, TrigramIndex

ROOT = Path(__file__).resolve().parents[2]
SERVICE_VARIABLES = {"DATABASE_URL", "REDIS_URL", "DJANGO_ENV", "DJANGO_SETTINGS_MODULE", "VAR_DIR"}


def test_makemigrations_finds_nothing_to_do_on_sqlite(tmp_path: Path) -> None:
    env = {key: value for key, value in os.environ.items() if key not in SERVICE_VARIABLES}
    env["VAR_DIR"] = str(tmp_path)
    result = subprocess.run(
        [sys.executable, "manage.py", "makemigrations", "--check", "--dry-run"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No changes detected" in result.stdout


def test_the_trigram_indexes_are_in_the_model_state() -> None:
    names = {index.name for index in Identity._meta.indexes if isinstance(index, TrigramIndex)}
    assert names == {"identity_bn_trgm", "identity_un_trgm", "identity_fn_trgm"}


@pytest.mark.django_db
def test_the_trigram_indexes_exist_in_postgresql() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the trigram indexes exist on PostgreSQL only")
    with connection.cursor() as cursor:
        indexes = connection.introspection.get_constraints(cursor, Identity._meta.db_table)
    assert {"identity_bn_trgm", "identity_un_trgm", "identity_fn_trgm"} <= set(indexes)
    assert indexes["identity_bn_trgm"]["type"] == "gin"
