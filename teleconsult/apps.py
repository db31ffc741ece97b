from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TeleconsultConfig(AppConfig):
    name = "teleconsult"
    verbose_name = _("Teleconsultation")

    def ready(self) -> None:
        from portal import services as portal
        from teleconsult import services

        portal.register_care_relationship(services.has_teleconsultation_with)
