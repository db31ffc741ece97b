"""Health professions, coded as in the RPPS nomenclature (TRE_G15-ProfessionSante)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Profession(models.TextChoices):
    PHYSICIAN = "10", _("Physician")
    PHARMACIST = "21", _("Pharmacist")
    DENTIST = "40", _("Dental surgeon")
    MIDWIFE = "50", _("Midwife")
    NURSE = "60", _("Nurse")
    PHYSIOTHERAPIST = "70", _("Physiotherapist")
    PODIATRIST = "80", _("Podiatrist")
    SPEECH_THERAPIST = "91", _("Speech therapist")
    ORTHOPTIST = "92", _("Orthoptist")
    PSYCHOLOGIST = "93", _("Psychologist")


# The title written before a professional's name: "Dr" for physicians and dentists only.
TITLES = {Profession.PHYSICIAN: _("Dr"), Profession.DENTIST: _("Dr")}


def titled_name(user: object) -> str:
    """ "Dr Claire MARTIN", or "Sophie MARTIN" for a profession without a title."""
    name = user.get_full_name() or str(user)  # type: ignore[attr-defined]
    profile = getattr(user, "professional_profile", None)
    title = TITLES.get(profile.profession) if profile is not None else None
    return f"{title} {name}" if title else name
