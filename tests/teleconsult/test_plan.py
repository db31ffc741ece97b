"""Planning a teleconsultation: the service and the guide's first screen."""

import datetime
import html
import zoneinfo

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from identities.models import Identity
from notifications.backends import sms
from notifications.models import Notification
from portal.models import Consent, PortalAccess
from teleconsult import services
from teleconsult.models import Teleconsultation
from tests.factories import login_as
from tests.teleconsult.conftest import IN_TWO_DAYS, plan

pytestmark = pytest.mark.django_db

PLAN_URL = reverse("teleconsult:plan")
PARIS = zoneinfo.ZoneInfo("Europe/Paris")


def _form(identity: Identity, **overrides: object) -> dict[str, object]:
    day = (timezone.localtime() + IN_TWO_DAYS).date()
    return {
        "patient": str(identity.uuid),
        "email": "bobby@teleconsultation.com",
        "mobile": "0601023040",
        "invite_email": "on",
        "invite_sms": "on",
        "create_portal": "on",
        "quality": "titulaire",
        "consent": "on",
        "date": day.strftime("%d/%m/%Y"),
        "time": "10:30",
        "duration_minutes": "15",
        "reason": "Suivi tension",
        **overrides,
    }


def test_it_plans_creates_the_portal_and_invites_in_one_step(
    clinician_client: Client,
    clinician: User,
    identity_a: Identity,
    django_capture_on_commit_callbacks: object,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = clinician_client.post(PLAN_URL, _form(identity_a))
    teleconsultation = Teleconsultation.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("teleconsult:detail", args=[teleconsultation.uuid])
    local = timezone.localtime(teleconsultation.starts_at, PARIS)
    assert (local.hour, local.minute) == (10, 30)
    assert teleconsultation.starts_at.utcoffset() == datetime.timedelta(0)  # stored UTC
    assert teleconsultation.clinician == clinician
    assert teleconsultation.duration_minutes == 15
    access = PortalAccess.objects.get(portal__identity=identity_a)
    assert access.quality == "titulaire"
    assert Consent.objects.get(portal=access.portal).method == "teleconsultation"
    purposes = sorted(Notification.objects.values_list("purpose", "channel"))
    assert purposes == [
        ("portal_activation", "email"),
        ("portal_activation", "sms"),
        ("teleconsultation_invitation", "email"),
        ("teleconsultation_invitation", "sms"),
    ]
    invitation = next(m for m in mail.outbox if "téléconsultation" in m.subject.lower())
    assert local.strftime("%d/%m/%Y") in invitation.body
    assert "10:30" in invitation.body
    assert services.join_url(teleconsultation) in invitation.body
    assert "Suivi tension" not in invitation.body  # no health data
    assert any(services.join_url(teleconsultation) in message.body for message in sms.outbox)


def test_the_page_shows_what_was_sent_and_each_status(
    clinician_client: Client, identity_a: Identity, django_capture_on_commit_callbacks: object
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        clinician_client.post(PLAN_URL, _form(identity_a))
    teleconsultation = Teleconsultation.objects.get()
    body = clinician_client.get(
        reverse("teleconsult:detail", args=[teleconsultation.uuid])
    ).content.decode()
    assert body.count("bobby@teleconsultation.com") >= 2
    assert "+33601023040" in body
    assert "Envoyé" in body
    assert body.index("Activation du portail") < body.index("Invitation")


def test_the_planning_page_has_the_guide_labels(
    clinician_client: Client, identity_a: Identity
) -> None:
    body = html.unescape(clinician_client.get(PLAN_URL).content.decode())
    assert "Patient" in body
    assert "Rechercher" in body
    assert "+ Cliquez ici si vous n'avez pas trouvé votre patient" in body
    body = html.unescape(
        clinician_client.get(f"{PLAN_URL}?patient={identity_a.uuid}").content.decode()
    )
    for label in (
        "BOBBY",
        "TELECONSULTATION",
        "Inviter par email",
        "Inviter par sms",
        "Créer un portail MaSantéConnectée accessible par le\u00a0:",
        "Titulaire",
        "vous êtes tenu d'informer le patient et d'obtenir son consentement",
        "Terminer la planification",
    ):
        assert label in body, label
    assert 'value="15"' in body  # the default duration


def test_the_search_offers_to_choose_the_patient(
    clinician_client: Client, identity_a: Identity
) -> None:
    response = clinician_client.get(
        reverse("teleconsult:patients"),
        {"name": "TELECONSULTATION", "first_name": "Bobby"},
        headers={"HX-Request": "true"},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert f"?patient={identity_a.uuid}" in body
    assert "next=/teleconsultation/creer/" in body


def test_identity_creation_comes_back_with_the_new_identity_chosen(
    clinician_client: Client,
) -> None:
    response = clinician_client.post(
        reverse("identities:create") + "?next=/teleconsultation/creer/",
        {
            "birth_name": "NOUVEAU",
            "first_name": "Jean",
            "birth_date": "01/02/1990",
            "sex": "M",
            "birthplace_kind": "france",
            "birthplace": "CHABEUIL (26120)",
            "birthplace_code": "",
            "birth_country": "",
            "email": "",
            "mobile": "",
            "ins_matricule": "",
            "no_objection": "on",
            "next": "/teleconsultation/creer/",
        },
    )
    identity = Identity.objects.get(birth_name="NOUVEAU")
    assert response.status_code == 302
    assert response["Location"] == f"/teleconsultation/creer/?patient={identity.uuid}"


def test_identity_creation_never_goes_back_to_another_site(clinician_client: Client) -> None:
    response = clinician_client.get(reverse("identities:create") + "?next=https://evil.test/")
    assert response.context["next"] == ""
    response = clinician_client.get(reverse("identities:create") + "?next=/teleconsultation/creer/")
    assert 'name="next" value="/teleconsultation/creer/"' in response.content.decode()


def test_with_a_portal_already_it_only_invites(
    clinician: User, identity_a: Identity, patient_a: User
) -> None:
    Notification.objects.all().delete()
    teleconsultation = plan(identity_a, clinician, sms=True)
    assert teleconsultation.invite_email == "bobby@teleconsultation.com"
    assert teleconsultation.invite_mobile == "+33601023040"
    assert sorted(Notification.objects.values_list("purpose", flat=True)) == [
        "teleconsultation_invitation",
        "teleconsultation_invitation",
    ]


def test_a_rollback_sends_nothing(clinician: User, identity_a: Identity) -> None:
    with pytest.raises(services.TeleconsultError):
        plan(identity_a, clinician, create_portal=True, consent_given=False)
    assert not Notification.objects.exists()
    assert not Teleconsultation.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"date": "01/01/2020"}, "date", "Choisissez une date et une heure à venir."),
        ({"date": "31/02/2027"}, "date", "Saisissez une date comme 24/08/2027."),
        ({"time": "25:00"}, "time", "Saisissez une heure comme 14:30."),
        ({"duration_minutes": "0"}, "duration_minutes", "La durée doit être comprise"),
        ({"duration_minutes": "241"}, "duration_minutes", "La durée doit être comprise"),
        ({"invite_email": "", "invite_sms": ""}, "invite_email", "Choisissez comment inviter"),
        ({"consent": ""}, "consent", "Vous devez informer le patient"),
        ({"email": ""}, "email", "Saisissez l'adresse email du patient."),
        ({"mobile": ""}, "mobile", "Saisissez le numéro de mobile du patient."),
        ({"mobile": "0475000000"}, "mobile", "n'est pas un portable"),
        ({"mobile": "12"}, "mobile", "numéro de téléphone n'est pas valide"),
        ({"email": "bobby@"}, "email", "adresse email n'est pas valide"),
    ],
)
def test_it_refuses_bad_input_beside_the_field_and_keeps_what_was_typed(
    clinician_client: Client,
    identity_a: Identity,
    overrides: dict[str, str],
    field: str,
    message: str,
) -> None:
    response = clinician_client.post(PLAN_URL, _form(identity_a, **overrides))
    assert response.status_code == 400
    form = response.context["form"]
    assert any(message in error for error in form.errors.get(field, [])), form.errors
    assert message in html.unescape(response.content.decode())
    assert 'value="Suivi tension"' in response.content.decode()
    assert not Teleconsultation.objects.exists()
    assert not Notification.objects.exists()


