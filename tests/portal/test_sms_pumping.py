"""A professional cannot make the portal send SMS without limit, nor to any country (issue 16)."""

from html import unescape

import pytest
from django.test import Client
from django.urls import reverse

from identities.models import Identity
from notifications import services as notifications
from notifications.models import Notification
from portal.models import PortalAccount, User
from tests.factories import IdentityFactory, login_as

pytestmark = pytest.mark.django_db


def _create(client: Client, identity: Identity, mobile: str, n: int = 0) -> object:
    return client.post(
        reverse("portal:create_portal", args=[identity.uuid]),
        {
            "quality": "titulaire",
            "email": f"patient{n}@exemple.fr",
            "mobile": mobile,
            "consent_method": "consultation",
            "consent": "on",
        },
    )


@pytest.mark.parametrize(
    "mobile", ["+44 7911 123456", "+1 650 253 0000", "+7 912 345 67 89", "+371 2012 3456"]
)
def test_a_foreign_mobile_is_refused_by_default(
    clinician_client: Client, identity_a: Identity, mobile: str
) -> None:
    response = _create(clinician_client, identity_a, mobile)
    assert response.status_code == 200
    assert "numéros de portable français" in unescape(response.content.decode())
    assert not PortalAccount.objects.exists()
    assert not Notification.objects.filter(channel="sms").exists()


@pytest.mark.parametrize(
    "mobile", ["06 12 34 56 78", "07 56 12 34 56", "+262 692 12 34 56", "+590 690 12 34 56"]
)
def test_french_mobiles_overseas_included_are_accepted(mobile: str) -> None:
    assert notifications.normalize_mobile(mobile).startswith("+")


def test_other_countries_can_be_allowed_by_a_setting(settings: object) -> None:
    settings.SMS_ALLOWED_COUNTRY_CODES = [33, 44]
    assert notifications.normalize_mobile("+44 7911 123456") == "+447911123456"


def test_a_professional_has_a_quota_of_sms_actions_per_hour(
    clinician_client: Client, clinician: User, settings: object
) -> None:
    settings.SMS_ACTIONS_PER_HOUR = 3
    for n in range(3):
        assert (
            _create(clinician_client, IdentityFactory(), f"06 12 34 56 7{n}", n).status_code == 302
        )
    response = _create(clinician_client, IdentityFactory(), "06 12 34 56 79", 9)
    assert response.status_code == 200
    assert "Trop de SMS envoyés" in unescape(response.content.decode())
    assert PortalAccount.objects.count() == 3


def test_the_quota_is_per_professional(
    clinician_client: Client, other_clinician: User, settings: object
) -> None:
    settings.SMS_ACTIONS_PER_HOUR = 1
    assert _create(clinician_client, IdentityFactory(), "06 12 34 56 70", 0).status_code == 302
    other = Client()
    login_as(other, other_clinician)
    assert _create(other, IdentityFactory(), "06 12 34 56 71", 1).status_code == 302
