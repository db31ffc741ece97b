"""The directory's pages, against the personas: each gets what it should, otherwise 404."""

from html import unescape

import pytest
from django.test import Client
from django.urls import reverse

from audit.models import AccessLog
from identities.models import Identity, IdentityEvent
from portal.models import User
from tests.factories import login_as

pytestmark = pytest.mark.django_db

SEARCH_URL = reverse("identities:search")
CREATE_URL = reverse("identities:create")


def _text(response: object) -> str:
    return unescape(response.content.decode())


BOBBY = {
    "first_name": "bobby",
    "birth_name": "Téléconsultation",
    "used_name": "",
    "birth_date": "24/08/1989",
    "sex": "M",
    "birthplace_kind": "france",
    "birthplace": "CHABEUIL (26120)",
    "birthplace_code": "",
    "birth_country": "",
    "email": "bobby@teleconsultation.com",
    "mobile": "06 01 02 30 40",
    "ins_matricule": "",
    "no_objection": "on",
}


# --- Search ------------------------------------------------------------------------------------


def test_the_search_page_shows_the_guides_columns(
    clinician_client: Client, directory: dict[str, Identity]
) -> None:
    response = clinician_client.get(SEARCH_URL, {"name": "teleconsultation", "first_name": "bobby"})
    body = unescape(response.content.decode())
    assert response.status_code == 200
    for column in ("Nom", "Prénom", "Sexe", "Date de naissance", "Lieu de naissance"):
        assert f'<th scope="col">{column}</th>' in body
    assert "TELECONSULTATION" in body and "Bobby" in body and "24/08/1989" in body
    assert "CHABEUIL (26120)" in body
    assert "Provisoire" in body
    assert "+ Cliquez ici si vous n'avez pas trouvé votre patient" in body


def test_htmx_gets_only_the_results(
    clinician_client: Client, directory: dict[str, Identity]
) -> None:
    response = clinician_client.get(SEARCH_URL, {"name": "telec"}, headers={"hx-request": "true"})
    body = unescape(response.content.decode())
    assert "<html" not in body
    assert "TELECONSULTATION" in body


def test_no_result_says_so(clinician_client: Client, directory: dict[str, Identity]) -> None:
    body = _text(clinician_client.get(SEARCH_URL, {"name": "Ducable", "first_name": "Jean Raoul"}))
    assert "Aucun dossier ne correspond à votre recherche." in body


def test_every_search_is_traced(
    clinician_client: Client, clinician: User, directory: dict[str, Identity]
) -> None:
    clinician_client.get(SEARCH_URL, {"name": "dupont", "first_name": "jean"})
    log = AccessLog.objects.get(action="identity.search")
    assert log.actor == clinician
    assert log.details["criteria"]["name"] == "DUPONT"
    assert log.details["results"] == 2


def test_a_thin_search_is_refused_and_traced(clinician_client: Client) -> None:
    body = _text(clinician_client.get(SEARCH_URL, {"name": "d"}))
    assert "Saisissez au moins les 3 premières lettres du nom" in body
    assert AccessLog.objects.get(action="identity.search").outcome == "denied"


def test_bad_search_input_gets_french_messages(clinician_client: Client) -> None:
    response = clinician_client.get(SEARCH_URL, {"name": "R2D2", "birth_date": "31/02/1990"})
    body = unescape(response.content.decode())
    assert response.status_code == 200
    assert "Un nom ne peut pas contenir de chiffres." in body
    assert "Saisissez une date réelle au format JJ/MM/AAAA" in body


def test_searches_are_rate_limited(clinician_client: Client, settings: object) -> None:
    from identities import services

    for _ in range(services.SEARCHES_PER_MINUTE):
        assert clinician_client.get(SEARCH_URL, {"name": "dupont"}).status_code == 200
    response = clinician_client.get(SEARCH_URL, {"name": "dupont"})
    assert response.status_code == 429
    assert "Trop de recherches" in unescape(response.content.decode())


@pytest.mark.parametrize("url", [SEARCH_URL, CREATE_URL, reverse("identities:communes")])
def test_anonymous_visitors_are_sent_to_login(client: Client, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("portal:login"))


@pytest.mark.parametrize("url", [SEARCH_URL, CREATE_URL, reverse("identities:communes")])
def test_patients_do_not_see_the_directory(client: Client, patient: User, url: str) -> None:
    login_as(client, patient)
    assert client.get(url).status_code == 404


