from html import unescape

import pytest
from django.test import Client
from django.urls import reverse

from audit.models import AccessLog
from identities.models import Identity
from notifications.models import Notification
from portal import services
from portal.models import PortalAccess, PortalAccount, User
from tests.factories import login_as
from tests.portal.conftest import open_portal

pytestmark = pytest.mark.django_db


def _url(identity: Identity) -> str:
    return reverse("portal:create_portal", args=[identity.uuid])


def _post(client: Client, identity: Identity, **data: str) -> object:
    form = {
        "quality": "titulaire",
        "email": "bobby@teleconsultation.com",
        "mobile": "06 01 02 30 40",
        "consent_method": "teleconsultation",
        "consent": "on",
    } | data
    return client.post(_url(identity), {k: v for k, v in form.items() if v is not None})


def test_the_page_uses_the_guides_labels(clinician_client: Client, identity_a: Identity) -> None:
    body = unescape(clinician_client.get(_url(identity_a)).content.decode())
    assert "Création d'un compte" in body
    assert "Personne titulaire du compte\u00a0:" in body
    assert "TELECONSULTATION Bobby, né(e) le 01/01/1980" in body
    for label in (
        "Qualité du signataire",
        "Email du signataire *",
        "Téléphone portable du signataire *",
        "Titulaire",
    ):
        assert label in body, label


def test_it_creates_the_account_in_one_step(
    clinician_client: Client,
    clinician: User,
    identity_a: Identity,
    django_capture_on_commit_callbacks: object,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(clinician_client, identity_a)
    assert response.status_code == 302
    portal = PortalAccount.objects.get(identity=identity_a)
    access = portal.accesses.get()
    assert access.quality == PortalAccess.Quality.HOLDER
    assert access.user.email == "bobby@teleconsultation.com"
    assert access.user.mobile.as_e164 == "+33601023040"
    assert access.user.activated_at is None and not access.user.has_usable_password()
    consent = portal.consents.get()
    assert (consent.recorded_by, consent.method, consent.wording_version) == (
        clinician,
        "teleconsultation",
        "2026-11",
    )
    assert "vous êtes tenu d'informer le patient et d'obtenir son consentement" in consent.wording
    identity_a.refresh_from_db()
    assert identity_a.email == "bobby@teleconsultation.com"
    sent = Notification.objects.filter(purpose="portal_activation").order_by("channel")
    assert [(n.channel, n.status) for n in sent] == [("email", "sent"), ("sms", "sent")]
    assert AccessLog.objects.filter(action="portal.create", actor=clinician).exists()


def test_consent_is_required(clinician_client: Client, identity_a: Identity) -> None:
    body = unescape(_post(clinician_client, identity_a, consent=None).content.decode())
    assert "Vous devez informer le patient et obtenir son consentement" in body
    assert not PortalAccount.objects.exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("mobile", "06010230405", "Saisissez un numéro de portable valide"),
        ("mobile", "04 75 12 34 56", "n'est pas un numéro de portable"),
        ("mobile", "", "Ce champ est obligatoire."),
        ("email", "", "Ce champ est obligatoire."),
        ("email", "bobby@", "Saisissez une adresse de courriel valide."),
    ],
)
def test_bad_input_is_explained_and_nothing_is_created(
    clinician_client: Client, identity_a: Identity, field: str, value: str, message: str
) -> None:
    response = _post(clinician_client, identity_a, **{field: value})
    assert response.status_code == 200
    assert message in unescape(response.content.decode())
    assert not PortalAccount.objects.exists() and not User.objects.filter(role="patient").exists()


def test_a_parent_holds_the_portals_of_two_children(
    clinician: User, identity_a: Identity, child_of_a: Identity
) -> None:
    for child in (identity_a, child_of_a):
        open_portal(
            child,
            by=clinician,
            email="parent@exemple.fr",
            mobile="0611223344",
            quality="representant_legal",
        )
    parent = User.objects.get(email="parent@exemple.fr")
    assert parent.portal_accesses.count() == 2


def test_two_parents_hold_one_portal(clinician: User, child_of_a: Identity) -> None:
    open_portal(
        child_of_a,
        by=clinician,
        email="mere@exemple.fr",
        mobile="0611223344",
        quality="representant_legal",
    )
    open_portal(
        child_of_a,
        by=clinician,
        email="pere@exemple.fr",
        mobile="0698765432",
        quality="representant_legal",
    )
    assert child_of_a.portal.accesses.count() == 2


def test_another_person_cannot_reuse_an_email(
    clinician: User, identity_a: Identity, identity_b: Identity
) -> None:
    open_portal(identity_a, by=clinician, email="bobby@teleconsultation.com", mobile="0601023040")
    with pytest.raises(services.PortalError, match="déjà utilisée par une autre personne"):
        open_portal(
            identity_b, by=clinician, email="Bobby@Teleconsultation.com", mobile="0698765432"
        )


def test_a_clinicians_email_cannot_become_a_patient_account(
    clinician: User, identity_a: Identity
) -> None:
    with pytest.raises(services.PortalError, match="déjà utilisée"):
        open_portal(identity_a, by=clinician, email=clinician.email, mobile="0601023040")


def test_a_portal_has_one_holder(clinician: User, identity_a: Identity) -> None:
    open_portal(identity_a, by=clinician, email="bobby@teleconsultation.com", mobile="0601023040")
    with pytest.raises(services.PortalError, match="déjà un titulaire"):
        open_portal(identity_a, by=clinician, email="autre@exemple.fr", mobile="0698765432")


def test_a_merged_identity_gets_no_portal(clinician: User, identity_a: Identity) -> None:
    identity_a.is_active = False
    identity_a.save(update_fields=["is_active"])
    with pytest.raises(services.PortalError, match="fusionnée"):
        open_portal(
            identity_a, by=clinician, email="bobby@teleconsultation.com", mobile="0601023040"
        )


def test_an_existing_account_is_told_instead_of_activated_again(
    clinician: User, identity_a: Identity, child_of_a: Identity
) -> None:
    from tests.portal.conftest import activate

    open_portal(
        identity_a,
        by=clinician,
        email="parent@exemple.fr",
        mobile="0611223344",
        quality="representant_legal",
    )
    activate(User.objects.get(email="parent@exemple.fr"))
    open_portal(
        child_of_a,
        by=clinician,
        email="parent@exemple.fr",
        mobile="0611223344",
        quality="representant_legal",
    )
    assert Notification.objects.filter(purpose="portal_access_granted").count() == 1
    assert Notification.objects.filter(purpose="portal_activation", channel="email").count() == 1


def test_patients_and_strangers_cannot_open_the_page(
    client: Client, patient: User, identity_a: Identity
) -> None:
    assert client.get(_url(identity_a)).status_code == 302  # anonymous: to login
    login_as(client, patient)
    assert client.get(_url(identity_a)).status_code == 404
    assert _post(client, identity_a).status_code == 404
    assert not PortalAccount.objects.exists()
