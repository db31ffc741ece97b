"""Portal creation goes back to a safe ``next`` only, and never fails after the commit."""

import pytest
from django.test import Client
from django.urls import reverse

from identities.models import Identity
from portal.models import PortalAccount

pytestmark = pytest.mark.django_db

FORM = {
    "quality": "titulaire",
    "email": "bobby@teleconsultation.com",
    "mobile": "06 01 02 30 40",
    "consent_method": "teleconsultation",
    "consent": "on",
}


@pytest.mark.parametrize(
    "bad_next", ["abc", "//evil.example", "https://evil.example/", "javascript:alert(1)"]
)
def test_a_bad_next_goes_to_the_identity_page(
    clinician_client: Client, identity_a: Identity, bad_next: str
) -> None:
    url = reverse("portal:create_portal", args=[identity_a.uuid])
    response = clinician_client.post(f"{url}?next={bad_next}", FORM)
    assert response.status_code == 302
    assert response["Location"] == reverse("identities:detail", args=[identity_a.uuid])
    assert PortalAccount.objects.filter(identity=identity_a).exists()


def test_a_safe_next_is_followed(clinician_client: Client, identity_a: Identity) -> None:
    url = reverse("portal:create_portal", args=[identity_a.uuid])
    response = clinician_client.post(f"{url}?next=/documents/envoyer/", FORM)
    assert response["Location"] == "/documents/envoyer/"
