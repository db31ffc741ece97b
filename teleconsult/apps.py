from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TeleconsultConfig(AppConfig):
    name = "teleconsult"
    verbose_name = _("Teleconsultation")
