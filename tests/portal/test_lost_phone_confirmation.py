"""A lost-phone change waits for the holder's confirmation from their current email (issue 16).

Except for a minor or a protected adult, where the professional's attestation is recorded.
"""

import re
from html import unescape

import pytest
from django.test import Client
from django.urls import reverse

from audit.models import AccessLog
from identities.models import Identity
from notifications.models import Notification
from portal.models import User

pytestmark = pytest.mark.django_db


def _ask(client: Client, identity: Identity, person: User, **extra: str) -> object:
    url = reverse("portal:lost_phone", args=[identity.portal.uuid])
    data = {"person": person.pk, "mobile": "07 56 12 34 56", "identity_checked": "on"} | extra
    return client.post(url, data)


def _link() -> str:
    email = Notification.objects.get(purpose="lost_phone_request", channel="email")
    return re.search(r"https?://[^\s]+/espace/telephone/confirmer/[^\s/]+/", email.body).group(0)


def test_the_number_changes_only_once_the_holder_confirms(
    clinician_client: Client, patient_a: User, identity_a: Identity
) -> None:
    response = _ask(clinician_client, identity_a, patient_a)
    assert response.status_code == 302
    patient_a.refresh_from_db()
    assert patient_a.mobile.as_e164 == "+33601023040"
    email = Notification.objects.get(purpose="lost_phone_request", channel="email")
    assert email.recipient == "bobby@teleconsultation.com"  # the CURRENT email
    assert AccessLog.objects.filter(action="patient.lost_phone_requested").exists()
    path = _link().split("://", 1)[1].split("/", 1)[1]
    holder = Client()
    page = holder.get(f"/{path}")
    assert page.status_code == 200
    patient_a.refresh_from_db()
    assert patient_a.mobile.as_e164 == "+33601023040"  # a GET (a mail scanner) changes nothing
    assert holder.post(f"/{path}").status_code == 200
    patient_a.refresh_from_db()
    assert patient_a.mobile.as_e164 == "+33756123456"
    log = AccessLog.objects.get(action="patient.lost_phone")
    assert log.details["confirmed_by_the_person"] is True


def test_a_confirmation_link_works_once(
    clinician_client: Client, patient_a: User, identity_a: Identity
) -> None:
    _ask(clinician_client, identity_a, patient_a)
    path = "/" + _link().split("://", 1)[1].split("/", 1)[1]
    Client().post(path)
    again = Client().post(path)
    assert again.status_code == 410
    assert "invalide ou a expiré" in unescape(again.content.decode())


def test_a_forged_link_is_refused(client: Client) -> None:
    url = reverse("portal:confirm_lost_phone", args=["forged-token"])
    assert client.get(url).status_code == 410
    assert client.post(url).status_code == 410


def test_for_a_minor_or_protected_adult_the_attestation_applies_it_at_once(
    clinician_client: Client, patient_a: User, identity_a: Identity
) -> None:
    assert _ask(clinician_client, identity_a, patient_a, attested="on").status_code == 302
    patient_a.refresh_from_db()
    assert patient_a.mobile.as_e164 == "+33756123456"
    log = AccessLog.objects.get(action="patient.lost_phone")
    assert log.details["attested_minor_or_protected"] is True
