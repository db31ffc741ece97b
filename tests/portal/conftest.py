"""Patients, portals and the people who hold access to them."""

import re

import pytest
from django.utils import timezone

from identities.models import Identity
from notifications.backends import sms
from portal import services
from portal.models import PortalAccess, PortalAccount, User
from tests.factories import PASSWORD, IdentityFactory


def open_portal(
    identity: Identity, *, by: User, email: str, mobile: str, quality: str = "titulaire"
) -> PortalAccount:
    return services.create_portal(
        identity=identity,
        email=email,
        mobile=mobile,
        quality=quality,
        consent_given=True,
        consent_method="consultation",
        by=by,
        attested=True,  # a second access is added at once (the confirmation has its own tests)
    )


def activate(user: User) -> User:
    user.set_password(PASSWORD)
    user.activated_at = timezone.now()
    user.save(update_fields=["password", "activated_at"])
    return user


def last_code() -> str:
    """The code of the last SMS: sent (kept by the locmem backend) or still in the outbox.

    Most tests never commit, so their SMS stay queued; the row holds the text until sent.
    """
    from notifications.models import Notification

    queued = (
        Notification.objects.filter(purpose="one_time_code", status="pending")
        .order_by("-pk")
        .first()
    )
    sent = [message.body for message in sms.outbox if "code" in message.body]
    body = queued.body if queued is not None else (sent[-1] if sent else "")
    match = re.search(r"\b(\d{6})\b", body)
    assert match, "no code was sent"
    return match.group(1)


@pytest.fixture
def identity_a(db: None) -> Identity:
    return IdentityFactory(birth_name="TELECONSULTATION", first_name="BOBBY", email="", mobile="")


@pytest.fixture
def child_of_a(db: None) -> Identity:
    return IdentityFactory(birth_name="TELECONSULTATION", first_name="LEA", email="", mobile="")


@pytest.fixture
def identity_b(db: None) -> Identity:
    return IdentityFactory(birth_name="DURAND", first_name="PAUL", email="", mobile="")


@pytest.fixture
def patient_a(identity_a: Identity, clinician: User) -> User:
    portal = open_portal(
        identity_a, by=clinician, email="bobby@teleconsultation.com", mobile="0601023040"
    )
    return activate(PortalAccess.objects.get(portal=portal).user)


@pytest.fixture
def guardian_of_a(identity_a: Identity, patient_a: User, clinician: User) -> User:
    """A legal representative holding access to A's portal (and to nothing else)."""
    portal = identity_a.portal
    open_portal(
        identity_a,
        by=clinician,
        email="parent@exemple.fr",
        mobile="0611223344",
        quality="representant_legal",
    )
    return activate(PortalAccess.objects.get(portal=portal, quality="representant_legal").user)


@pytest.fixture
def patient_b(identity_b: Identity, clinician: User) -> User:
    portal = open_portal(identity_b, by=clinician, email="paul@exemple.fr", mobile="0698765432")
    return activate(PortalAccess.objects.get(portal=portal).user)
