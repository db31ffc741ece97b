"""NUL and other control characters in any input are refused with a 400, never a 500."""

import uuid

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("value", ["DU\x00P", "a\x1bb", "x\x7fy", "\u202egnp.exe", "\x08"])
def test_a_control_character_in_a_query_is_refused(clinician_client: Client, value: str) -> None:
    response = clinician_client.get(reverse("documents:correspondents"), {"q": value})
    assert response.status_code == 400


def test_a_nul_in_a_posted_field_is_refused(clinician_client: Client) -> None:
    response = clinician_client.post(
        reverse("documents:send", args=[uuid.uuid4()]), {"correspondents": "1000100\x002004"}
    )
    assert response.status_code == 400


def test_a_nul_in_a_field_name_is_refused(client: Client) -> None:
    response = client.post(reverse("portal:patient_login"), {"em\x00ail": "a@b.fr"})
    assert response.status_code == 400


def test_line_breaks_and_tabs_are_kept_in_text(client: Client) -> None:
    response = client.post(reverse("portal:patient_login"), {"email": "a\r\n\tb"})
    assert response.status_code == 200
