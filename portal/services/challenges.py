"""One-time codes of a login, an activation or a change of contact details: send, resend, verify."""

import datetime
import logging
import math
from uuid import UUID

from django.core.cache import cache
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from audit import services as audit
from notifications import services as notifications
from portal import codes
from portal.models import ActivationLink, CodeChallenge, User
from portal.services.recipients import PortalError
from portal.services.totp import totp_device

logger = logging.getLogger(__name__)

CODE_VALIDITY = datetime.timedelta(minutes=5)


CODE_MAX_FAILURES = 5


RESEND_COOLDOWN_SECONDS = 60


SENDS_PER_WINDOW = 5


SEND_WINDOW_SECONDS = 600


# One address may be a family, a hospital Wi-Fi or a mobile operator's NAT: many patients.
SENDS_PER_ADDRESS = 60


# Consecutive wrong codes on one account: waits double from the 3rd; the 20th locks for an hour.
HARD_LOCK_FAILURES = 20


HARD_LOCK = datetime.timedelta(hours=1)


MAX_WAIT_SECONDS = 900


# A wait shorter than this is over before the person has typed the next code: not worth a word.
LOCK_WORTH_TELLING = datetime.timedelta(seconds=30)


def _check_not_locked(user: User) -> None:
    if user.locked_until and user.locked_until > timezone.now():
        raise PortalError(
            _("Too many wrong codes. For your security, try again after %(time)s.")
            % {"time": formats.time_format(timezone.localtime(user.locked_until), "H:i:s")}
        )


def _incr(key: str) -> int:
    cache.add(key, 0, timeout=SEND_WINDOW_SECONDS)
    try:
        return cache.incr(key)
    except ValueError:
        cache.set(key, 1, timeout=SEND_WINDOW_SECONDS)
        return 1


def _count_send(*, user: User, ip: str | None) -> None:
    """At most 5 codes per 10 minutes per account and per number, 60 per address."""
    counts = [_incr(f"code-sends:user:{user.pk}"), _incr(f"code-sends:mobile:{user.mobile}")]
    refused = max(counts) > SENDS_PER_WINDOW
    if ip and _incr(f"code-sends:ip:{ip}") > SENDS_PER_ADDRESS:
        logger.warning(
            "code sends: address %s passed %s codes in 10 minutes", ip, SENDS_PER_ADDRESS
        )
        refused = True
    if refused:
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
            urgent=True,
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
        urgent=True,
    )


def _new_challenge(
    *,
    user: User,
    purpose: str,
    ip: str | None,
    link: ActivationLink | None = None,
    method: str = CodeChallenge.Method.SMS,
    new_value: str = "",
) -> CodeChallenge:
    _count_send(user=user, ip=ip)
    challenge = CodeChallenge(
        user=user, purpose=purpose, activation_link=link, method=method, new_value=new_value
    )
    code = codes.new_code()
    challenge.code_hmac = codes.code_hmac(challenge_id=challenge.uuid, code=code)
    challenge.expires_at = timezone.now() + CODE_VALIDITY
    challenge.save()
    _send_code(challenge=challenge, code=code)
    return challenge


def challenge_method(*, challenge_uuid: UUID | str) -> str | None:
    """How the code of a pending attempt comes (SMS, email, app), for the code page."""
    return (
        CodeChallenge.objects.filter(uuid=challenge_uuid).values_list("method", flat=True).first()
    )


@transaction.atomic
def resend_code(*, challenge_uuid: UUID | str, ip: str | None = None) -> CodeChallenge:
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
    _count_send(user=challenge.user, ip=ip)
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


def verify_code(*, challenge_uuid: UUID | str, code: str, ip: str | None = None) -> User:
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
                if challenge.activation_link_id is not None:
                    link = ActivationLink.objects.filter(pk=challenge.activation_link_id)
                    link.update(used_at=now)
            elif challenge.purpose == CodeChallenge.Purpose.CONTACT_CHANGE:
                # contacts starts its challenges here: imported late to break the cycle.
                from portal.services.contacts import _apply_contact_change

                fields += _apply_contact_change(user=user, challenge=challenge)
            user.save(update_fields=fields)
            audit.record(action=f"patient.{challenge.purpose}", actor=user, ip=ip)
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
            ip=ip,
            outcome="failure",
            details={"step": "code"},
        )
        left = CODE_MAX_FAILURES - challenge.failures
        if user.locked_until and user.locked_until - now >= LOCK_WORTH_TELLING:
            # The account now waits: say until when, not how many tries this code has left.
            error = _(
                "Wrong code. Too many wrong codes: for your security, try again after %(time)s."
            ) % {"time": formats.time_format(timezone.localtime(user.locked_until), "H:i:s")}
        elif left:
            error = ngettext(
                "Wrong code. %(left)d try left.", "Wrong code. %(left)d tries left.", left
            ) % {"left": left}
        else:
            error = _("Wrong code. Too many wrong tries for this code: ask for a new code.")
    raise PortalError(error)
