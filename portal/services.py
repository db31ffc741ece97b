"""Use cases of the accounts: logins, patient portals, one-time codes, sessions."""

import datetime
import math
from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate, password_validation
from django.core.cache import cache
from django.db import transaction
from django.db.models import Q
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import services as accounts
from audit import services as audit
from notifications import services as notifications
from portal import codes
from portal.models import ActivationLink, CodeChallenge, Consent, PortalAccess, PortalAccount, User


def clear_expired_sessions() -> None:
    """Delete the sessions past their expiry date, whatever the session engine."""
    engine = import_module(settings.SESSION_ENGINE)
    engine.SessionStore.clear_expired()


# --- Patient portals ---------------------------------------------------------------------------

# The guide's sentence, shown beside the consent box; its version is recorded with the consent.
_CONSENT_WORDING = gettext_lazy(
    "This will let you send documents to the patient easily and securely after your "
    "consultation. Before creating their %(portal)s account, you must inform the patient and "
    "obtain their consent."
)


def consent_wording() -> str:
    return _CONSENT_WORDING % {"portal": settings.PORTAL_NAME}


CODE_VALIDITY = datetime.timedelta(minutes=5)
CODE_MAX_FAILURES = 5
RESEND_COOLDOWN_SECONDS = 60
SENDS_PER_WINDOW = 5
SEND_WINDOW_SECONDS = 600
# Consecutive wrong codes on one account: waits double from the 3rd; the 20th locks for an hour.
HARD_LOCK_FAILURES = 20
HARD_LOCK = datetime.timedelta(hours=1)
MAX_WAIT_SECONDS = 900


class PortalError(Exception):
    """A refused portal operation; the message is safe to show to the user."""


def _mobile_e164(value: str) -> str:
    try:
        return notifications.normalize_mobile(value)
    except notifications.InvalidRecipient as error:
        raise PortalError(str(error)) from None


def _email(value: str) -> str:
    try:
        return notifications.normalize_email(value).lower()
    except notifications.InvalidRecipient as error:
        raise PortalError(str(error)) from None


@transaction.atomic
def create_portal(
    *,
    identity: Any,
    email: str,
    mobile: str,
    quality: str,
    consent_given: bool,
    consent_method: str,
    by: User,
    request: HttpRequest | None = None,
) -> PortalAccount:
    """Create the portal of an identity (or give one more person access to it), in one step.

    The signatory's email and mobile are both required, and so is the professional's
    statement that the patient was informed and consented. The signatory receives an
    activation link by email and SMS (or, if they already have an account, a notice).
    """
    if not consent_given:
        raise PortalError(_("You must inform the patient and obtain their consent first."))
    email, mobile = _email(email), _mobile_e164(mobile)
    identity = type(identity).objects.select_for_update().get(pk=identity.pk)
    if not identity.is_active:
        raise PortalError(_("This identity was merged or deactivated: choose the active one."))
    portal, _created = PortalAccount.objects.get_or_create(
        identity=identity, defaults={"created_by": by}
    )
    user = User.objects.filter(email__iexact=email).first()
    if user is not None and (user.role != User.Role.PATIENT or str(user.mobile) != mobile):
        # The same person may hold several portals; nobody else may reuse their address.
        raise PortalError(_("This email address is already used by another person."))
    if user is None:
        holder = quality == PortalAccess.Quality.HOLDER
        user = User.objects.create_user(
            email,
            None,
            first_name=identity.first_name.title() if holder else "",
            last_name=identity.display_name if holder else "",
            role=User.Role.PATIENT,
            mobile=mobile,
        )
    if PortalAccess.objects.filter(portal=portal, user=user, revoked_at__isnull=True).exists():
        raise PortalError(_("This person already has access to this portal."))
    if (
        quality == PortalAccess.Quality.HOLDER
        and PortalAccess.objects.filter(
            portal=portal, quality=quality, revoked_at__isnull=True
        ).exists()
    ):
        raise PortalError(_("This portal already has a holder."))
    access = PortalAccess.objects.create(portal=portal, user=user, quality=quality, created_by=by)
    with translation.override(settings.LANGUAGE_CODE):
        wording = consent_wording()
    Consent.objects.create(
        portal=portal,
        recorded_by=by,
        method=consent_method,
        wording_version=settings.PORTAL_CONSENT_WORDING_VERSION,
        wording=wording,
    )
    # A portal needs both: codes go to the mobile, alerts to the email.
    changed = [
        field
        for field, value in (("email", email), ("mobile", mobile))
        if not getattr(identity, field)
    ]
    for field in changed:
        setattr(identity, field, email if field == "email" else mobile)
    if changed:
        identity.save(update_fields=changed)
    if user.activated_at is None:
        _send_activation(user=user, access=access)
    else:
        notifications.queue_email(
            purpose="portal_access_granted",
            object_key=f"access:{access.pk}",
            to=user.email,
            template="portal_access_granted",
        )
    audit.record(
        action="portal.create",
        actor=by,
        request=request,
        object_type="portal",
        object_id=portal.uuid,
        details={"access": access.pk, "quality": quality},
    )
    return portal


