"""The holder can undo, for 30 days, a new access or a new mobile a professional made (issue 16)."""

from datetime import timedelta
from html import unescape

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from audit.models import AccessLog
from identities.models import Identity
from portal.models import PortalAccess, PortalChange, User
from tests.factories import login_as
from tests.portal.conftest import activate

pytestmark = pytest.mark.django_db


def _add_representative(clinician_client: Client, identity: Identity) -> PortalChange:
    clinician_client.post(
        reverse("portal:create_portal", args=[identity.uuid]),
        {
            "quality": "representant_legal",
            "email": "parent@exemple.fr",
            "mobile": "06 99 88 77 66",
            "consent_method": "consultation",
            "consent": "on",
            "attested": "on",
        },
    )
    return PortalChange.objects.get(kind="access")


def _new_mobile(clinician_client: Client, identity: Identity, person: User) -> PortalChange:
    clinician_client.post(
        reverse("portal:lost_phone", args=[identity.portal.uuid]),
        {
            "person": person.pk,
            "mobile": "07 56 12 34 56",
            "identity_checked": "on",
            "attested": "on",
        },
    )
    return PortalChange.objects.get(kind="mobile")


def _undo_url(change: PortalChange) -> str:
    return reverse("portal:undo_change", args=[change.portal.uuid, change.uuid])


def test_the_holder_undoes_a_new_access_from_their_space(
    clinician_client: Client, client: Client, patient_a: User, identity_a: Identity
) -> None:
    change = _add_representative(clinician_client, identity_a)
    login_as(client, patient_a)
    page = unescape(
        client.get(reverse("portal:portal_home", args=[identity_a.portal.uuid])).content.decode()
    )
    assert "Annuler ce changement" in page
    assert "parent@exemple.fr" in page
    assert client.post(_undo_url(change)).status_code == 302
    assert not PortalAccess.objects.filter(
        user__email="parent@exemple.fr", revoked_at__isnull=True
    ).exists()
    assert AccessLog.objects.filter(action="portal.change_undone", actor=patient_a).exists()
    page = unescape(
        client.get(reverse("portal:portal_home", args=[identity_a.portal.uuid])).content.decode()
    )
    assert "Annuler ce changement" not in page


def test_the_holder_gets_their_previous_number_back(
    clinician_client: Client, client: Client, patient_a: User, identity_a: Identity
) -> None:
    change = _new_mobile(clinician_client, identity_a, patient_a)
    patient_a.refresh_from_db()
    assert patient_a.mobile.as_e164 == "+33756123456"
    login_as(client, patient_a)
    assert client.post(_undo_url(change)).status_code == 302
    patient_a.refresh_from_db()
    assert patient_a.mobile.as_e164 == "+33601023040"


def test_after_30_days_the_button_is_gone_and_a_post_is_refused(
    clinician_client: Client, client: Client, patient_a: User, identity_a: Identity
) -> None:
    change = _add_representative(clinician_client, identity_a)
    login_as(client, patient_a)
    with time_machine.travel(timezone.now() + timedelta(days=31)):
        login_as(client, patient_a)
        home = reverse("portal:portal_home", args=[identity_a.portal.uuid])
        assert "Annuler ce changement" not in unescape(client.get(home).content.decode())
        response = client.post(_undo_url(change), follow=True)
        assert "ne peut plus être annulé" in unescape(response.content.decode())
    assert PortalAccess.objects.filter(
        user__email="parent@exemple.fr", revoked_at__isnull=True
    ).exists()


def test_within_30_days_the_change_can_still_be_undone(
    clinician_client: Client, client: Client, patient_a: User, identity_a: Identity
) -> None:
    change = _add_representative(clinician_client, identity_a)
    with time_machine.travel(timezone.now() + timedelta(days=29)):
        login_as(client, patient_a)
        assert client.post(_undo_url(change)).status_code == 302
    change.refresh_from_db()
    assert change.undone_at is not None


def test_another_persons_change_is_a_404(
    clinician_client: Client,
    client: Client,
    patient_a: User,
    patient_b: User,
    identity_a: Identity,
    identity_b: Identity,
) -> None:
    change = _add_representative(clinician_client, identity_a)
    login_as(client, patient_b)
    assert client.post(_undo_url(change)).status_code == 404
    forged = reverse("portal:undo_change", args=[identity_b.portal.uuid, change.uuid])
    assert client.post(forged).status_code == 404
    assert PortalAccess.objects.filter(
        user__email="parent@exemple.fr", revoked_at__isnull=True
    ).exists()


def test_the_added_representative_cannot_undo_it_themselves(
    clinician_client: Client, client: Client, patient_a: User, identity_a: Identity
) -> None:
    change = _add_representative(clinician_client, identity_a)
    guardian = activate(User.objects.get(email="parent@exemple.fr"))
    login_as(client, guardian)
    assert client.post(_undo_url(change)).status_code == 404
