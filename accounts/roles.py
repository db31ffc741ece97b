"""The roles of the people who log in: one enum, used everywhere a role is checked."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    CLINICIAN = "clinician", _("Health professional")
    PATIENT = "patient", _("Patient")
    ADMIN = "admin", _("Administrator")


# Who may open the professionals' pages (admins too, to help them).
PROFESSIONAL_ROLES = (Role.CLINICIAN, Role.ADMIN)