def _send_activation(*, user: User, access: PortalAccess) -> ActivationLink:
    token = codes.new_token()
    link = ActivationLink.objects.create(
        user=user,
        token_hash=codes.token_hash(token),
        expires_at=timezone.now() + datetime.timedelta(hours=settings.PORTAL_ACTIVATION_HOURS),
    )
    url = f"{settings.SITE_URL}{reverse('portal:activate', args=[token])}"
    context = {"activation_url": url, "hours": settings.PORTAL_ACTIVATION_HOURS}
    key = f"link:{link.pk}"
    notifications.queue_email(
        purpose="portal_activation",
        object_key=key,
        to=user.email,
        template="portal_activation",
        context=context,
        redact=True,
    )
    notifications.queue_sms(
        purpose="portal_activation",
        object_key=key,
        to=str(user.mobile),
        template="portal_activation",
        context={"email": user.email},
    )
    return link


def get_activation_link(token: str) -> ActivationLink:
    """The link of a token, if it can still be used; otherwise a message saying what to do."""
    link = (
        ActivationLink.objects.select_related("user")
        .filter(token_hash=codes.token_hash(token))
        .first()
    )
    if link is None or link.used_at is not None:
        raise PortalError(
            _(
                "This link is no longer valid: it was already used. Log in with your email "
                "and password, or ask your health professional for a new link."
            )
        )
    if link.expires_at <= timezone.now():
        raise PortalError(
            _("This link has expired. Ask your health professional to send you a new one.")
        )
    return link


@transaction.atomic
def start_activation(
    *, token: str, password: str, request: HttpRequest | None = None
) -> CodeChallenge:
    """Set the new password, then confirm the mobile with a code: activation ends there."""
    link = get_activation_link(token)
    link = ActivationLink.objects.select_for_update().select_related("user").get(pk=link.pk)
    user = link.user
    password_validation.validate_password(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])
    return _new_challenge(
        user=user, purpose=CodeChallenge.Purpose.ACTIVATION, link=link, request=request
    )


def start_login(*, email: str, password: str, request: HttpRequest) -> CodeChallenge:
    """First factor: the password. Sends the second one, a code, to the account's mobile."""
    ip = audit.client_ip(request) or ""
    if accounts.is_login_locked(email=email, ip=ip):
        raise PortalError(
            _("Too many failed attempts. For your security, try again in 15 minutes.")
        )
    user = authenticate(request, username=email, password=password)
    if user is None or user.role != User.Role.PATIENT or user.activated_at is None:
        accounts.record_login_failure(email=email, ip=ip)
        audit.record(
            action="patient.login", request=request, outcome="failure", details={"step": "password"}
        )
        raise PortalError(_("Incorrect email address or password."))
    accounts.clear_login_failures(email=email, ip=ip)
    _check_not_locked(user)
    with transaction.atomic():
        if totp_device(user) is not None:
            # The app gives the code: no SMS unless the patient asks for one.
            return CodeChallenge.objects.create(
                user=user,
                purpose=CodeChallenge.Purpose.LOGIN,
                method=CodeChallenge.Method.TOTP,
                expires_at=timezone.now() + CODE_VALIDITY,
            )
        return _new_challenge(user=user, purpose=CodeChallenge.Purpose.LOGIN, request=request)


def _check_not_locked(user: User) -> None:
    if user.locked_until and user.locked_until > timezone.now():
        raise PortalError(
            _("Too many wrong codes. For your security, try again after %(time)s.")
            % {"time": formats.time_format(timezone.localtime(user.locked_until), "H:i:s")}
        )


