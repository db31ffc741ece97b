import pytest
from django.test import Client
from django.urls import reverse

from portal.models import User
from tests.factories import login_as

pytestmark = pytest.mark.django_db

HOME_URL = reverse("portal:home")


def test_it_sends_anonymous_visitors_to_the_login_page(client: Client) -> None:
    response = client.get(HOME_URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("portal:login"))


def test_it_shows_the_three_sections_to_a_clinician(clinician_client: Client) -> None:
    response = clinician_client.get(HOME_URL)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Bonjour Claire MARTIN" in body
    assert "Mes téléconsultations" in body
    assert "Impressions en attente" in body
    assert "Envoyer un document" in body
    # With nothing planned yet; the card itself is tested in tests/teleconsult/test_agenda.py.
    assert "Aucune téléconsultation planifiée." in body
    assert reverse("teleconsult:plan") in body


def test_it_names_the_brands_from_the_settings(clinician_client: Client, settings: object) -> None:
    settings.PORTAL_NAME = "MonPortailSanté"
    settings.PRINTER_NAME = "ImprimSanté"
    body = clinician_client.get(HOME_URL).content.decode()
    assert "MonPortailSanté" in body
    assert "ImprimSanté" in body
    assert "MaSantéConnectée" not in body


def test_it_hides_the_desk_from_patients(client: Client, patient: User) -> None:
    login_as(client, patient)
    assert client.get(HOME_URL).status_code == 404


def test_it_rejects_post(clinician_client: Client) -> None:
    assert clinician_client.post(HOME_URL).status_code == 405


def test_only_staff_see_the_administration_link(
    clinician_client: Client, client: Client, admin_user: User
) -> None:
    assert reverse("admin:index") not in clinician_client.get(HOME_URL).content.decode()
    login_as(client, admin_user)
    assert reverse("admin:index") in client.get(HOME_URL).content.decode()


def test_the_print_jobs_card_says_when_nothing_waits(clinician_client: Client) -> None:
    body = clinician_client.get(HOME_URL).content.decode()
    assert "Aucun document imprimé vers MonSisra n'attend d'être envoyé." in body
    assert reverse("printer:setup") in body
