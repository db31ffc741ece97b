"""Every link in a patient's alert leads to the patients' login, never to the professionals'."""

import re

import pytest
from django.test import Client

from documents.models import DocumentType
from identities.models import Identity
from notifications.models import Notification
from portal.models import User
from tests.documents.conftest import send

pytestmark = pytest.mark.django_db


def _links(text: str) -> list[str]:
    return re.findall(r"https?://[^\s\"<]+", text)


def test_the_new_document_email_leads_to_the_patients_login_then_to_the_portal(
    identity_a: Identity,
    patient_a: User,
    clinician: User,
    prescription_type: DocumentType,
    settings: object,
) -> None:
    send(identity_a, clinician, prescription_type)
    alert = Notification.objects.get(purpose="document_available")
    target = f"{settings.SITE_URL}/espace/connexion/?next=/espace/{identity_a.portal.uuid}/"
    assert _links(alert.body) == [target]
    assert set(_links(alert.html_body)) == {target}


def test_the_professionals_login_points_patients_to_their_own(client: Client) -> None:
    page = client.get("/connexion/").content.decode()
    assert 'href="/espace/connexion/"' in page
    assert "Vous êtes patient" in page
