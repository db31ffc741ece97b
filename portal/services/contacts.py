"""Changes of a patient's contact details: by the patient (with a code), or a lost phone."""

from typing import Any

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.exceptions import NotFound
from audit import services as audit
from notifications import services as notifications
from portal.models import CodeChallenge, PortalAccount, PortalChange, User
from portal.services.care import has_care_relationship
from portal.services.challenges import _new_challenge
from portal.services.recipients import PortalError, _email, _mobile_e164, _spend_sms_action


def start_contact_change(
    *,
    user: User,
    password: str,
    email: str = "",
    mobile: str = "",
    ip: str | None = None,
) -> CodeChallenge:
    """Changing the email or mobile: the password again, then a code sent to the new one."""
    if not user.check_password(password):
        raise PortalError(_("Incorrect password."))
    if bool(email) == bool(mobile):
        raise PortalError(_("Change either the email or the mobile phone."))
    if email:
        new_value, method = _email(email), CodeChallenge.Method.EMAIL
        if User.objects.filter(email__iexact=new_value).exclude(pk=user.pk).exists():
            raise PortalError(_("This email address is already used by another person."))
    else:
        new_value, method = _mobile_e164(mobile), CodeChallenge.Method.SMS
    with transaction.atomic():
        return _new_challenge(
            user=user,
            purpose=CodeChallenge.Purpose.CONTACT_CHANGE,
            ip=ip,
            method=method,
            new_value=new_value,
        )


def _apply_contact_change(*, user: User, challenge: CodeChallenge) -> list[str]:
    """Apply a confirmed change; the old address or number is told (it may be an intrusion)."""
    field = "email" if challenge.method == CodeChallenge.Method.EMAIL else "mobile"
    old = str(getattr(user, field))
    setattr(user, field, challenge.new_value)
    context = {"what": field}
    key = f"challenge:{challenge.uuid}"
    if field == "email":
        notifications.queue_email(
            purpose="contact_changed",
            object_key=key,
            to=old,
            template="contact_changed",
            context=context,
        )
    else:
        notifications.queue_sms(
            purpose="contact_changed",
            object_key=key,
            to=old,
            template="contact_changed",
            context=context,
        )
    return [field]


# The holder confirms a lost-phone change through a link sent to their current email.
LOST_PHONE_LINK_MAX_AGE = 48 * 3600
_LOST_PHONE_SALT = "portal.lost_phone"


@transaction.atomic
def replace_lost_phone(
    *,
    portal: PortalAccount,
    user: User,
    mobile: str,
    identity_checked: bool,
    by: User,
    attested: bool = False,
    ip: str | None = None,
) -> bool:
    """A professional with a care relationship, having checked the identity, asks for a new mobile.

    The change waits for the person's confirmation through a link sent to their current email
    (and an SMS notice to the current number): a professional alone cannot move someone's login
    codes. When the professional attests that the holder is a minor or a protected adult (whose
    representative is in front of them), it applies at once and the attestation is recorded.
    True when the number was changed, False when it waits for the confirmation.
    """
    if not has_care_relationship(professional=by, identity=portal.identity) or not (
        portal.accesses.filter(user=user, revoked_at__isnull=True).exists()
    ):
        raise NotFound
    if not identity_checked:
        raise PortalError(_("Check the patient's identity document first."))
    if user.role != User.Role.PATIENT:
        raise PortalError(_("Only a patient account can be changed here."))
    new_mobile = _mobile_e164(mobile)
    _spend_sms_action(by=by)
    old_mobile = str(user.mobile) if user.mobile else ""
    if attested:
        _apply_lost_phone(
            user=user,
            old_mobile=old_mobile,
            new_mobile=new_mobile,
            by=by,
            ip=ip,
            portal=portal,
            details={"attested_minor_or_protected": True},
        )
        return True
    token = signing.dumps(
        {
            "user": user.pk,
            "old": old_mobile,
            "new": new_mobile,
            "by": by.pk,
            "portal": str(portal.uuid),
        },
        salt=_LOST_PHONE_SALT,
    )
    key = f"user:{user.pk}:{timezone.now():%Y%m%d%H%M%S}"
    link = f"{settings.SITE_URL}{reverse('portal:confirm_lost_phone', args=[token])}"
    notifications.queue_email(
        purpose="lost_phone_request",
        object_key=key,
        to=user.email,
        template="lost_phone_confirm",
        context={"link": link},
    )
    if old_mobile:
        notifications.queue_sms(
            purpose="lost_phone_request",
            object_key=key,
            to=old_mobile,
            template="lost_phone_confirm",
        )
    audit.record(
        action="patient.lost_phone_requested",
        actor=by,
        ip=ip,
        object_type="user",
        object_id=user.pk,
        details={"identity_checked": True, "portal": str(portal.uuid)},
    )
    return False


