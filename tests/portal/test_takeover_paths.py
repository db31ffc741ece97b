"""Changing who holds a portal (lost phone, a new legal representative) needs a care relationship.

Only a professional who created the portal, sent the patient a document, or has a
teleconsultation with them may start it, and the holder is told at their current email and
number (issue 16).
"""

from datetime import timedelta
from html import unescape

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from audit.models import AccessLog
from documents.models import Dispatch
from identities.models import Identity
from notifications.models import Notification
from portal import services
from portal.models import PortalAccess, User
from teleconsult.models import Teleconsultation
from tests.factories import login_as

pytestmark = pytest.mark.django_db


def _lost_phone(client: Client, identity: Identity, person: User) -> object:
    url = reverse("portal:lost_phone", args=[identity.portal.uuid])
    data = {"person": person.pk, "mobile": "07 56 12 34 56", "identity_checked": "on"}
    return client.post(url, data)


def _add_representative(client: Client, identity: Identity) -> object:
    return client.post(
        reverse("portal:create_portal", args=[identity.uuid]),
        {
            "quality": "representant_legal",
            "email": "intrus@exemple.fr",
            "mobile": "06 99 88 77 66",
            "consent_method": "consultation",
            "consent": "on",
        },
    )


def test_an_unrelated_clinician_cannot_open_the_lost_phone_page(
    client: Client, other_clinician: User, patient_a: User, identity_a: Identity
) -> None:
    login_as(client, other_clinician)
    url = reverse("portal:lost_phone", args=[identity_a.portal.uuid])
    assert client.get(url).status_code == 404
    assert _lost_phone(client, identity_a, patient_a).status_code == 404
    patient_a.refresh_from_db()
    assert patient_a.mobile.as_e164 == "+33601023040"
    assert not AccessLog.objects.filter(action="patient.lost_phone").exists()


def test_a_clinician_who_sent_the_patient_a_document_may_help_with_a_lost_phone(
    client: Client, other_clinician: User, patient_a: User, identity_a: Identity
) -> None:
    Dispatch.objects.create(
        identity=identity_a, sender=other_clinician, source="upload", idempotency_key="k1"
    )
    login_as(client, other_clinician)
    assert _lost_phone(client, identity_a, patient_a).status_code == 302


def test_a_clinician_with_a_teleconsultation_may_help_with_a_lost_phone(
    client: Client, other_clinician: User, patient_a: User, identity_a: Identity
) -> None:
    Teleconsultation.objects.create(
        identity=identity_a,
        clinician=other_clinician,
        starts_at=timezone.now() + timedelta(days=1),
        invite_email="bobby@teleconsultation.com",
    )
    login_as(client, other_clinician)
    assert _lost_phone(client, identity_a, patient_a).status_code == 302


def test_the_current_number_gets_an_sms_notice_of_a_lost_phone_request(
    clinician_client: Client, patient_a: User, identity_a: Identity
) -> None:
    assert _lost_phone(clinician_client, identity_a, patient_a).status_code == 302
    notice = Notification.objects.get(purpose="lost_phone_request", channel="sms")
    assert notice.recipient == "+33601023040"


def test_an_unrelated_clinician_cannot_add_a_legal_representative(
    client: Client, other_clinician: User, patient_a: User, identity_a: Identity
) -> None:
    login_as(client, other_clinician)
    response = _add_representative(client, identity_a)
    assert response.status_code == 200
    assert "relation de soins" in unescape(response.content.decode())
    assert not PortalAccess.objects.filter(user__email="intrus@exemple.fr").exists()


def test_the_holder_is_asked_when_a_representative_is_added(
    clinician_client: Client, patient_a: User, identity_a: Identity
) -> None:
    assert _add_representative(clinician_client, identity_a).status_code == 302
    told = Notification.objects.filter(purpose="portal_access_request").order_by("channel")
    assert [(n.channel, n.recipient) for n in told] == [
        ("email", "bobby@teleconsultation.com"),
        ("sms", "+33601023040"),
    ]


def test_the_care_relationship_is_answered_by_the_apps_above_the_portal(
    other_clinician: User, identity_a: Identity, patient_a: User
) -> None:
    assert not services.has_care_relationship(professional=other_clinician, identity=identity_a)
    Dispatch.objects.create(
        identity=identity_a, sender=other_clinician, source="upload", idempotency_key="k2"
    )
    assert services.has_care_relationship(professional=other_clinician, identity=identity_a)
