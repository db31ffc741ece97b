"""The finalisation at hang-up: rating, comment, amount, the receipt and the sending."""

import datetime
import io
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import User
from audit import services as audit
from documents import services as documents
from documents.models import Document, DocumentType, Professional
from teleconsult.models import Teleconsultation
from teleconsult.services.errors import RECEIPT_TYPE_CODE, TeleconsultError

# --- Finalisation ------------------------------------------------------------------------------


def receipt_type() -> DocumentType:
    return DocumentType.objects.get(code=RECEIPT_TYPE_CODE)


def format_euros(amount: Decimal) -> str:
    """French amount: "25,00 €"."""
    return f"{amount:.2f}".replace(".", ",") + " €"


def receipt_number(teleconsultation: Teleconsultation) -> str:
    return f"TC-{timezone.localtime(teleconsultation.starts_at):%Y}-{teleconsultation.pk:07d}"


def render_receipt(
    *, teleconsultation: Teleconsultation, amount: Decimal, number: str, paid_at: datetime.datetime
) -> bytes:
    """The one-page receipt, in French, as PDF bytes (WeasyPrint)."""
    from weasyprint import HTML

    clinician = teleconsultation.clinician
    profile = getattr(clinician, "professional_profile", None)
    identity = teleconsultation.identity
    with translation.override("fr"):
        html = render_to_string(
            "teleconsult/receipt.html",
            {
                "number": number,
                "clinician": clinician.get_full_name(),
                "profile": profile,
                "patient": f"{identity.display_name} {identity.first_name.title()}",
                "birth_date": identity.birth_date.strftime("%d/%m/%Y"),
                "starts_at": timezone.localtime(teleconsultation.starts_at),
                "paid_at": timezone.localtime(paid_at),
                "amount": format_euros(amount),
                "PORTAL_NAME": settings.PORTAL_NAME,
            },
        )
    output = io.BytesIO()
    HTML(string=html).write_pdf(output)
    return output.getvalue()


@dataclass(frozen=True)
class Finalisation:
    rating: int
    comment: str
    amount: Decimal
    documents: list[documents.NewDocument]
    professionals: list[Professional]


def finalise_teleconsultation(
    *,
    teleconsultation: Teleconsultation,
    finalisation: Finalisation,
    by: User,
    token: str,
    ip: str | None = None,
) -> Teleconsultation:
    """Record the rating, comment and amount; send the documents (and the receipt) at once.

    One transaction, the teleconsultation's row locked: the documents, the receipt when the
    amount is above 0, the sending (``dispatch_documents``, source "téléconsultation") to the
    patient's portal and the correspondents, then the finalisation itself. Idempotent: the
    same form token returns the finalised row; another tab finds it finalised and is refused.
    """
    with transaction.atomic():
        row = (
            Teleconsultation.objects.select_for_update(of=("self",))
            .select_related("identity", "clinician__professional_profile")
            .get(pk=teleconsultation.pk)
        )
        if row.finalise_token == token:
            return row  # the same form, posted again: already done
        if row.status == Teleconsultation.Status.CANCELLED:
            raise TeleconsultError(
                _("This teleconsultation was cancelled: it cannot be finalised.")
            )
        if row.status == Teleconsultation.Status.FINALISED:
            raise TeleconsultError(_("This teleconsultation is already finalised."))
        now = timezone.now()
        to_send = list(finalisation.documents)
        has_portal = documents.has_active_portal(row.identity)
        number = None
        # The receipt is the patient's: without a portal it would reach only the correspondents.
        if finalisation.amount > 0 and has_portal:
            number = receipt_number(row)
            pdf = render_receipt(
                teleconsultation=row, amount=finalisation.amount, number=number, paid_at=now
            )
            to_send.append(
                documents.NewDocument(
                    name=_("Teleconsultation receipt %(number)s") % {"number": number},
                    document_type=receipt_type(),
                    upload=SimpleUploadedFile(
                        f"recu-{number}.pdf", pdf, content_type="application/pdf"
                    ),
                    # A payment is the patient's business, not the correspondents'.
                    patient_only=True,
                )
            )
        dispatch = None
        if finalisation.professionals and not to_send:
            raise TeleconsultError(
                _("Add a document to send to the correspondents."), field="documents"
            )
        if to_send:
            if not has_portal and not finalisation.professionals:
                raise TeleconsultError(
                    _(
                        "This patient has no portal to receive the documents: add a "
                        "correspondent, or create the patient's portal first."
                    ),
                    field="documents",
                )
            try:
                dispatch = documents.dispatch_documents(
                    identity=row.identity,
                    documents=to_send,
                    sender=by,
                    copy_to_patient=has_portal,
                    professionals=finalisation.professionals,
                    source=Document.Source.TELECONSULTATION,
                    token=token,
                    ip=ip,
                )
            except documents.DispatchError as error:
                raise TeleconsultError(str(error), field="documents") from None
        row.status = Teleconsultation.Status.FINALISED
        row.finalised_at = now
        row.rating = finalisation.rating
        row.comment = finalisation.comment.strip()
        row.amount = finalisation.amount
        row.finalise_token = token
        row.dispatch = dispatch
        row.receipt_number = number
        row.save(
            update_fields=[
                "status",
                "finalised_at",
                "rating",
                "comment",
                "amount",
                "finalise_token",
                "dispatch",
                "receipt_number",
            ]
        )
        audit.record(
            action="teleconsultation.finalise",
            actor=by,
            ip=ip,
            object_type="teleconsultation",
            object_id=row.uuid,
            details={"documents": len(to_send), "professionals": len(finalisation.professionals)},
        )
    return row


def default_amount(user: User) -> Decimal:
    profile = getattr(user, "professional_profile", None)
    return profile.default_amount if profile is not None else Decimal("0.00")
