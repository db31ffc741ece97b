from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "documents"
    verbose_name = _("Documents and professionals directory")

    def ready(self) -> None:
        from documents import services
        from identities import services as identities
        from portal import services as portal

        portal.register_portal_section(services.portal_documents_section)
        portal.register_care_relationship(services.has_sent_documents)
        portal.register_history_names(services.portal_history_names)
        identities.identities_merged.connect(
            services.follow_merged_identity, dispatch_uid="documents.follow_merged_identity"
        )
