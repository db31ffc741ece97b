"""The patient space against the personas: patient A, patient B, guardian of A, a clinician,
a stranger. Each gets exactly what it should; otherwise a 404."""

from html import unescape

import pytest
from django.test import Client
from django.urls import reverse

from audit.models import AccessLog
from identities.models import Identity
from portal.models import User
from tests.factories import login_as

pytestmark = pytest.mark.django_db


@pytest.fixture
def personas(
    patient_a: User, patient_b: User, guardian_of_a: User, clinician: User, patient: User
) -> dict[str, User]:
    # "patient" is a patient account with no portal at all: the stranger.
    return {
        "a": patient_a,
        "b": patient_b,
        "guardian": guardian_of_a,
        "clinician": clinician,
        "stranger": patient,
    }


EXPECTED_ON_A = {"a": 200, "b": 404, "guardian": 200, "clinician": 404, "stranger": 404}


@pytest.mark.parametrize("page", ["portal:portal_home", "portal:portal_history"])
@pytest.mark.parametrize("persona", list(EXPECTED_ON_A))
def test_the_portal_of_a_opens_only_for_a_and_the_guardian(
    client: Client, personas: dict[str, User], identity_a: Identity, page: str, persona: str
) -> None:
    login_as(client, personas[persona])
    response = client.get(reverse(page, args=[identity_a.portal.uuid]))
    assert response.status_code == EXPECTED_ON_A[persona]


def test_anonymous_visitors_are_sent_to_the_patient_login(
    client: Client, identity_a: Identity, patient_a: User
) -> None:
    response = client.get(reverse("portal:portal_home", args=[identity_a.portal.uuid]))
    assert response["Location"].startswith(reverse("portal:patient_login"))


def test_a_revoked_access_applies_on_the_next_request(
    client: Client, guardian_of_a: User, identity_a: Identity
) -> None:
    from django.utils import timezone

    login_as(client, guardian_of_a)
    url = reverse("portal:portal_home", args=[identity_a.portal.uuid])
    assert client.get(url).status_code == 200
    guardian_of_a.portal_accesses.update(revoked_at=timezone.now())
    assert client.get(url).status_code == 404


def test_a_single_portal_opens_directly(
    client: Client, patient_a: User, identity_a: Identity
) -> None:
    login_as(client, patient_a)
    response = client.get(reverse("portal:patient_home"))
    assert response["Location"] == reverse("portal:portal_home", args=[identity_a.portal.uuid])


def test_a_parent_switches_between_the_portals_they_hold(
    client: Client, clinician: User, identity_a: Identity, child_of_a: Identity, guardian_of_a: User
) -> None:
    from tests.portal.conftest import open_portal

    open_portal(
        child_of_a,
        by=clinician,
        email="parent@exemple.fr",
        mobile="0611223344",
        quality="representant_legal",
    )
    login_as(client, guardian_of_a)
    body = client.get(reverse("portal:patient_home")).content.decode()
    assert "BOBBY".title() in body and "Lea" in body
    page = client.get(reverse("portal:portal_home", args=[child_of_a.portal.uuid])).content.decode()
    assert reverse("portal:portal_home", args=[identity_a.portal.uuid]) in page


def test_reading_a_portal_is_traced_and_shown_in_the_history(
    client: Client, patient_a: User, guardian_of_a: User, identity_a: Identity
) -> None:
    login_as(client, guardian_of_a)
    client.get(reverse("portal:portal_home", args=[identity_a.portal.uuid]))
    assert AccessLog.objects.filter(action="portal.read", actor=guardian_of_a).exists()
    login_as(client, patient_a)
    body = client.get(
        reverse("portal:portal_history", args=[identity_a.portal.uuid])
    ).content.decode()
    assert "Qui a consulté mes documents" in body
    assert "Votre représentant légal" in unescape(body)  # the guardian, named by their role
    assert "A créé l'espace" in unescape(body)


def test_the_patient_space_rejects_post(
    client: Client, patient_a: User, identity_a: Identity
) -> None:
    login_as(client, patient_a)
    assert (
        client.post(reverse("portal:portal_home", args=[identity_a.portal.uuid])).status_code == 405
    )


def test_logout_needs_a_post_and_ends_the_session(client: Client, patient_a: User) -> None:
    login_as(client, patient_a)
    assert client.get(reverse("portal:patient_logout")).status_code == 405
    client.post(reverse("portal:patient_logout"))
    assert "_auth_user_id" not in client.session
