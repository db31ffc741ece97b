"""Changes of a patient's contact details: by the patient (with a code), or a lost phone."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.exceptions import NotFound
from audit import services as audit
from notifications import services as notifications
from portal.models import CodeChallenge, PortalAccount, User
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


@transaction.atomic
def replace_lost_phone(
    *,
    portal: PortalAccount,
    user: User,
    mobile: str,
    identity_checked: bool,
    by: User,
    ip: str | None = None,
) -> User:
    """A professional or an admin, having checked the patient's identity, sets a new mobile.

    The authenticator app is removed too (it was probably on the lost phone), locks are
    lifted, the patient is told by email and at the old number, and the access log keeps who
    did it. Only a professional with a care relationship with the portal's patient may do it.
    """
    from django_otp.plugins.otp_totp.models import TOTPDevice

    if not has_care_relationship(professional=by, identity=portal.identity) or not (
        portal.accesses.filter(user=user, revoked_at__isnull=True).exists()
    ):
        raise NotFound
    if not identity_checked:
        raise PortalError(_("Check the patient's identity document first."))
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.role != User.Role.PATIENT:
        raise PortalError(_("Only a patient account can be changed here."))
    new_mobile = _mobile_e164(mobile)
    _spend_sms_action(by=by)
    old_mobile = str(user.mobile) if user.mobile else ""
    user.mobile = new_mobile
    user.code_failures, user.locked_until = 0, None
    user.save(update_fields=["mobile", "code_failures", "locked_until"])
    TOTPDevice.objects.filter(user=user).delete()
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
        details={"identity_checked": True, "portal": str(portal.uuid)},
    )
    return user
