"""An error is printed once, beside what it is about: not twice on the page."""

import re
from html import unescape

import pytest
from django.test import Client
from django.urls import reverse

from identities.models import Identity
from portal.models import User
from tests.factories import PASSWORD, login_as

pytestmark = pytest.mark.django_db


def test_a_wrong_code_is_printed_once(client: Client, patient_a: User) -> None:
    client.post(
        reverse("portal:patient_login"),
        {"email": "bobby@teleconsultation.com", "password": PASSWORD},
    )
    page = unescape(
        client.post(reverse("portal:patient_code"), {"code": "000000"}).content.decode()
    )
    assert page.count("Code incorrect") == 1


def test_an_email_already_used_is_printed_once(
    client: Client, clinician: User, patient_a: User, identity_b: Identity
) -> None:
    login_as(client, clinician)
    response = client.post(
        reverse("portal:create_portal", args=[identity_b.uuid]),
        {
            "quality": "titulaire",
            "email": "bobby@teleconsultation.com",
            "mobile": "0612345679",
            "consent_method": "consultation",
            "consent": "on",
        },
    )
    page = unescape(response.content.decode())
    assert page.count("déjà utilisée par une autre personne") == 1


def test_a_wrong_authenticator_code_is_printed_once(client: Client, patient_a: User) -> None:
    client.force_login(patient_a)
    page = client.get(reverse("portal:security")).content.decode()
    key = page.split('name="key" value="')[1].split('"')[0]
    response = client.post(reverse("portal:security"), {"key": key, "token": "000000"})
    page = unescape(response.content.decode())
    errors = re.findall(r"<ul class=\"errorlist[^>]*>(.*?)</ul>", page, re.S)
    assert len(errors) == 1, errors


def test_an_email_already_used_is_printed_once_on_the_contact_change(
    client: Client, patient_a: User, guardian_of_a: User
) -> None:
    client.force_login(patient_a)
    response = client.post(
        reverse("portal:contact_details"),
        {"email": "parent@exemple.fr", "mobile": "", "password": PASSWORD},
    )
    page = unescape(response.content.decode())
    assert page.count("déjà utilisée par une autre personne") == 1
