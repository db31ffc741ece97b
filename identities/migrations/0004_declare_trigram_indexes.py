"""The trigram indexes of 0003 enter the migration state; the database already has them.

On PostgreSQL 0003 created them; on SQLite they do not exist and ``TrigramIndex`` writes nothing
there. Declaring them lets ``makemigrations --check`` know them on both databases.
"""

import identities.models
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("identities", "0003_trigram_indexes")]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.AddIndex(
                    model_name="identity",
                    index=identities.models.TrigramIndex(
                        fields=["birth_name_key"], name="identity_bn_trgm"
                    ),
                ),
                migrations.AddIndex(
                    model_name="identity",
                    index=identities.models.TrigramIndex(
                        fields=["used_name_key"], name="identity_un_trgm"
                    ),
                ),
                migrations.AddIndex(
                    model_name="identity",
                    index=identities.models.TrigramIndex(
                        fields=["first_name_key"], name="identity_fn_trgm"
                    ),
                ),
            ],
        )
    ]
