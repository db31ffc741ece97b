""" "Qui a consulté mes documents": per document, who opened it and when, the sendings and the
identity events; repeats grouped, newest first, paginated; nothing about documents not sent to
the portal."""

import re
from html import unescape

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from documents.models import DocumentType, Professional
from identities.models import Identity
from portal.models import User
from tests.documents.conftest import send
from tests.factories import login_as

pytestmark = pytest.mark.django_db


def _rows(client: Client, identity: Identity, page: int = 1) -> list[str]:
    url = reverse("portal:portal_history", args=[identity.portal.uuid])
    html = unescape(client.get(f"{url}?page={page}").content.decode())
    rows = re.findall(r'<li class="history-entry[^"]*">(.*?)</li>', html, re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", row).split()) for row in rows]


def _open(user: User, document: object) -> None:
    reader = Client()
    login_as(reader, user)
    assert reader.get(reverse("documents:download", args=[document.uuid])).status_code == 200


def test_the_history_shows_who_opened_each_document_and_the_sending(
    identity_a: Identity,
    patient_a: User,
    guardian_of_a: User,
    clinician: User,
    recipient: Professional,
    recipient_clinician: User,
    prescription_type: DocumentType,
) -> None:
    with time_machine.travel("2026-11-30 16:20:00+00:00", tick=False):
        document = send(identity_a, clinician, prescription_type, professionals=[recipient])
        document = document.documents.get()
    with time_machine.travel("2026-11-30 16:25:00+00:00", tick=False):
        _open(recipient_clinician, document)
    with time_machine.travel("2026-11-30 16:30:00+00:00", tick=False):
        _open(guardian_of_a, document)
    with time_machine.travel("2026-11-30 16:40:00+00:00", tick=False):
        _open(patient_a, document)
    client = Client()
    client.force_login(patient_a)
    rows = _rows(client, identity_a)
    reads = [row for row in rows if "Ordonnance patient" in row and "ouvert" in row]
    assert reads[0].startswith("30/11/2026 à 17:40") and "Vous" in reads[0]
    assert "Votre représentant légal" in reads[1] and "17:30" in reads[1]
    assert "BERNARD Sophie (Médecin)" in reads[2] and "17:25" in reads[2]
    sent = [row for row in rows if "A envoyé" in row]
    assert len(sent) == 1 and "MARTIN Claire (Médecin)" in sent[0] and "17:20" in sent[0]
    assert "Ordonnance patient" in sent[0]


def test_repeats_are_grouped_and_the_history_is_paginated(
    identity_a: Identity, patient_a: User, clinician: User, prescription_type: DocumentType
) -> None:
    client = Client()
    client.force_login(patient_a)
    home = reverse("portal:portal_home", args=[identity_a.portal.uuid])
    for _ in range(6):
        client.get(home)
    opened = [row for row in _rows(client, identity_a) if "A ouvert l'espace" in row]
    assert len(opened) == 1 and "6 fois" in opened[0]

    for n in range(30):
        send(identity_a, clinician, prescription_type, name=f"Compte rendu {n}")
    first, second = _rows(client, identity_a), _rows(client, identity_a, page=2)
    assert len(first) == 25 and second
    assert "Compte rendu 29" in first[0]  # newest first
    assert not set(first) & set(second)


def test_a_document_not_sent_to_the_portal_is_not_in_its_history(
    identity_a: Identity,
    patient_a: User,
    clinician: User,
    recipient: Professional,
    prescription_type: DocumentType,
) -> None:
    send(
        identity_a,
        clinician,
        prescription_type,
        professionals=[recipient],
        copy_to_patient=False,
        name="Courrier au confrère",
    )
    client = Client()
    client.force_login(patient_a)
    assert not any("Courrier au confrère" in row for row in _rows(client, identity_a))
