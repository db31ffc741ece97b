"""The alerts of a sending that goes out: to the portal's holders, to each professional."""

from collections.abc import Iterable

from documents.models import Delivery
from notifications import services as notifications


def notify_recipients(deliveries: Iterable[Delivery]) -> None:
    """Queue the alerts of a sending that goes out; keyed per delivery, so never twice.

    An email to everyone holding the patient's portal, a notice without health data to each
    professional.
    """
    for delivery in deliveries:
        if delivery.portal is not None:
            for access in delivery.portal.accesses.filter(revoked_at__isnull=True).select_related(
                "user"
            ):
                notifications.queue_email(
                    purpose="document_available",
                    object_key=f"delivery:{delivery.pk}",
                    to=access.user.email,
                    template="document_available",
                    context={"portal_uuid": delivery.portal.uuid},
                )
            continue
        professional = delivery.professional
        if professional is None:  # a delivery goes to a portal or to a professional
            continue
        address = professional.email or professional.mssante_address
        if address:
            notifications.queue_email(
                purpose="document_received",
                object_key=f"delivery:{delivery.pk}",
                to=address,
                template="document_received",
            )