def test_a_portal_needs_the_email_even_when_inviting_by_sms_only(
    clinician_client: Client, identity_a: Identity
) -> None:
    response = clinician_client.post(PLAN_URL, _form(identity_a, email="", invite_email=""))
    assert response.status_code == 400
    assert "Saisissez l'adresse email du patient." in response.context["form"].errors["email"]


def test_without_a_chosen_patient_it_asks_for_one(clinician_client: Client) -> None:
    response = clinician_client.post(PLAN_URL, {"date": "01/01/2030", "time": "10:00"})
    assert response.status_code == 400
    assert "Recherchez le patient" in response.content.decode()


def test_another_clinician_gets_a_404(
    client: Client, other_clinician: User, planned: object
) -> None:
    login_as(client, other_clinician)
    for name in ("detail", "reschedule"):
        assert client.get(reverse(f"teleconsult:{name}", args=[planned.uuid])).status_code == 404
    assert client.post(reverse("teleconsult:cancel", args=[planned.uuid])).status_code == 404
    assert client.post(reverse("teleconsult:finalise", args=[planned.uuid])).status_code == 404


def test_a_patient_cannot_reach_the_clinicians_pages(
    client: Client, patient_a: User, planned: Teleconsultation
) -> None:
    login_as(client, patient_a)
    for url in (
        PLAN_URL,
        reverse("teleconsult:agenda"),
        reverse("teleconsult:patients"),
        reverse("teleconsult:detail", args=[planned.uuid]),
    ):
        assert client.get(url).status_code == 404, url


def test_anonymous_visitors_are_sent_to_log_in(client: Client) -> None:
    response = client.get(PLAN_URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("portal:login"))


def test_it_rejects_other_methods(clinician_client: Client, planned: Teleconsultation) -> None:
    assert clinician_client.put(PLAN_URL).status_code == 405
    assert (
        clinician_client.get(reverse("teleconsult:cancel", args=[planned.uuid])).status_code == 405
    )


def test_a_patient_merged_meanwhile_must_be_chosen_again(
    clinician_client: Client, identity_a: Identity
) -> None:
    Identity.objects.filter(pk=identity_a.pk).update(is_active=False)
    response = clinician_client.post(PLAN_URL, _form(identity_a))
    assert response.status_code == 400
    assert "Recherchez le patient, puis choisissez-le dans la liste." in html.unescape(
        response.content.decode()
    )
    assert not Teleconsultation.objects.exists()


def test_without_javascript_the_search_shows_its_results_in_the_page(
    clinician_client: Client, identity_a: Identity
) -> None:
    response = clinician_client.get(PLAN_URL, {"name": "TELECONSULTATION", "first_name": "Bobby"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" in body
    assert f"?patient={identity_a.uuid}" in body
