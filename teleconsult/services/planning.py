"""Planning a teleconsultation (portal, consent, invitations), moving and cancelling it, and
the messages sent about it."""

import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import services as accounts
from accounts.models import User
from audit import services as audit
from notifications import services as notifications
from portal import services as portal
from portal.models import ActivationLink, Consent
from teleconsult.models import Teleconsultation
from teleconsult.services.errors import MAX_DURATION_MINUTES, TeleconsultError
from teleconsult.services.video import join_url

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
    if invite_by_sms and not create_portal:  # create_portal counts its own SMS
        try:
            accounts.spend_sms_action(by=clinician)
        except accounts.SmsQuotaExceeded as error:
            raise TeleconsultError(str(error), field="invite") from None
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
