"""Authenticator apps (TOTP, django-otp): keys, QR codes, and the devices of a user.

Shared by the professionals' second factor (here) and the patients' optional app (portal).
"""

import base64
from typing import Any

from django.conf import settings
from django.core import signing

# A page left open longer than this asks for a reload rather than trusting an old key.
KEY_MAX_AGE_SECONDS = 60 * 60

# The key of the demo accounts of `make run` (never in production): `manage.py demo_totp EMAIL`.
DEMO_TOTP_KEY = "3132333435363738393031323334353637383930"


def totp_device(user: Any) -> Any:
    """The user's confirmed authenticator, or None."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def new_totp_device(user: Any) -> Any:
    """A device with a fresh key, NOT saved: what an enrolment page shows."""
    from django_otp.plugins.otp_totp.models import TOTPDevice, default_key

    return TOTPDevice(user=user, name=settings.PORTAL_NAME, key=default_key(), confirmed=False)


def _key_salt(user: Any) -> str:
    return f"portal.totp-key:{user.pk}"


def load_totp_key(*, user: Any, signed_key: str) -> str | None:
    """The key an enrolment page showed this user, or None if forged or too old."""
    try:
        return str(signing.loads(signed_key, salt=_key_salt(user), max_age=KEY_MAX_AGE_SECONDS))
    except signing.BadSignature:
        return None


def signed_totp_key(*, user: Any, device: Any) -> str:
    """The device's key, signed for this user, to come back with the code the app shows."""
    return signing.dumps(device.key, salt=_key_salt(user))


def totp_secret(device: Any) -> str:
    """The key as the apps let a person type it (base 32)."""
    return base64.b32encode(device.bin_key).decode()


def totp_qr_svg(device: Any) -> str:
    """The enrolment QR code as inline SVG (no image request, nothing inline to run)."""
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage)
    return image.to_string(encoding="unicode")


def totp_enrolment_page(*, user: Any, signed_key: str = "") -> dict[str, Any]:
    """What an enrolment page shows; writes nothing.

    A new key on each visit; after a wrong code, the same key so the app stays in step.
    """
    device = new_totp_device(user)
    # A bad or old signed key gets a new key: the error beside the code says why.
    device.key = load_totp_key(user=user, signed_key=signed_key) or device.key
    return {
        "qr_svg": totp_qr_svg(device),
        "secret": totp_secret(device),
        "key": signed_totp_key(user=user, device=device),
        "has_app": totp_device(user) is not None,
    }
