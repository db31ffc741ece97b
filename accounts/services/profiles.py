"""Professional profiles: what identifies a clinician of this portal (RPPS, profession...)."""

from django.db.models import QuerySet

from accounts.models import ProfessionalProfile


def professional_profiles() -> QuerySet[ProfessionalProfile]:
    """Every professional profile, for an upper app to match its entries on RPPS (read only)."""
    return ProfessionalProfile.objects.order_by("pk")
