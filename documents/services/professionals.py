"""The professionals directory as the other use cases see it: registering and searching entries."""

from django.db import transaction

from documents import directory
from documents.models import Organisation, Professional


@transaction.atomic
def register_professional(*, rpps: str, **fields: object) -> Professional:
    """Add or update a directory entry, keyed by its RPPS number."""
    professional = Professional.objects.filter(rpps=rpps).first() or Professional(rpps=rpps)
    for name, value in fields.items():
        setattr(professional, name, value)
    professional.full_clean()
    professional.save()
    return professional


@transaction.atomic
def register_organisation(*, finess: str, **fields: object) -> Organisation:
    """Add or update an organisation, keyed by its FINESS number."""
    organisation = Organisation.objects.filter(finess=finess).first() or Organisation(finess=finess)
    for name, value in fields.items():
        setattr(organisation, name, value)
    organisation.full_clean()
    organisation.save()
    return organisation


def search_professionals(query: str) -> list[Professional]:
    """Active directory entries for the "Ajouter des correspondants" picker."""
    return directory.search_professionals(query)
