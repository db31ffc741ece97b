"""The professionals directory: import of the Annuaire Santé extraction, as-you-type search."""

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from stdnum import luhn

from documents import directory, services
from documents.models import Organisation, Professional
from portal.models import User
from tests.factories import ClinicianFactory, login_as

pytestmark = pytest.mark.django_db

SAMPLE = (
    Path(__file__).resolve().parents[2]
    / "documents/data/PS_LibreAcces_Personne_activite_sample.txt"
)
HEADER = SAMPLE.read_text(encoding="utf-8").splitlines()[0]
COLUMNS = HEADER.split("|")


def rpps(base: str) -> str:
    return base + luhn.calc_check_digit(base)


def line(**values: str) -> str:
    return "|".join(values.get(column, "") for column in COLUMNS)


def extraction(*lines: str, encoding: str = "utf-8") -> io.BytesIO:
    return io.BytesIO(("\n".join([HEADER, *lines]) + "\n").encode(encoding))


def doctor(number: str, last_name: str, first_name: str, **values: str) -> str:
    return line(
        **{
            "Type d'identifiant PP": "8",
            "Identifiant PP": number,
            "Nom d'exercice": last_name,
            "Prénom d'exercice": first_name,
            "Code profession": "10",
            **values,
        }
    )


@pytest.fixture
def imported(db: None) -> directory.ImportReport:
    with SAMPLE.open("rb") as raw:
        return directory.import_extraction(directory.open_extraction(raw))


def test_the_sample_imports_professionals_and_organisations(
    imported: directory.ImportReport,
) -> None:
    assert (imported.lines, imported.professionals) == (12, 8)
    assert imported.skipped == {
        "not an RPPS number (ADELI)": 1,
        "invalid RPPS number": 1,
        "profession not handled by the portal": 1,
    }
    lefevre = Professional.objects.get(last_name="LEFÈVRE")
    assert (lefevre.first_name, lefevre.profession, lefevre.specialty) == (
        "Hélène",
        "10",
        "Médecine générale (SM54)",
    )
    assert lefevre.address == "12 Rue DES TILLEULS, 26000 VALENCE"
    assert lefevre.email == "helene.lefevre@medecin.mssante.fr"
    assert (lefevre.last_name_key, lefevre.first_name_key) == ("LEFEVRE", "HELENE")
    assert lefevre.organisation is None  # a practice without FINESS number is not an organisation
    pharmacy = Organisation.objects.get(finess="260001235")
    assert (pharmacy.name, pharmacy.kind, pharmacy.name_key) == (
        "PHARMACIE DU CENTRE",
        Organisation.Kind.PHARMACY,
        "PHARMACIE DU CENTRE",
    )
    assert set(pharmacy.professionals.values_list("last_name", flat=True)) == {"MARTIN", "ROUSSEAU"}
    hospital = Organisation.objects.get(finess="260000021")
    assert hospital.kind == Organisation.Kind.HOSPITAL
    # Invalid e-mail addresses are dropped, not stored.
    assert Professional.objects.get(last_name="PERRIN").email == ""


def test_a_professional_on_two_lines_is_one_entry_with_the_first_site(
    imported: directory.ImportReport,
) -> None:
    entry = Professional.objects.get(last_name="N'GUYEN-DUPONT")
    assert entry.organisation.finess == "260000021"
    # The second line (another site) brought the e-mail address the first one lacked.
    assert entry.email == "jp.nguyen@cardio.mssante.fr"


def test_importing_again_updates_without_duplicating(imported: directory.ImportReport) -> None:
    number = Professional.objects.get(last_name="FAURE").rpps
    changed = extraction(
        line(
            **{
                "Type d'identifiant PP": "8",
                "Identifiant PP": number,
                "Nom d'exercice": "FAURE-ROCHE",
                "Prénom d'exercice": "Cécile",
                "Code profession": "60",
            }
        )
    )
    with SAMPLE.open("rb") as raw:
        directory.import_extraction(directory.open_extraction(raw))
    directory.import_extraction(directory.open_extraction(changed))
    assert Professional.objects.count() == 8
    assert Organisation.objects.count() == 2
    renamed = Professional.objects.get(rpps=number)
    assert (renamed.last_name, renamed.last_name_key) == ("FAURE-ROCHE", "FAURE ROCHE")


