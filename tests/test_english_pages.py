"""English pages put no space before « : ; ? ! »: the colon is inside the translated string
("Email:" in English, "Email :" with a non-breaking space in French), never after it."""

import re
from html import unescape

import pytest
from django.test import Client
from django.urls import reverse

from documents.models import DocumentType
from identities.models import Identity
from portal.models import User
from tests.documents.conftest import (  # noqa: F401
    identity_a,
    patient_a,
    prescription_type,
    send,
)
from tests.factories import login_as
from tests.teleconsult.conftest import plan

pytestmark = pytest.mark.django_db

# A space (any kind) then a double punctuation mark ending a phrase: French typography.
FRENCH_SPACING = re.compile(r"[ \u00a0\u202f][:;?!](?=\s|$)")


def visible_text(page: str) -> str:
    page = re.sub(r"<(script|style|template)\b.*?</\1>", " ", page, flags=re.S | re.I)
    page = re.sub(r"<!--.*?-->", " ", page, flags=re.S)
    return unescape(re.sub(r"<[^>]+>", "\n", page))


def _english(client: Client, path: str) -> str:
    response = client.get(path, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200, path
    page = response.content.decode()
    assert '<html lang="en">' in page, path
    return page


def test_key_pages_in_english_have_no_space_before_a_colon(
    client: Client,
    clinician: User,
    identity_a: Identity,  # noqa: F811
    patient_a: User,  # noqa: F811
    prescription_type: DocumentType,  # noqa: F811
) -> None:
    dispatch = send(identity_a, clinician, prescription_type)
    teleconsultation = plan(identity_a, clinician)
    professional = login_as(Client(), clinician)
    patient = login_as(Client(), patient_a)
    portal = identity_a.portal
    pages = [
        (client, reverse("portal:login")),
        (client, reverse("portal:patient_login")),
        (professional, reverse("portal:home")),
        (professional, reverse("identities:search") + "?name=teleconsultation"),
        (professional, reverse("identities:search") + "?name=zzzzqqq"),
        (professional, reverse("identities:detail", args=[identity_a.uuid])),
        (professional, reverse("documents:send", args=[identity_a.uuid])),
        (professional, reverse("documents:recap", args=[dispatch.uuid])),
        (professional, reverse("documents:received")),
        (professional, reverse("documents:sent")),
        (professional, reverse("teleconsult:detail", args=[teleconsultation.uuid])),
        (professional, reverse("teleconsult:agenda")),
        (professional, reverse("teleconsult:reschedule", args=[teleconsultation.uuid])),
        (patient, reverse("portal:portal_home", args=[portal.uuid])),
        (patient, reverse("portal:portal_history", args=[portal.uuid])),
        (patient, reverse("portal:contact_details")),
    ]
    wrong = []
    for who, path in pages:
        text = visible_text(_english(who, path))
        for line in text.splitlines():
            if FRENCH_SPACING.search(line):
                wrong.append(f"{path}: {line.strip()}")
    assert wrong == []


def test_the_same_page_in_french_keeps_the_non_breaking_space(
    clinician: User,
    identity_a: Identity,  # noqa: F811
    patient_a: User,  # noqa: F811
) -> None:
    patient = login_as(Client(), patient_a)
    english = visible_text(_english(patient, reverse("portal:contact_details")))
    assert "Email:" in english and "Mobile phone:" in english
    french = visible_text(patient.get(reverse("portal:contact_details")).content.decode())
    assert "Email\u00a0:" in french and "Téléphone portable\u00a0:" in french
