import re

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from portal.models import User
from tests.factories import login_as

pytestmark = pytest.mark.django_db

ADMIN_PAGES = [
    "admin:index",
    "admin:portal_user_changelist",
    "admin:portal_user_add",
    "admin:identities_identity_changelist",
    "admin:documents_professional_changelist",
    "admin:documents_organisation_changelist",
    "admin:notifications_devmessage_changelist",
]


@pytest.mark.parametrize("page", ADMIN_PAGES)
def test_an_admin_opens_every_admin_page(client: Client, admin_user: User, page: str) -> None:
    call_command("seed_demo", verbosity=0)
    login_as(client, admin_user)
    response = client.get(reverse(page))
    assert response.status_code == 200


@pytest.mark.parametrize("page", ADMIN_PAGES)
def test_a_clinician_is_kept_out_of_the_admin(clinician_client: Client, page: str) -> None:
    response = clinician_client.get(reverse(page))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_an_admin_creates_a_clinician_account(client: Client, admin_user: User) -> None:
    login_as(client, admin_user)
    response = client.post(
        reverse("admin:portal_user_add"),
        {
            "email": "new.doc@portail.test",
            "first_name": "Nouveau",
            "last_name": "DOCTEUR",
            "role": "clinician",
            "usable_password": "true",
            "password1": "a-strong-password-2026",
            "password2": "a-strong-password-2026",
        },
    )
    assert response.status_code == 302, re.findall(r"errorlist.*?</ul>", response.content.decode())
    assert User.objects.get(email="new.doc@portail.test").check_password("a-strong-password-2026")


def test_identities_cannot_be_deleted_from_the_admin(client: Client, admin_user: User) -> None:
    call_command("seed_demo", verbosity=0)
    from identities.models import Identity

    login_as(client, admin_user)
    identity = Identity.objects.order_by("pk").first()
    response = client.get(reverse("admin:identities_identity_delete", args=[identity.pk]))
    assert response.status_code == 403
