""" "envoyé par": a physician's or a dentist's "Dr", no title for the professions without one."""

from html import unescape

import pytest
from django.test import Client
from django.urls import reverse

from accounts.professions import Profession
from documents.models import DocumentType
from identities.models import Identity
from portal.models import User
from tests.documents.conftest import send
from tests.factories import ClinicianFactory, login_as

pytestmark = pytest.mark.django_db


def _space(client: Client, identity: Identity) -> str:
    url = reverse("portal:portal_home", args=[identity.portal.uuid])
    return " ".join(unescape(client.get(url).content.decode()).split())


def test_a_physician_signs_dr_and_a_pharmacist_signs_without_a_title(
    client: Client,
    identity_a: Identity,
    patient_a: User,
    clinician: User,
    prescription_type: DocumentType,
) -> None:
    pharmacist = ClinicianFactory(
        first_name="Sophie", last_name="MARTIN", profile__profession=Profession.PHARMACIST
    )
    send(identity_a, clinician, prescription_type, name="Ordonnance")
    send(identity_a, pharmacist, prescription_type, name="Plan de prise")
    client.force_login(patient_a)
    page = _space(client, identity_a)
    assert "envoyé par Dr Claire MARTIN" in page
    assert "envoyé par Sophie MARTIN" in page and "Dr Sophie" not in page


def test_the_recap_says_where_the_documents_came_from_in_words(
    client: Client,
    identity_a: Identity,
    patient_a: User,
    clinician: User,
    prescription_type: DocumentType,
) -> None:
    dispatch = send(identity_a, clinician, prescription_type)
    login_as(client, clinician)
    page = unescape(client.get(reverse("documents:recap", args=[dispatch.uuid])).content.decode())
    assert "· Dépôt" not in page
    assert "fichiers choisis sur l'ordinateur" in page
    assert "envoyé le " in page and " à " in page.split("envoyé le ")[1][:20]