def test_a_patient_cannot_read_an_identity(
    client: Client, patient: User, directory: dict[str, Identity]
) -> None:
    login_as(client, patient)
    url = reverse("identities:detail", args=[directory["bobby"].uuid])
    assert client.get(url).status_code == 404


def test_search_rejects_post(clinician_client: Client) -> None:
    assert clinician_client.post(SEARCH_URL).status_code == 405


# --- Birthplace pickers ----------------------------------------------------------------------


def test_the_commune_picker_shows_the_guides_label(clinician_client: Client) -> None:
    body = _text(clinician_client.get(reverse("identities:communes"), {"birthplace": "chabeuil"}))
    assert 'data-code="26064"' in body
    assert "CHABEUIL (26120)" in body


def test_the_country_picker_offers_insee_codes(clinician_client: Client) -> None:
    body = _text(clinician_client.get(reverse("identities:countries"), {"birth_country": "maroc"}))
    assert 'data-code="99350"' in body


# --- Creation ----------------------------------------------------------------------------------


def test_the_creation_form_uses_the_guides_labels(clinician_client: Client) -> None:
    body = unescape(clinician_client.get(CREATE_URL).content.decode())
    for label in (
        "CRÉER L'IDENTITÉ D'UN BÉNÉFICIAIRE",
        "Prénom",
        "Nom de naissance",
        "Nom d'usage (si différent du nom de naissance)",
        "Date de naissance JJ/MM/AAAA",
        "Né(e) en France",
        "Né(e) à l'étranger",
        "Information non disponible",
        "CP et ville de naissance",
        "+ Coordonnées",
        "vous êtes tenu d'informer le patient et de vous assurer de son absence d'opposition",
        "Valider",
    ):
        assert label in body, label


def test_it_creates_an_identity_and_shows_what_was_stored(
    clinician_client: Client, clinician: User
) -> None:
    response = clinician_client.post(CREATE_URL, BOBBY, follow=True)
    identity = Identity.objects.get()
    assert identity.birth_name == "TELECONSULTATION"
    assert identity.first_name == "BOBBY"
    assert identity.birthplace_code == "26064"
    assert identity.mobile.as_e164 == "+33601023040"
    assert identity.created_by == clinician
    assert identity.no_objection_at is not None
    assert identity.status == Identity.Status.PROVISIONAL
    body = unescape(response.content.decode())
    assert "Identité créée\u00a0: TELECONSULTATION BOBBY, 24/08/1989." in body
    assert "CHABEUIL (26120)" in body
    assert IdentityEvent.objects.get().kind == IdentityEvent.Kind.CREATED
    assert AccessLog.objects.filter(action="identity.create", object_id=str(identity.uuid)).exists()


def test_a_birthplace_code_from_the_picker_is_used(clinician_client: Client) -> None:
    clinician_client.post(
        CREATE_URL, BOBBY | {"birthplace": "whatever", "birthplace_code": "26064"}
    )
    assert Identity.objects.get().birthplace_code == "26064"


def test_it_creates_an_identity_born_abroad(clinician_client: Client) -> None:
    data = BOBBY | {"birthplace_kind": "abroad", "birthplace": "", "birth_country": "Maroc"}
    clinician_client.post(CREATE_URL, data)
    identity = Identity.objects.get()
    assert identity.birthplace_code == "99350"
    assert identity.birthplace_label == "MAROC"


def test_it_creates_an_identity_with_unknown_birthplace(clinician_client: Client) -> None:
    clinician_client.post(CREATE_URL, BOBBY | {"birthplace_kind": "unknown", "birthplace": ""})
    assert Identity.objects.get().birthplace_code == "99999"


def test_likely_duplicates_are_shown_before_creating(
    clinician_client: Client, directory: dict[str, Identity]
) -> None:
    data = BOBBY | {"birth_name": "Teleconsultaton"}  # one typo
    response = clinician_client.post(CREATE_URL, data)
    body = unescape(response.content.decode())
    assert Identity.objects.count() == len(directory)
    assert "Doublons probables" in body
    assert "TELECONSULTATION" in body
    assert "il s'agit d'une personne différente" in body


def test_creating_despite_duplicates_is_recorded(
    clinician_client: Client, clinician: User, directory: dict[str, Identity]
) -> None:
    data = BOBBY | {"birth_name": "Teleconsultaton", "confirm_different_person": "on"}
    clinician_client.post(CREATE_URL, data)
    identity = Identity.objects.get(birth_name="TELECONSULTATON")
    assert identity.potential_duplicate
    event = identity.events.get()
    assert event.kind == IdentityEvent.Kind.CREATED_DESPITE_DUPLICATES
    assert event.actor == clinician
    assert event.details["duplicates"][0]["id"] == str(directory["bobby"].uuid)


