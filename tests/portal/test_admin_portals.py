"""Portal accounts, their accesses and consents, and professional profiles in the admin."""

import pytest
from django.test import Client
from django.urls import reverse

from audit.models import AccessLog
from portal.models import Consent, PortalAccess, User
from tests.factories import login_as

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client: Client, admin_user: User) -> Client:
    login_as(client, admin_user)
    return client


def test_an_admin_sees_a_portal_with_its_accesses_and_consent(
    admin_client: Client, patient_a: User
) -> None:
    access = PortalAccess.objects.get(user=patient_a)
    page = admin_client.get(reverse("admin:portal_portalaccount_change", args=[access.portal_id]))
    text = page.content.decode()
    assert page.status_code == 200
    assert str(patient_a) in text and "Titulaire" in text
    assert Consent.objects.get(portal=access.portal).wording_version in text


@pytest.mark.parametrize(
    "page",
    [
        "admin:portal_portalaccount_changelist",
        "admin:portal_portalaccess_changelist",
        "admin:portal_consent_changelist",
        "admin:portal_professionalprofile_changelist",
    ],
)
def test_an_admin_opens_the_lists(admin_client: Client, patient_a: User, page: str) -> None:
    assert admin_client.get(reverse(page)).status_code == 200


def test_a_consent_cannot_be_changed(admin_client: Client, patient_a: User) -> None:
    consent = Consent.objects.get()
    url = reverse("admin:portal_consent_change", args=[consent.pk])
    admin_client.post(url, {"wording": "autre chose", "method": "ecrit"})
    consent.refresh_from_db()
    assert consent.wording != "autre chose"
    delete = reverse("admin:portal_consent_delete", args=[consent.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    assert Consent.objects.filter(pk=consent.pk).exists()


def test_an_admin_revokes_an_access_and_it_is_traced(
    admin_client: Client, admin_user: User, patient_a: User
) -> None:
    access = PortalAccess.objects.get(user=patient_a)
    response = admin_client.post(
        reverse("admin:portal_portalaccess_changelist"),
        {"action": "revoke", "_selected_action": [access.pk]},
    )
    assert response.status_code == 302
    access.refresh_from_db()
    assert access.revoked_at is not None
    assert AccessLog.objects.filter(
        action="portal.revoke_access", actor=admin_user, object_id=str(access.portal.uuid)
    ).exists()


def test_a_professional_profile_links_to_its_directory_entry(
    admin_client: Client, clinician: User
) -> None:
    profile = clinician.professional_profile
    page = admin_client.get(reverse("admin:portal_professionalprofile_changelist"))
    directory = reverse("admin:documents_professional_changelist")
    assert f'href="{directory}?q={profile.rpps}"' in page.content.decode()


def test_a_clinician_is_kept_out_of_the_portal_admin(clinician_client: Client) -> None:
    response = clinician_client.get(reverse("admin:portal_portalaccount_changelist"))
    assert response.status_code == 302
