"""Use cases of the documents app: sending documents, reading them, the directory.

A package, one module per topic; this module exports what other apps may call.
"""

from documents.services.dispatch import (
    DispatchError,
    NewDocument,
    TokenMismatch,
    dispatch_documents,
    has_active_portal,
)
from documents.services.merge import follow_merged_identity
from documents.services.professionals import (
    register_organisation,
    register_professional,
    search_professionals,
)
from documents.services.reading import (
    get_document_for_user,
    open_document,
    portal_documents,
    portal_documents_section,
    portal_history_names,
)
from documents.services.received import ReceivedDocument, received_documents
from documents.services.scanning import release_held_dispatch, sweep_held_dispatches
from documents.services.sent import (
    DeliveryStatus,
    dispatch_recap,
    get_dispatch_for_user,
    has_sent_documents,
    sent_dispatches,
)

__all__ = [
    "DeliveryStatus",
    "DispatchError",
    "NewDocument",
    "ReceivedDocument",
    "TokenMismatch",
    "dispatch_documents",
    "dispatch_recap",
    "follow_merged_identity",
    "get_dispatch_for_user",
    "get_document_for_user",
    "has_active_portal",
    "has_sent_documents",
    "open_document",
    "portal_documents",
    "portal_documents_section",
    "portal_history_names",
    "received_documents",
    "register_organisation",
    "register_professional",
    "release_held_dispatch",
    "search_professionals",
    "sent_dispatches",
    "sweep_held_dispatches",
]