def _count_send(*, user: User, request: HttpRequest | None) -> None:
    """At most 5 codes per 10 minutes per account, per number and per address."""
    keys = [f"code-sends:user:{user.pk}", f"code-sends:mobile:{user.mobile}"]
    ip = audit.client_ip(request)
    if ip:
        keys.append(f"code-sends:ip:{ip}")
    counts = []
    for key in keys:
        cache.add(key, 0, timeout=SEND_WINDOW_SECONDS)
        try:
            counts.append(cache.incr(key))
        except ValueError:
            cache.set(key, 1, timeout=SEND_WINDOW_SECONDS)
            counts.append(1)
    if max(counts) > SENDS_PER_WINDOW:
        raise PortalError(_("Too many codes were requested. Try again in 10 minutes."))


def _send_code(*, challenge: CodeChallenge, code: str) -> None:
    """By SMS to the account's mobile; a new contact detail gets its code itself."""
    context = {"code": code, "minutes": int(CODE_VALIDITY.total_seconds() // 60)}
    key = f"challenge:{challenge.uuid}:{challenge.sends}"
    if challenge.method == CodeChallenge.Method.EMAIL:
        notifications.queue_email(
            purpose="one_time_code",
            object_key=key,
            to=challenge.new_value,
            template="one_time_code",
            context=context,
            redact=True,
        )
        return
    to = challenge.new_value if challenge.purpose == CodeChallenge.Purpose.CONTACT_CHANGE else None
    notifications.queue_sms(
        purpose="one_time_code",
        object_key=key,
        to=to or str(challenge.user.mobile),
        template="one_time_code",
        context=context,
        redact=True,
    )


def _new_challenge(
    *,
    user: User,
    purpose: str,
    request: HttpRequest | None,
    link: ActivationLink | None = None,
    method: str = CodeChallenge.Method.SMS,
    new_value: str = "",
) -> CodeChallenge:
    _count_send(user=user, request=request)
    challenge = CodeChallenge(
        user=user, purpose=purpose, activation_link=link, method=method, new_value=new_value
    )
    code = codes.new_code()
    challenge.code_hmac = codes.code_hmac(challenge_id=challenge.uuid, code=code)
    challenge.expires_at = timezone.now() + CODE_VALIDITY
    challenge.save()
    _send_code(challenge=challenge, code=code)
    return challenge


@transaction.atomic
def resend_code(*, challenge_uuid: object, request: HttpRequest | None = None) -> CodeChallenge:
    """A new code replaces the previous one, after a 60 s cooldown."""
    challenge = (
        CodeChallenge.objects.select_for_update()
        .select_related("user")
        .filter(uuid=challenge_uuid, verified_at__isnull=True)
        .first()
    )
    if challenge is None:
        raise PortalError(_("This login attempt is over: start again."))
    wait = RESEND_COOLDOWN_SECONDS - (timezone.now() - challenge.code_sent_at).total_seconds()
    if wait > 0 and challenge.method != CodeChallenge.Method.TOTP:
        raise PortalError(
            _("Wait %(seconds)d seconds before asking for a new code.")
            % {"seconds": math.ceil(wait)}
        )
    _count_send(user=challenge.user, request=request)
    code = codes.new_code()
    if challenge.method == CodeChallenge.Method.TOTP:
        challenge.method = CodeChallenge.Method.SMS  # "send me a code by SMS instead"
    challenge.code_hmac = codes.code_hmac(challenge_id=challenge.uuid, code=code)
    challenge.code_sent_at = timezone.now()
    challenge.expires_at = challenge.code_sent_at + CODE_VALIDITY
    challenge.failures = 0
    challenge.sends += 1
    challenge.save(
        update_fields=["method", "code_hmac", "code_sent_at", "expires_at", "failures", "sends"]
    )
    _send_code(challenge=challenge, code=code)
    return challenge


def _code_is_right(challenge: CodeChallenge, code: str) -> bool:
    if challenge.method == CodeChallenge.Method.TOTP:
        device = totp_device(challenge.user)
        # django-otp refuses a code already used (it keeps the last time step).
        return device is not None and bool(device.verify_token("".join(code.split())))
    return codes.code_matches(
        challenge_id=challenge.uuid, code=code, expected_hmac=challenge.code_hmac
    )


def _wait_after(failures: int) -> datetime.timedelta:
    if failures < 3:
        return datetime.timedelta(0)
    return datetime.timedelta(seconds=min(2 ** (failures - 3), MAX_WAIT_SECONDS))


def verify_code(*, challenge_uuid: object, code: str, request: HttpRequest | None = None) -> User:
    """Second factor. Single use: of many concurrent checks of one code, one succeeds."""
    error: str | None = None
    with transaction.atomic():
        challenge = CodeChallenge.objects.select_for_update().filter(uuid=challenge_uuid).first()
        if challenge is None:
            raise PortalError(_("This login attempt is over: start again."))
        user = User.objects.select_for_update().get(pk=challenge.user_id)
        now = timezone.now()
        _check_not_locked(user)
        if challenge.verified_at is not None:
            raise PortalError(_("This code was already used. Start again to get a new one."))
        if challenge.expires_at <= now:
            raise PortalError(_("This code has expired. Ask for a new code."))
        if challenge.failures >= CODE_MAX_FAILURES:
            raise PortalError(_("Too many wrong tries for this code. Ask for a new code."))
        if _code_is_right(challenge, code):
            challenge.verified_at = now
            challenge.save(update_fields=["verified_at"])
            user.code_failures, user.locked_until = 0, None
            fields = ["code_failures", "locked_until"]
            if challenge.purpose == CodeChallenge.Purpose.ACTIVATION:
                user.activated_at = now
                fields.append("activated_at")
                ActivationLink.objects.filter(pk=challenge.activation_link_id).update(used_at=now)
            elif challenge.purpose == CodeChallenge.Purpose.CONTACT_CHANGE:
                fields += _apply_contact_change(user=user, challenge=challenge)
            user.save(update_fields=fields)
            audit.record(action=f"patient.{challenge.purpose}", actor=user, request=request)
            return user
        # A wrong code: counted (kept even though we refuse), never logged.
        challenge.failures += 1
        challenge.save(update_fields=["failures"])
        user.code_failures += 1
        if user.code_failures >= HARD_LOCK_FAILURES:
            user.code_failures, user.locked_until = 0, now + HARD_LOCK
        elif wait := _wait_after(user.code_failures):
            user.locked_until = now + wait
        user.save(update_fields=["code_failures", "locked_until"])
        audit.record(
            action=f"patient.{challenge.purpose}",
            actor=user,
            request=request,
            outcome="failure",
            details={"step": "code"},
        )
        left = CODE_MAX_FAILURES - challenge.failures
        error = (
            _("Wrong code. %(left)d tries left.") % {"left": left}
            if left
            else _("Wrong code. Too many wrong tries for this code: ask for a new code.")
        )
    raise PortalError(error)


def portals_of(user: User) -> list[PortalAccess]:
    """The portals a person may open, holder's first."""
    return list(
        PortalAccess.objects.filter(user=user, revoked_at__isnull=True, portal__is_active=True)
        .select_related("portal__identity")
        .order_by("quality", "portal__identity__birth_date", "pk")
    )


def get_portal_for_user(*, user: User, portal_uuid: object) -> PortalAccount:
    """The portal if this person holds an access to it now; a 404 otherwise, never a hint."""
    access = (
        PortalAccess.objects.filter(
            user=user, revoked_at__isnull=True, portal__uuid=portal_uuid, portal__is_active=True
        )
        .select_related("portal__identity")
        .first()
    )
    if access is None:
        raise Http404
    return access.portal


# How the patient reads their access history.
ACTION_LABELS = {
    "portal.create": gettext_lazy("Created the space"),
    "portal.read": gettext_lazy("Opened the space"),
    "identity.create": gettext_lazy("Created the identity record"),
    "identity.read": gettext_lazy("Read the identity record"),
    "identity.merge": gettext_lazy("Merged a duplicate identity"),
}


def action_label(action: str) -> str:
    return str(ACTION_LABELS.get(action, action))


def access_history(*, portal: PortalAccount, limit: int = 200) -> list[Any]:
    """Who read or changed this portal and its identity, newest first (for the patient)."""
    from audit.models import AccessLog

    return list(
        AccessLog.objects.filter(
            Q(object_type="portal", object_id=str(portal.uuid))
            | Q(object_type="identity", object_id=str(portal.identity.uuid))
        )
        .exclude(action="identity.search")
        .select_related("actor")
        .order_by("-created_at", "-pk")[:limit]
    )


# --- Authenticator app (TOTP) ------------------------------------------------------------------


def totp_device(user: User) -> Any:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


@transaction.atomic
def start_totp_enrolment(*, user: User, reuse: bool = False) -> Any:
    """An unconfirmed device; it replaces nothing until the patient proves it works.

    ``reuse`` keeps the pending one (after a wrong code the app already holds its key).
    """
    from django_otp.plugins.otp_totp.models import TOTPDevice

    pending = TOTPDevice.objects.filter(user=user, confirmed=False)
    if reuse and (device := pending.order_by("pk").first()) is not None:
        return device
    pending.delete()
    return TOTPDevice.objects.create(user=user, name=settings.PORTAL_NAME, confirmed=False)


@transaction.atomic
def confirm_totp_enrolment(*, user: User, token: str, request: HttpRequest | None = None) -> None:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).first()
    if device is None or not device.verify_token("".join(token.split())):
        raise PortalError(
            _("This code does not match: check the time of your phone and try again.")
        )
    TOTPDevice.objects.filter(user=user, confirmed=True).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    audit.record(action="patient.totp_enrolled", actor=user, request=request)


def totp_secret(device: Any) -> str:
    """The key as the apps let a person type it (base 32)."""
    import base64

    return base64.b32encode(device.bin_key).decode()


def totp_qr_svg(device: Any) -> str:
    """The enrolment QR code as inline SVG (no image request, nothing inline to run)."""
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage)
    return image.to_string(encoding="unicode")


