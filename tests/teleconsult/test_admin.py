"""Teleconsultations in the admin: listed and shown, never added nor deleted there."""

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from teleconsult.models import Teleconsultation
from tests.factories import login_as

pytestmark = pytest.mark.django_db


def test_an_admin_lists_and_opens_teleconsultations(
    client: Client, admin_user: User, planned: Teleconsultation
) -> None:
    login_as(client, admin_user)
    listing = client.get(reverse("admin:teleconsult_teleconsultation_changelist"))
    assert listing.status_code == 200
    assert "TELECONSULTATION" in listing.content.decode()
    change = reverse("admin:teleconsult_teleconsultation_change", args=[planned.pk])
    assert client.get(change).status_code == 200
    assert client.get(reverse("admin:teleconsult_teleconsultation_add")).status_code == 403


def test_a_clinician_is_kept_out(clinician_client: Client) -> None:
    response = clinician_client.get(reverse("admin:teleconsult_teleconsultation_changelist"))
    assert response.status_code == 302
