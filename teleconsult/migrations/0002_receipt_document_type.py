"""The document type of the teleconsultation receipt.

The CI-SIS value set JDV_J07-XdsTypeCode-CISIS has no code for a payment receipt; until the
region settles one, the receipt uses this local code (code system "CISIS", like the
PRESC-* codes), inactive so that nobody picks it for another document. See the README.
"""

from django.db import migrations

CODE = "FACTURE-TLM"


def seed(apps, schema_editor):
    DocumentType = apps.get_model("documents", "DocumentType")
    DocumentType.objects.update_or_create(
        code=CODE,
        defaults={
            "code_system": "CISIS",
            "label": "Reçu de paiement de téléconsultation",
            "position": 900,
            "is_active": False,
        },
    )


class Migration(migrations.Migration):
    dependencies = [
        ("teleconsult", "0001_initial"),
        ("documents", "0003_seed_document_types"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