# --- Contact details -----------------------------------------------------------------------------


def start_contact_change(
    *,
    user: User,
    password: str,
    email: str = "",
    mobile: str = "",
    request: HttpRequest | None = None,
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
            request=request,
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
    user: User,
    mobile: str,
    identity_checked: bool,
    by: User,
    request: HttpRequest | None = None,
) -> User:
    """A professional or an admin, having checked the patient's identity, sets a new mobile.

    The authenticator app is removed too (it was probably on the lost phone), locks are
    lifted, the patient is told by email, and the access log keeps who did it.
    """
    from django_otp.plugins.otp_totp.models import TOTPDevice

    if not identity_checked:
        raise PortalError(_("Check the patient's identity document first."))
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.role != User.Role.PATIENT:
        raise PortalError(_("Only a patient account can be changed here."))
    new_mobile = _mobile_e164(mobile)
    user.mobile = new_mobile
    user.code_failures, user.locked_until = 0, None
    user.save(update_fields=["mobile", "code_failures", "locked_until"])
    TOTPDevice.objects.filter(user=user).delete()
    CodeChallenge.objects.filter(user=user, verified_at__isnull=True).delete()
    notifications.queue_email(
        purpose="lost_phone",
        object_key=f"user:{user.pk}:{timezone.now():%Y%m%d%H%M%S}",
        to=user.email,
        template="contact_changed",
        context={"what": "mobile", "by_professional": True},
    )
    audit.record(
        action="patient.lost_phone",
        actor=by,
        request=request,
        object_type="user",
        object_id=user.pk,
        details={"identity_checked": True},
    )
    return user


