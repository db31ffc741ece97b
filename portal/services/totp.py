"""The authenticator app (TOTP) as a patient's second factor: enrolment and lookup.

Keys, QR codes and the enrolment page come from ``accounts.services.totp`` (professionals use
them too); what is the patients' own is here.

Opening the enrolment page writes nothing: it shows a fresh key, which travels back signed in
the form (``signed_totp_key``); only the POST that proves the app works stores a device.
"""

from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.services import (
    load_totp_key,
    new_totp_device,
    signed_totp_key,
    totp_device,
    totp_enrolment_page,
    totp_qr_svg,
    totp_secret,
)
from audit import services as audit
from portal.models import User
from portal.services.recipients import PortalError


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
    key = load_totp_key(user=user, signed_key=signed_key)
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


__all__ = [
    "confirm_totp_enrolment",
    "enrol_totp",
    "new_totp_device",
    "signed_totp_key",
    "start_totp_enrolment",
    "totp_device",
    "totp_enrolment_page",
    "totp_qr_svg",
    "totp_secret",
]