def test_deactivate_missing_keeps_rows_and_accounts(imported: directory.ImportReport) -> None:
    with_account = Professional.objects.get(last_name="GARNIER")
    with_account.user = ClinicianFactory()
    with_account.save()
    only_one = extraction(
        doctor(Professional.objects.get(last_name="BENOÎT").rpps, "BENOÎT", "Marc")
    )
    report = directory.import_extraction(
        directory.open_extraction(only_one), deactivate_missing=True
    )
    assert report.deactivated == 6  # the 8 entries but the one in the file and the account
    assert Professional.objects.count() == 8  # never deleted: deliveries point at them
    assert set(Professional.objects.filter(is_active=True).values_list("last_name", flat=True)) == {
        "BENOÎT",
        "GARNIER",
    }


def test_entries_are_linked_to_the_clinician_account_with_the_same_rpps(db: None) -> None:
    clinician = ClinicianFactory()
    number = clinician.professional_profile.rpps
    report = directory.import_extraction(
        directory.open_extraction(extraction(doctor(number, "DUPONT", "Jeanne")))
    )
    assert report.linked == 1
    assert Professional.objects.get(rpps=number).user == clinician


def test_a_latin1_file_of_older_extractions_is_read(db: None) -> None:
    raw = extraction(doctor(rpps("1000200001"), "LEFÈVRE", "Zoé"), encoding="latin-1")
    directory.import_extraction(directory.open_extraction(raw))
    assert Professional.objects.get().first_name == "Zoé"


def test_the_command_reports_and_refuses_other_files(tmp_path: Path) -> None:
    out = io.StringIO()
    call_command("import_annuaire_sante", SAMPLE, stdout=out)
    assert "12 lines read: 8 professionals and 2 organisations written" in out.getvalue()
    assert "skipped (invalid RPPS number): 1" in out.getvalue()
    other = tmp_path / "patients.csv"
    other.write_text("nom;prenom\nDUPONT;Jean\n", encoding="utf-8")
    with pytest.raises(CommandError, match="missing column"):
        call_command("import_annuaire_sante", other)
    with pytest.raises(CommandError, match="cannot read"):
        call_command("import_annuaire_sante", tmp_path / "absent.txt")


# --- Search --------------------------------------------------------------------------------------


def _names(query: str) -> list[str]:
    return [entry.last_name for entry in services.search_professionals(query)]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("lefevre", ["LEFÈVRE"]),
        ("LEFÈ", ["LEFÈVRE"]),
        ("hélène lef", ["LEFÈVRE"]),  # first name first
        ("nguyen dupont", ["N'GUYEN-DUPONT"]),
        ("n'guyen", ["N'GUYEN-DUPONT"]),
        ("pharmacie du centre", ["MARTIN", "ROUSSEAU"]),  # a pharmacy gives its pharmacists
        ("centre hospitalier", ["GARNIER", "N'GUYEN-DUPONT"]),
        ("zzz", []),
        ("l", []),  # one letter: too many to be useful
    ],
)
def test_search_by_name_first_name_or_organisation(
    imported: directory.ImportReport, query: str, expected: list[str]
) -> None:
    assert _names(query) == expected


def test_search_by_rpps_prefix_and_inactive_entries_are_not_offered(
    imported: directory.ImportReport,
) -> None:
    entry = Professional.objects.get(last_name="MARTIN")
    assert _names(entry.rpps[:11]) == ["MARTIN"]
    assert _names("12") == []  # too short to mean anything
    entry.is_active = False
    entry.save()
    assert _names(entry.rpps) == []
    assert _names("pharmacie") == ["ROUSSEAU"]


def test_the_picker_answers_clinicians_only(
    imported: directory.ImportReport, clinician_client: Client, client: Client, patient: User
) -> None:
    url = reverse("documents:correspondents")
    response = clinician_client.get(url, {"q": "pharmacie centre"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "MARTIN Sophie" in html and "PHARMACIE DU CENTRE" in html
    assert 'name="correspondents"' in html
    assert "Aucun professionnel" in clinician_client.get(url, {"q": "zzzz"}).content.decode()
    assert clinician_client.get(url, {"q": "x" * 5000}).status_code == 200  # cut, not a 500
    client.logout()
    assert client.get(url, {"q": "martin"}).status_code == 302  # to the login page
    login_as(client, patient)
    assert client.get(url, {"q": "martin"}).status_code == 404
