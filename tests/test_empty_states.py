"""Every list page, when empty, says what is not there and what to do next, with the action
link where there is one (one test per page)."""

import re
from html import unescape

import pytest
from django.test import Client
from django.urls import reverse

from identities.models import Identity
from portal.models import PortalAccess, User
from tests.documents.conftest import identity_a, patient_a  # noqa: F401
from tests.factories import login_as

pytestmark = pytest.mark.django_db


def _empty_state(client: Client, path: str) -> tuple[str, list[str]]:
    """The empty state's text and its links; exactly one on the page."""
    response = client.get(path)
    assert response.status_code == 200, path
    page = response.content.decode()
    states = re.findall(r'<div class="empty-state">(.*?)</div>', page, flags=re.S)
    assert len(states) == 1, (path, len(states))
    text = unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", states[0])))
    return text, re.findall(r'href="([^"]+)"', states[0])


@pytest.fixture
def professional(clinician: User) -> Client:
    return login_as(Client(), clinician)


def test_identity_search_without_a_match(professional: Client) -> None:
    text, _links = _empty_state(professional, reverse("identities:search") + "?name=zzzqqq")
    assert "Aucun dossier ne correspond à votre recherche." in text
    assert "créez son dossier (lien ci-dessous)" in text
    page = professional.get(reverse("identities:search") + "?name=zzzqqq").content.decode()
    assert f'href="{reverse("identities:create")}?birth_name=' in page


def test_received_documents_empty(professional: Client) -> None:
    text, links = _empty_state(professional, reverse("documents:received"))
    assert "Aucun document ne vous a encore été envoyé." in text
    assert "recherchez d'abord le patient" in text
    assert links == [reverse("identities:search")]


def test_sent_documents_empty(professional: Client) -> None:
    text, links = _empty_state(professional, reverse("documents:sent"))
    assert "Aucun document envoyé pour l'instant." in text
    assert "Envoyer un document" in text and "sur son dossier" in text
    assert links == [reverse("identities:search")]


def test_my_teleconsultations_empty(professional: Client) -> None:
    response = professional.get(reverse("teleconsult:agenda"))
    page = response.content.decode()
    first = unescape(re.findall(r'<div class="empty-state">(.*?)</div>', page, flags=re.S)[0])
    assert "Aucune téléconsultation planifiée." in first
    assert "choisissez le patient, la date et l'heure" in first
    assert f'href="{reverse("teleconsult:plan")}"' in first


def test_print_inbox_empty(professional: Client) -> None:
    text, links = _empty_state(professional, reverse("printer:inbox"))
    assert "en attente d'envoi" in text or "attend" in text
    assert "Imprimez un document depuis votre logiciel" in text
    assert links == [reverse("printer:setup")]


def test_the_patients_documents_empty(patient_a: User, identity_a: Identity) -> None:  # noqa: F811
    patient = login_as(Client(), patient_a)
    text, links = _empty_state(
        patient, reverse("portal:portal_home", args=[identity_a.portal.uuid])
    )
    assert "Aucun document pour l'instant." in text
    assert "Vous recevrez un email" in text
    assert links == []


def test_the_access_history_empty(patient_a: User, identity_a: Identity) -> None:  # noqa: F811
    # A real history is never empty (the portal's creation is listed), so the page's template
    # is rendered with an empty page of entries.
    from django.core.paginator import Paginator
    from django.template.loader import render_to_string
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.user = patient_a
    page = render_to_string(
        "portal/portal_history.html",
        {"page": Paginator([], 20).page(1), "portal": identity_a.portal},
        request=request,
    )
    (state,) = re.findall(r'<div class="empty-state">(.*?)</div>', page, flags=re.S)
    assert "Personne ne les a encore consultés." in unescape(state)
    assert "avec qui et quand" in unescape(state)
    home = reverse("portal:portal_home", args=[identity_a.portal.uuid])
    assert re.findall(r'href="([^"]+)"', state) == [home]


def test_my_spaces_empty(patient_a: User) -> None:  # noqa: F811
    PortalAccess.objects.filter(user=patient_a).update(revoked_at="2026-01-01T00:00Z")
    patient = login_as(Client(), patient_a)
    text, links = _empty_state(patient, reverse("portal:patient_home"))
    assert "Aucun espace ne vous est ouvert pour le moment." in text
    assert "pour un enfant que vous représentez" in text
    assert links == []


def test_the_desk_cards_empty(professional: Client) -> None:
    page = unescape(professional.get(reverse("portal:home")).content.decode())
    assert "Planifiez-en une avec le bouton ci-dessous." in page
    assert "Imprimez un document depuis votre logiciel" in page
    assert f'href="{reverse("printer:setup")}"' in page