# --- Sections of the patient space -------------------------------------------------------------

# Apps that deliver to portals (documents) add a section to the patient space here; the portal
# app knows them only through this list, so the dependency keeps pointing at the portal.
_PORTAL_SECTIONS: list[Any] = []


def register_portal_section(section: Any) -> None:
    """``section(portal=..., user=...)`` returns ``(template_name, context)``."""
    if section not in _PORTAL_SECTIONS:
        _PORTAL_SECTIONS.append(section)


def portal_sections(*, portal: PortalAccount, user: User) -> list[tuple[str, dict[str, Any]]]:
    return [section(portal=portal, user=user) for section in _PORTAL_SECTIONS]


def follow_merged_identity(*, survivor: Any, duplicate: Any, **kwargs: object) -> None:
    """Merge hook: the duplicate's portal follows the survivor, with its accesses.

    If both had a portal, the survivor's stays: the people holding the other one get access to
    it, except its holder (a second holder becomes a legal representative only by a
    professional's decision: that access is revoked, and the merge itself is in the access log),
    and the duplicate's portal is closed. What was delivered to it is the documents app's
    business: it listens to ``identities_merged`` too.
    """
    moved = PortalAccount.objects.filter(identity=duplicate).first()
    if moved is None:
        return
    kept = PortalAccount.objects.filter(identity=survivor).first()
    if kept is None:
        moved.identity = survivor
        moved.save(update_fields=["identity"])
        return
    for access in moved.accesses.filter(revoked_at__isnull=True):
        already = kept.accesses.filter(user=access.user, revoked_at__isnull=True).exists()
        if not already and access.quality != PortalAccess.Quality.HOLDER:
            PortalAccess.objects.create(
                portal=kept, user=access.user, quality=access.quality, created_by=access.created_by
            )
        access.revoked_at = timezone.now()
        access.save(update_fields=["revoked_at"])
    moved.is_active = False
    moved.save(update_fields=["is_active"])
