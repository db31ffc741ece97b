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
