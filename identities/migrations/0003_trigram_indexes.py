"""Trigram GIN indexes for the admin's substring search, on PostgreSQL only.

Frozen: the indexes are written out here (they were computed by identities.models at the time),
so a later change to the models cannot change what this migration does. 0004 declares them in
the migration state.
"""

from django.contrib.postgres.indexes import GinIndex
from django.db import migrations


def _indexes():
    return [
        GinIndex(fields=[field], opclasses=["gin_trgm_ops"], name=f"identity_{short}_trgm")
        for field, short in (
            ("birth_name_key", "bn"),
            ("used_name_key", "un"),
            ("first_name_key", "fn"),
        )
    ]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # pg_trgm is a trusted extension (PostgreSQL 13+): the database owner may create it.
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    identity = apps.get_model("identities", "Identity")
    for index in _indexes():
        schema_editor.add_index(identity, index)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    identity = apps.get_model("identities", "Identity")
    for index in _indexes():
        schema_editor.remove_index(identity, index)


class Migration(migrations.Migration):
    dependencies = [("identities", "0002_anagram_keys")]

    operations = [migrations.RunPython(create, drop)]