def test_the_same_strict_traits_are_refused(
    clinician_client: Client, directory: dict[str, Identity]
) -> None:
    data = BOBBY | {"confirm_different_person": "on"}
    body = _text(clinician_client.post(CREATE_URL, data))
    assert "Une identité avec exactement les mêmes traits existe déjà." in body
    assert Identity.objects.filter(birth_name="TELECONSULTATION", first_name="BOBBY").count() == 1


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("birth_date", "31/02/1990", "Saisissez une date réelle au format JJ/MM/AAAA"),
        ("birth_date", "01/01/2999", "La date de naissance ne peut pas être dans le futur."),
        ("birth_name", "Dupont2", "Un nom ne peut pas contenir de chiffres."),
        ("first_name", "", "Ce champ est obligatoire."),
        ("birthplace", "99999", "Aucune commune française ne correspond"),
        ("mobile", "06010230405", "Saisissez un numéro de portable valide, par exemple 06 12"),
        ("mobile", "04 75 12 34 56", "n'est pas un numéro de portable"),
        ("ins_matricule", "189082606412345", "Ce matricule INS n'est pas valide"),
        ("no_objection", "", "Vous devez confirmer l'absence d'opposition du patient."),
    ],
)
def test_bad_input_gets_a_french_message_and_saves_nothing(
    clinician_client: Client, field: str, value: str, message: str
) -> None:
    data = BOBBY | {field: value}
    if not value:
        data.pop(field)
    response = clinician_client.post(CREATE_URL, data)
    assert response.status_code == 200
    assert message in unescape(response.content.decode())
    assert not Identity.objects.exists()


def test_born_abroad_without_country_is_refused(clinician_client: Client) -> None:
    data = BOBBY | {"birthplace_kind": "abroad", "birth_country": ""}
    body = _text(clinician_client.post(CREATE_URL, data))
    assert "Saisissez le pays de naissance." in body
    assert not Identity.objects.exists()


def _nir(sex: str, year: str, month: str, place: str, order: str = "123") -> str:
    from stdnum.fr import nir

    body = f"{sex}{year}{month}{place}{order}"
    return body + nir.calc_check_digits(body)


def test_a_consistent_ins_is_kept_but_not_shown_before_qualification(
    clinician_client: Client,
) -> None:
    data = BOBBY | {"ins_matricule": _nir("1", "89", "08", "26064")}
    response = clinician_client.post(CREATE_URL, data, follow=True)
    identity = Identity.objects.get()
    assert identity.ins_matricule == data["ins_matricule"]
    assert identity.ins_matricule not in unescape(response.content.decode())


@pytest.mark.parametrize(
    ("nir_parts", "trait"),
    [
        (("2", "89", "08", "26064"), "le sexe"),
        (("1", "90", "08", "26064"), "l'année de naissance"),
        (("1", "89", "09", "26064"), "le mois de naissance"),
        (("1", "89", "08", "69123"), "le lieu de naissance"),
    ],
)
def test_an_ins_inconsistent_with_the_traits_is_refused(
    clinician_client: Client, nir_parts: tuple[str, ...], trait: str
) -> None:
    data = BOBBY | {"ins_matricule": _nir(*nir_parts)}
    body = _text(clinician_client.post(CREATE_URL, data))
    assert "Ce matricule INS ne correspond pas" in body
    assert trait in body
    assert not Identity.objects.exists()


def test_the_ins_is_shown_for_a_qualified_identity(
    clinician_client: Client, directory: dict[str, Identity]
) -> None:
    bobby = directory["bobby"]
    bobby.ins_matricule, bobby.ins_kind = _nir("1", "89", "08", "26064"), Identity.InsKind.NIR
    bobby.status = Identity.Status.QUALIFIED
    bobby.save()
    body = _text(clinician_client.get(reverse("identities:detail", args=[bobby.uuid])))
    assert bobby.ins_matricule in body


def test_reading_an_identity_is_traced(
    clinician_client: Client, directory: dict[str, Identity]
) -> None:
    bobby = directory["bobby"]
    clinician_client.get(reverse("identities:detail", args=[bobby.uuid]))
    assert AccessLog.objects.filter(action="identity.read", object_id=str(bobby.uuid)).exists()


def test_an_unknown_identity_is_a_404(clinician_client: Client) -> None:
    url = reverse("identities:detail", args=["00000000-0000-0000-0000-000000000000"])
    assert clinician_client.get(url).status_code == 404