def lost_phone_request(token: str) -> dict[str, Any]:
    """The change a confirmation link asks for; refused when expired, forged or already done."""
    try:
        request = signing.loads(token, salt=_LOST_PHONE_SALT, max_age=LOST_PHONE_LINK_MAX_AGE)
    except signing.BadSignature:
        raise PortalError(_("This link is invalid or has expired.")) from None
    user = User.objects.filter(pk=request["user"], role=User.Role.PATIENT).first()
    if user is None or (str(user.mobile) if user.mobile else "") != request["old"]:
        # Already applied (or the number changed since): a link works once.
        raise PortalError(_("This link is invalid or has expired."))
    return request


@transaction.atomic
def confirm_lost_phone(*, token: str, ip: str | None = None) -> User:
    """The person confirms, from their current email, the new mobile a professional entered."""
    request = lost_phone_request(token)
    user = User.objects.select_for_update().get(pk=request["user"])
    if (str(user.mobile) if user.mobile else "") != request["old"]:
        raise PortalError(_("This link is invalid or has expired."))
    by = User.objects.get(pk=request["by"])
    portal = PortalAccount.objects.get(uuid=request["portal"])
    _apply_lost_phone(
        user=user,
        old_mobile=request["old"],
        new_mobile=request["new"],
        by=by,
        ip=ip,
        portal=portal,
        details={"confirmed_by_the_person": True},
    )
    return user


def _apply_lost_phone(
    *,
    user: User,
    old_mobile: str,
    new_mobile: str,
    by: User,
    ip: str | None,
    portal: PortalAccount,
    details: dict[str, Any],
) -> None:
    """Set the new mobile; the authenticator app goes too (it was probably on the lost phone),
    locks are lifted, the person is told by email and at the old number, the access log keeps
    who asked for it."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    user = User.objects.select_for_update().get(pk=user.pk)
    user.mobile = new_mobile
    user.code_failures, user.locked_until = 0, None
    user.save(update_fields=["mobile", "code_failures", "locked_until"])
    TOTPDevice.objects.filter(user=user).delete()
    PortalChange.objects.create(
        portal=portal,
        kind=PortalChange.Kind.MOBILE,
        person=user,
        previous_mobile=old_mobile,
        made_by=by,
    )
    CodeChallenge.objects.filter(user=user, verified_at__isnull=True).delete()
    key = f"user:{user.pk}:{timezone.now():%Y%m%d%H%M%S}"
    context = {"what": "mobile", "by_professional": True}
    notifications.queue_email(
        purpose="lost_phone",
        object_key=key,
        to=user.email,
        template="contact_changed",
        context=context,
    )
    if old_mobile and old_mobile != new_mobile:
        # If the phone was not lost but the request was an intrusion, the holder may still
        # have it: tell the old number too.
        notifications.queue_sms(
            purpose="lost_phone",
            object_key=key,
            to=old_mobile,
            template="contact_changed",
            context=context,
        )
    audit.record(
        action="patient.lost_phone",
        actor=by,
        ip=ip,
        object_type="user",
        object_id=user.pk,
        details={"identity_checked": True, "portal": str(portal.uuid), **details},
    )
