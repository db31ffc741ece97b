"""Trigram GIN indexes for the admin's substring search, on PostgreSQL only."""

from django.db import migrations


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from identities.models import postgresql_indexes

    # pg_trgm is a trusted extension (PostgreSQL 13+): the database owner may create it.
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    identity = apps.get_model("identities", "Identity")
    for index in postgresql_indexes():
        schema_editor.add_index(identity, index)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from identities.models import postgresql_indexes

    identity = apps.get_model("identities", "Identity")
    for index in postgresql_indexes():
        schema_editor.remove_index(identity, index)


class Migration(migrations.Migration):
    dependencies = [("identities", "0002_anagram_keys")]

    operations = [migrations.RunPython(create, drop)]
