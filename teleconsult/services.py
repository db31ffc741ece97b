"""Use cases of the teleconsultation: plan, reschedule, cancel, join, finalise, the agenda."""

import datetime
import io
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.exceptions import Refused
from accounts.models import User
from audit import services as audit
from documents import services as documents
from documents.models import Document, DocumentType, Professional
from notifications import services as notifications
from portal import services as portal
from portal.models import ActivationLink, Consent
from teleconsult.models import Teleconsultation

MAX_DURATION_MINUTES = 240
# The receipt's document type (see the data migration and the README): "to confirm" with the
# region, as DOMAIN.md asks for codes the CI-SIS value set does not settle.
RECEIPT_TYPE_CODE = "FACTURE-TLM"


class TeleconsultError(Refused):
    """A refused operation; the message is safe to show, beside ``field`` when it is set."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


# --- The video room ----------------------------------------------------------------------------


def room_url(teleconsultation: Teleconsultation) -> str:
    """Where the room is: the provider's URL, or the local stand-in's page."""
    if settings.TELECONSULT_VIDEO_STAND_IN:
        return settings.SITE_URL + reverse(
            "teleconsult:stand_in_room", args=[teleconsultation.room_name]
        )
    return settings.TELECONSULT_VIDEO_URL.replace("{room}", teleconsultation.room_name)


def video_api_script() -> str:
    """The IFrame API script of the provider ("" when it has none)."""
    if settings.TELECONSULT_VIDEO_STAND_IN:
        return static("js/jitsi_stand_in.js")
    return settings.TELECONSULT_VIDEO_API_SCRIPT


def join_url(teleconsultation: Teleconsultation) -> str:
    return settings.SITE_URL + reverse("teleconsult:join", args=[teleconsultation.join_token])


# --- Planning ----------------------------------------------------------------------------------


def _check_schedule(*, starts_at: datetime.datetime, duration_minutes: int) -> None:
    if starts_at <= timezone.now():
        raise TeleconsultError(_("Choose a date and time in the future."), field="date")
    if not 1 <= duration_minutes <= MAX_DURATION_MINUTES:
        raise TeleconsultError(
            _("The duration must be between 1 minute and 4 hours."), field="duration_minutes"
        )


def _recipient(value: str, *, normalise: Any, field: str, missing: str) -> str:
    if not value.strip():
        raise TeleconsultError(missing, field=field)
    try:
        return normalise(value)
    except notifications.InvalidRecipient as error:
        raise TeleconsultError(str(error), field=field) from None


@transaction.atomic
def plan_teleconsultation(
    *,
    identity: Any,
    clinician: User,
    starts_at: datetime.datetime,
    duration_minutes: int = 15,
    reason: str = "",
    invite_by_email: bool,
    invite_by_sms: bool,
    email: str = "",
    mobile: str = "",
    create_portal: bool = False,
    quality: str = "titulaire",
    consent_given: bool = False,
    ip: str | None = None,
) -> Teleconsultation:
    """Plan a teleconsultation, in one transaction with everything it brings.

    The teleconsultation, the patient's portal and consent when asked (its activation message
    is queued by ``create_portal``), and the invitations by email and/or SMS (date, time, the
    join link). Every message leaves only once the transaction commits.
    """
    _check_schedule(starts_at=starts_at, duration_minutes=duration_minutes)
    if not (invite_by_email or invite_by_sms):
        raise TeleconsultError(
            _("Choose how to invite the patient: by email, by SMS, or both."), field="invite"
        )
    need_email = invite_by_email or create_portal
    need_mobile = invite_by_sms or create_portal
    email = (
        _recipient(
            email,
            normalise=notifications.normalize_email,
            field="email",
            missing=_("Enter the patient's email address."),
        )
        if need_email
        else ""
    )
    mobile = (
        _recipient(
            mobile,
            normalise=notifications.normalize_mobile,
            field="mobile",
            missing=_("Enter the patient's mobile phone number."),
        )
        if need_mobile
        else ""
    )
    if create_portal:
        if not consent_given:
            raise TeleconsultError(
                _("You must inform the patient and obtain their consent first."), field="consent"
            )
        try:
            portal.create_portal(
                identity=identity,
                email=email,
                mobile=mobile,
                quality=quality,
                consent_given=True,
                consent_method=Consent.Method.TELECONSULTATION,
                by=clinician,
                ip=ip,
            )
        except portal.PortalError as error:
            raise TeleconsultError(str(error), field="create_portal") from None
        link = ActivationLink.objects.filter(user__email__iexact=email).order_by("-pk").first()
        activation_key = f"link:{link.pk}" if link is not None else ""
    else:
        activation_key = ""
    teleconsultation = Teleconsultation.objects.create(
        identity=identity,
        clinician=clinician,
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        reason=reason.strip()[:200],
        invite_email=email if invite_by_email else "",
        invite_mobile=mobile if invite_by_sms else "",
        activation_key=activation_key,
    )
    _tell_patient(teleconsultation, "teleconsultation_invitation")
    audit.record(
        action="teleconsultation.plan",
        actor=clinician,
        ip=ip,
        object_type="teleconsultation",
        object_id=teleconsultation.uuid,
        details={"identity": str(identity.uuid), "portal_created": create_portal},
    )
    return teleconsultation


def _tell_patient(teleconsultation: Teleconsultation, template: str) -> None:
    """Queue one message per channel the patient was invited by: no health data in it."""
    starts = timezone.localtime(teleconsultation.starts_at)
    context = {
        "date": starts.strftime("%d/%m/%Y"),
        "time": starts.strftime("%H:%M"),
        "duration": teleconsultation.duration_minutes,
        "clinician": teleconsultation.clinician.get_full_name(),
        "join_url": join_url(teleconsultation),
        "early": settings.TELECONSULT_JOIN_EARLY_MINUTES,
    }
    key = f"teleconsultation:{teleconsultation.pk}:{teleconsultation.revision}"
    if teleconsultation.invite_email:
        notifications.queue_email(
            purpose=template,
            object_key=key,
            to=teleconsultation.invite_email,
            template=template,
            context=context,
        )
    if teleconsultation.invite_mobile:
        notifications.queue_sms(
            purpose=template,
            object_key=key,
            to=teleconsultation.invite_mobile,
            template=template,
            context=context,
        )


_MESSAGE_LABELS = {
    "portal_activation": gettext_lazy("Activation of the portal"),
    "teleconsultation_invitation": gettext_lazy("Invitation"),
    "teleconsultation_rescheduled": gettext_lazy("New date"),
    "teleconsultation_cancelled": gettext_lazy("Cancellation"),
}


def sent_messages(teleconsultation: Teleconsultation) -> list[tuple[str, list[Any]]]:
    """Every message sent about this teleconsultation, in order, each kind with its label: the
    portal's activation (when it was created here), the invitation, each new date, the
    cancellation."""
    groups: list[tuple[str, str]] = []
    if teleconsultation.activation_key:
        groups.append(("portal_activation", teleconsultation.activation_key))
    key = f"teleconsultation:{teleconsultation.pk}"
    groups.append(("teleconsultation_invitation", f"{key}:0"))
    groups += [
        ("teleconsultation_rescheduled", f"{key}:{revision}")
        for revision in range(1, teleconsultation.revision + 1)
    ]
    groups.append(("teleconsultation_cancelled", f"{key}:{teleconsultation.revision}"))
    found = []
    for purpose, object_key in groups:
        sent = notifications.statuses_for(purpose=purpose, object_key=object_key)
        if sent:
            found.append((str(_MESSAGE_LABELS[purpose]), sent))
    return found


# --- Reschedule, cancel ------------------------------------------------------------------------


def _lock_planned(teleconsultation: Teleconsultation) -> Teleconsultation:
    row = Teleconsultation.objects.select_for_update().get(pk=teleconsultation.pk)
    if row.status == Teleconsultation.Status.CANCELLED:
        raise TeleconsultError(_("This teleconsultation was cancelled."))
    if row.status == Teleconsultation.Status.FINALISED:
        raise TeleconsultError(_("This teleconsultation is already finalised."))
    return row


@transaction.atomic
def reschedule_teleconsultation(
    *,
    teleconsultation: Teleconsultation,
    starts_at: datetime.datetime,
    duration_minutes: int,
    by: User,
    ip: str | None = None,
) -> Teleconsultation:
    """Move a planned teleconsultation; the patient is told by the channels of the invitation."""
    _check_schedule(starts_at=starts_at, duration_minutes=duration_minutes)
    row = _lock_planned(teleconsultation)
    row.starts_at = starts_at
    row.duration_minutes = duration_minutes
    row.revision += 1
    row.save(update_fields=["starts_at", "duration_minutes", "revision"])
    _tell_patient(row, "teleconsultation_rescheduled")
    audit.record(
        action="teleconsultation.reschedule",
        actor=by,
        ip=ip,
        object_type="teleconsultation",
        object_id=row.uuid,
    )
    return row


@transaction.atomic
def cancel_teleconsultation(
    *, teleconsultation: Teleconsultation, by: User, ip: str | None = None
) -> Teleconsultation:
    """Cancel a planned teleconsultation; the patient is told; the join link then says so."""
    row = _lock_planned(teleconsultation)
    row.status = Teleconsultation.Status.CANCELLED
    row.cancelled_at = timezone.now()
    row.save(update_fields=["status", "cancelled_at"])
    _tell_patient(row, "teleconsultation_cancelled")
    audit.record(
        action="teleconsultation.cancel",
        actor=by,
        ip=ip,
        object_type="teleconsultation",
        object_id=row.uuid,
    )
    return row


# --- Joining -----------------------------------------------------------------------------------


class JoinState:
    OPEN = "open"
    EARLY = "early"
    CLOSED = "closed"
    CANCELLED = "cancelled"


def get_by_join_token(token: str) -> Teleconsultation | None:
    return (
        Teleconsultation.objects.select_related("clinician").filter(join_token=token[:64]).first()
    )


def join_state(teleconsultation: Teleconsultation, *, now: datetime.datetime | None = None) -> str:
    """Whether the patient's link leads to the room now: from 15 minutes before the start
    until 30 minutes after the end (settings), never once cancelled."""
    now = now or timezone.now()
    if teleconsultation.status == Teleconsultation.Status.CANCELLED:
        return JoinState.CANCELLED
    if now < teleconsultation.opens_at:
        return JoinState.EARLY
    if now > teleconsultation.closes_at:
        return JoinState.CLOSED
    return JoinState.OPEN


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


# --- Reading -----------------------------------------------------------------------------------


def get_teleconsultation_for_clinician(*, user: User, pk: object) -> Teleconsultation | None:
    """The teleconsultation if this professional planned it; None for anyone else."""
    return (
        Teleconsultation.objects.of_clinician(user)
        .select_related("identity", "clinician", "dispatch")
        .filter(uuid=pk)
        .first()
    )


def _start_of_today() -> datetime.datetime:
    return timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)


@dataclass(frozen=True)
class Agenda:
    upcoming: list[Teleconsultation]
    to_finalise: list[Teleconsultation]
    finalised: list[Teleconsultation]


_AGENDA_FIELDS = (
    "uuid",
    "starts_at",
    "duration_minutes",
    "reason",
    "status",
    "finalised_at",
    "identity__birth_name",
    "identity__used_name",
    "identity__first_name",
    "identity__birth_date",
)


def agenda(*, user: User, limit: int = 50) -> Agenda:
    """ "Mes téléconsultations": today and upcoming, then the past ones to finalise, then the
    finalised ones; three queries whatever the number (each served by the clinician's index)."""
    mine = (
        Teleconsultation.objects.of_clinician(user).select_related("identity").only(*_AGENDA_FIELDS)
    )
    today = _start_of_today()
    planned = Q(status=Teleconsultation.Status.PLANNED)
    return Agenda(
        upcoming=list(
            mine.filter(planned, starts_at__gte=today).order_by("starts_at", "pk")[:limit]
        ),
        to_finalise=list(
            mine.filter(planned, starts_at__lt=today).order_by("-starts_at", "-pk")[:limit]
        ),
        finalised=list(
            mine.filter(status=Teleconsultation.Status.FINALISED).order_by("-starts_at", "-pk")[
                :limit
            ]
        ),
    )


def desk_summary(*, user: User) -> tuple[list[Teleconsultation], int]:
    """The desk card: the next three planned, and how many past ones wait to be finalised."""
    mine = Teleconsultation.objects.of_clinician(user)
    planned = mine.filter(status=Teleconsultation.Status.PLANNED)
    following = list(
        planned.filter(starts_at__gte=_start_of_today())
        .select_related("identity")
        .only(*_AGENDA_FIELDS)
        .order_by("starts_at", "pk")[:3]
    )
    return following, planned.filter(starts_at__lt=timezone.now()).count()
