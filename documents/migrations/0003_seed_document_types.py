"""The CI-SIS document types (value set JDV_J07-XdsTypeCode-CISIS) the guide's users pick from."""

from django.db import migrations

TYPES = [
    ("57833-6", "LOINC", "Ordonnance (prescription de produits de santé)"),
    ("57832-8", "LOINC", "Prescription de soins"),
    ("11488-4", "LOINC", "Compte rendu de consultation"),
    ("85208-7", "LOINC", "Compte rendu de télémédecine"),
    ("11490-0", "LOINC", "Lettre de liaison de sortie"),
    ("11502-2", "LOINC", "Compte rendu de biologie"),
    ("18748-4", "LOINC", "Compte rendu d'imagerie"),
    ("60591-5", "LOINC", "Synthèse médicale"),
    ("89601-9", "LOINC", "Certificat médical"),
    ("96349-6", "LOINC", "Lettre d'adressage"),
    ("PRESC-BIO", "CISIS", "Prescription de biologie"),
    ("PRESC-KINE", "CISIS", "Prescription de kinésithérapie"),
    ("PRESC-INF", "CISIS", "Prescription de soins infirmiers"),
    ("PRESC-AAT", "CISIS", "Prescription d'arrêt de travail"),
]


def seed(apps, schema_editor):
    DocumentType = apps.get_model("documents", "DocumentType")
    for position, (code, system, label) in enumerate(TYPES, start=1):
        DocumentType.objects.update_or_create(
            code=code, defaults={"code_system": system, "label": label, "position": position}
        )


class Migration(migrations.Migration):
    dependencies = [("documents", "0002_documents_and_dispatches")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
