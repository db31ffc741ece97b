"""The authenticator app (TOTP) as a patient's second factor: enrolment and lookup."""

from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from audit import services as audit
from portal.models import User
from portal.services.recipients import PortalError


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
