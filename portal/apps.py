from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Accounts and patient portal")

    def ready(self) -> None:
        from identities import services as identities
        from portal import services, uploads

        uploads.ensure_temp_dir()

        identities.identities_merged.connect(
            services.follow_merged_identity, dispatch_uid="portal.follow_merged_identity"
        )
