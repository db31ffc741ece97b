"""A new access to an existing portal waits for the holder's confirmation (issue 16).

The link goes to the holder's CURRENT email (with an SMS notice to the current number); a GET
changes nothing; a professional's attestation that the holder is a minor or a protected adult
applies it at once and is recorded.
"""

import re
from html import unescape

import pytest
from django.test import Client
from django.urls import reverse

from audit.models import AccessLog
from identities.models import Identity
from notifications.models import Notification
from portal.models import PortalAccess, User

pytestmark = pytest.mark.django_db


def _add(client: Client, identity: Identity, **extra: str) -> object:
    data = {
        "quality": "representant_legal",
        "email": "parent@exemple.fr",
        "mobile": "06 99 88 77 66",
        "consent_method": "consultation",
        "consent": "on",
    } | extra
    return client.post(reverse("portal:create_portal", args=[identity.uuid]), data, follow=True)


def _path() -> str:
    email = Notification.objects.get(purpose="portal_access_request", channel="email")
    link = re.search(r"https?://[^\s\"<]+/espace/acces/confirmer/[^\s/\"<]+/", email.body)
    return "/" + link.group(0).split("://", 1)[1].split("/", 1)[1]


def test_a_new_representative_waits_for_the_holders_confirmation(
    clinician_client: Client, patient_a: User, identity_a: Identity
) -> None:
    response = _add(clinician_client, identity_a)
    assert "attend la confirmation" in unescape(response.content.decode())
    assert not PortalAccess.objects.filter(user__email="parent@exemple.fr").exists()
    email = Notification.objects.get(purpose="portal_access_request", channel="email")
    assert email.recipient == "bobby@teleconsultation.com"
    sms = Notification.objects.get(purpose="portal_access_request", channel="sms")
    assert sms.recipient == "+33601023040"
    assert AccessLog.objects.filter(action="portal.access_requested").exists()
    holder = Client()
    assert holder.get(_path()).status_code == 200
    assert not PortalAccess.objects.filter(user__email="parent@exemple.fr").exists()
    assert holder.post(_path()).status_code == 200
    access = PortalAccess.objects.get(user__email="parent@exemple.fr", revoked_at__isnull=True)
    assert access.quality == "representant_legal"
    log = AccessLog.objects.get(action="portal.create", details__access=access.pk)
    assert log.details["confirmed_by_the_holder"] is True


def test_an_access_confirmation_link_works_once(
    clinician_client: Client, patient_a: User, identity_a: Identity
) -> None:
    _add(clinician_client, identity_a)
    path = _path()
    assert Client().post(path).status_code == 200
    again = Client().post(path)
    assert again.status_code == 410
    assert "invalide ou a expiré" in unescape(again.content.decode())
    assert PortalAccess.objects.filter(user__email="parent@exemple.fr").count() == 1


def test_a_forged_access_link_is_refused(client: Client) -> None:
    url = reverse("portal:confirm_access", args=["forged"])
    assert client.get(url).status_code == 410
    assert client.post(url).status_code == 410


def test_for_a_minor_or_protected_adult_the_attestation_adds_the_access_at_once(
    clinician_client: Client, patient_a: User, identity_a: Identity
) -> None:
    _add(clinician_client, identity_a, attested="on")
    access = PortalAccess.objects.get(user__email="parent@exemple.fr")
    log = AccessLog.objects.get(action="portal.create", details__access=access.pk)
    assert log.details["attested_minor_or_protected"] is True
    assert Notification.objects.filter(purpose="portal_access_added").exists()
