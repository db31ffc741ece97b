"""The authenticator app (TOTP) as a patient's second factor: enrolment and lookup.

Opening the enrolment page writes nothing: it shows a fresh key, which travels back signed in
the form (``signed_totp_key``); only the POST that proves the app works stores a device.
"""

from typing import Any

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.utils.translation import gettext as _

from audit import services as audit
from portal.models import User
from portal.services.recipients import PortalError


def totp_device(user: User) -> Any:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


# A page left open longer than this asks for a reload rather than trusting an old key.
KEY_MAX_AGE_SECONDS = 60 * 60


def new_totp_device(user: User) -> Any:
    """A device with a fresh key, NOT saved: what the enrolment page shows."""
    from django_otp.plugins.otp_totp.models import TOTPDevice, default_key

    return TOTPDevice(user=user, name=settings.PORTAL_NAME, key=default_key(), confirmed=False)


def _key_salt(user: User) -> str:
    return f"portal.totp-key:{user.pk}"


def _load_key(*, user: User, signed_key: str) -> str | None:
    try:
        return str(signing.loads(signed_key, salt=_key_salt(user), max_age=KEY_MAX_AGE_SECONDS))
    except signing.BadSignature:
        return None


def signed_totp_key(*, user: User, device: Any) -> str:
    """The device's key, signed for this user, to come back with the code the app shows."""
    return signing.dumps(device.key, salt=_key_salt(user))


@transaction.atomic
def start_totp_enrolment(*, user: User, reuse: bool = False, key: str | None = None) -> Any:
    """An unconfirmed device; it replaces nothing until the patient proves it works.

    ``reuse`` keeps the pending one (after a wrong code the app already holds its key); a
    ``key`` (from the enrolment page) keeps the pending device of that key, or makes it.
    """
    from django_otp.plugins.otp_totp.models import TOTPDevice

    pending = TOTPDevice.objects.filter(user=user, confirmed=False)
    if key is not None and (device := pending.filter(key=key).order_by("pk").first()):
        return device
    if reuse and key is None and (device := pending.order_by("pk").first()) is not None:
        return device
    pending.delete()
    fields = {"key": key} if key is not None else {}
    return TOTPDevice.objects.create(
        user=user, name=settings.PORTAL_NAME, confirmed=False, **fields
    )


def enrol_totp(*, user: User, signed_key: str, token: str, ip: str | None = None) -> None:
    """The enrolment page's POST: the key it showed, and the code the app gives for it."""
    key = _load_key(user=user, signed_key=signed_key)
    if key is None:
        raise PortalError(_("This page has expired: reload it and scan the new QR code."))
    with transaction.atomic():
        start_totp_enrolment(user=user, key=key)
        confirm_totp_enrolment(user=user, token=token, ip=ip)


@transaction.atomic
def confirm_totp_enrolment(*, user: User, token: str, ip: str | None = None) -> None:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).first()
    if device is None or not device.verify_token("".join(token.split())):
        raise PortalError(
            _("This code does not match: check the time of your phone and try again.")
        )
    TOTPDevice.objects.filter(user=user, confirmed=True).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    audit.record(action="patient.totp_enrolled", actor=user, ip=ip)


def totp_enrolment_page(*, user: User, signed_key: str = "") -> dict[str, Any]:
    """What the enrolment page shows; writes nothing.

    A new key on each visit; after a wrong code, the same key so the app stays in step.
    """
    device = new_totp_device(user)
    # A bad or old signed key gets a new key: the error beside the code says why.
    device.key = _load_key(user=user, signed_key=signed_key) or device.key
    return {
        "qr_svg": totp_qr_svg(device),
        "secret": totp_secret(device),
        "key": signed_totp_key(user=user, device=device),
        "has_app": totp_device(user) is not None,
    }


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
