"""Activation of a new signatory's account: the single-use link, the password, then a code."""

import datetime

from django.conf import settings
from django.contrib.auth import password_validation
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from notifications import services as notifications
from portal import codes
from portal.models import ActivationLink, CodeChallenge, PortalAccess, User
from portal.services.challenges import _new_challenge
from portal.services.recipients import PortalError


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
        urgent=True,
    )
    notifications.queue_sms(
        purpose="portal_activation",
        object_key=key,
        to=str(user.mobile),
        template="portal_activation",
        context={"email": user.email},
        urgent=True,
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
def start_activation(*, token: str, password: str, ip: str | None = None) -> CodeChallenge:
    """Set the new password, then confirm the mobile with a code: activation ends there."""
    link = get_activation_link(token)
    link = ActivationLink.objects.select_for_update().select_related("user").get(pk=link.pk)
    user = link.user
    password_validation.validate_password(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])
    return _new_challenge(user=user, purpose=CodeChallenge.Purpose.ACTIVATION, link=link, ip=ip)
