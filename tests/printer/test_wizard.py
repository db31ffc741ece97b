"""The print wizard: type, patient (search or new identity), recipients, summary, send."""

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from documents.models import Dispatch, Document, DocumentType, Professional
from identities.models import Identity
from portal.models import User
from printer.models import PrintJob
from tests.factories import login_as
from tests.portal.conftest import open_portal

pytestmark = pytest.mark.django_db


def url(name: str, job: PrintJob) -> str:
    return reverse(f"printer:{name}", args=[job.uuid])


@pytest.fixture
def typed_job(waiting_job: PrintJob, prescription_type: DocumentType) -> PrintJob:
    waiting_job.document_type = prescription_type
    waiting_job.save()
    return waiting_job


@pytest.fixture
def ready_job(typed_job: PrintJob, identity_a: Identity) -> PrintJob:
    typed_job.identity = identity_a
    typed_job.recipients_chosen = True
    typed_job.save()
    return typed_job


def test_step_1_records_the_type_and_the_name(
    clinician_client: Client, waiting_job: PrintJob, prescription_type: DocumentType
) -> None:
    page = clinician_client.get(url("job_type", waiting_job)).content.decode()
    assert "Type de document" in page and "Microsoft Word - ordonnance.docx" in page
    assert reverse("printer:job_thumbnail", args=[waiting_job.uuid]) in page
    response = clinician_client.post(
        url("job_type", waiting_job), {"document_type": prescription_type.pk, "name": "Ordonnance"}
    )
    assert response["Location"] == url("job_patient", waiting_job)
    waiting_job.refresh_from_db()
    assert (waiting_job.document_type, waiting_job.name) == (prescription_type, "Ordonnance")


def test_step_1_without_a_type_says_so_beside_the_field(
    clinician_client: Client, waiting_job: PrintJob
) -> None:
    response = clinician_client.post(url("job_type", waiting_job), {"document_type": ""})
    assert response.status_code == 400
    assert "Choisissez le type de ce document." in response.content.decode()


def test_the_patient_step_searches_the_directory_and_offers_to_create_an_identity(
    clinician_client: Client, typed_job: PrintJob, identity_a: Identity
) -> None:
    found = clinician_client.get(
        url("job_patient_search", typed_job),
        {"name": "TELECONSULTATION", "birth_date": "01/01/1980"},
    ).content.decode()
    assert str(identity_a.uuid) in found
    nobody = clinician_client.get(
        url("job_patient_search", typed_job), {"name": "DUCABLE", "first_name": "JEAN RAOUL"}
    ).content.decode()
    assert "Aucun dossier ne correspond à votre recherche." in nobody
    assert (
        "PERSONNE NE CORRESPOND À MA RECHERCHE, JE SOUHAITE CRÉER UNE NOUVELLE IDENTITÉ" in nobody
    )
    assert "next=" in nobody and "birth_name=DUCABLE" in nobody


def test_choosing_a_patient_goes_to_the_recipients(
    clinician_client: Client, typed_job: PrintJob, identity_a: Identity
) -> None:
    response = clinician_client.post(url("job_patient", typed_job), {"identity": identity_a.uuid})
    assert response["Location"] == url("job_recipients", typed_job)
    typed_job.refresh_from_db()
    assert typed_job.identity == identity_a


def test_a_new_identity_comes_back_to_the_wizard(
    clinician_client: Client, typed_job: PrintJob
) -> None:
    back = url("job_patient", typed_job)
    response = clinician_client.post(
        f"{reverse('identities:create')}?next={back}",
        {
            "first_name": "Jean Raoul",
            "birth_name": "Ducable",
            "birth_date": "12/03/1961",
            "sex": "M",
            "birthplace_kind": "unknown",
            "no_objection": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()
    identity = Identity.objects.get(birth_name="DUCABLE")
    assert response["Location"] == f"{back}?patient={identity.uuid}"
    page = clinician_client.get(response["Location"]).content.decode()
    assert "Choisir ce patient" in page and "DUCABLE" in page


def test_the_identity_creation_ignores_a_foreign_next(clinician_client: Client) -> None:
    response = clinician_client.post(
        f"{reverse('identities:create')}?next=https://evil.example/",
        {
            "first_name": "Jean",
            "birth_name": "Ducable",
            "birth_date": "12/03/1961",
            "sex": "M",
            "birthplace_kind": "unknown",
            "no_objection": "on",
        },
    )
    assert response.status_code == 302
    assert not response["Location"].startswith("https://evil.example")


def test_recipients_may_be_skipped(
    clinician_client: Client, typed_job: PrintJob, identity_a: Identity
) -> None:
    typed_job.identity = identity_a
    typed_job.save()
    page = clinician_client.get(url("job_recipients", typed_job)).content.decode()
    assert "sans sélectionner de destinataires" in page
    response = clinician_client.post(url("job_recipients", typed_job), {"none": "1"})
    assert response["Location"] == url("job_recap", typed_job)
    typed_job.refresh_from_db()
    assert typed_job.recipients_chosen and not typed_job.professionals.exists()


def test_recipients_of_the_directory_are_kept(
    clinician_client: Client, typed_job: PrintJob, identity_a: Identity, recipient: Professional
) -> None:
    typed_job.identity = identity_a
    typed_job.save()
    clinician_client.post(url("job_recipients", typed_job), {"correspondents": [recipient.rpps]})
    assert list(typed_job.professionals.all()) == [recipient]
    response = clinician_client.post(url("job_recipients", typed_job), {"correspondents": ["999"]})
    assert response.status_code == 400
    assert "annuaire" in response.content.decode()


def test_the_summary_without_a_portal_offers_to_create_it_and_comes_back(
    clinician_client: Client, ready_job: PrintJob, identity_a: Identity
) -> None:
    page = clinician_client.get(url("job_recap", ready_job)).content.decode()
    assert "Copie au patient" in page
    create = reverse("portal:create_portal", args=[identity_a.uuid])
    assert f"{create}?next=" in page
    response = clinician_client.post(
        f"{create}?next={url('job_recap', ready_job)}",
        {
            "quality": "titulaire",
            "email": "bobby@example.org",
            "mobile": "+33612345678",
            "consent_method": "consultation",
            "consent": "on",
        },
    )
    assert response["Location"] == url("job_recap", ready_job)
    page = clinician_client.get(url("job_recap", ready_job)).content.decode()
    (box,) = re.findall(r"<input[^>]*copy_to_patient[^>]*>", page)
    assert "checked" in box and "disabled" not in box


def test_sending_goes_through_the_dispatch_once_for_a_double_click(
    clinician_client: Client,
    ready_job: PrintJob,
    identity_a: Identity,
    clinician: User,
    django_capture_on_commit_callbacks: object,
) -> None:
    open_portal(identity_a, by=clinician, email="bobby@example.org", mobile="+33612345678")
    mail.outbox.clear()
    data = {"token": ready_job.send_token, "copy_to_patient": "on"}
    with django_capture_on_commit_callbacks(execute=True):
        first = clinician_client.post(url("job_recap", ready_job), data)
    second = clinician_client.post(url("job_recap", ready_job), data)
    dispatch = Dispatch.objects.get()
    assert first["Location"] == reverse("documents:recap", args=[dispatch.uuid])
    assert second.status_code == 404  # the job is sent: it left the inbox
    assert dispatch.source == "printer"
    assert dispatch.copy_to_patient
    document = Document.objects.get()
    assert document.name == "Microsoft Word - ordonnance.docx"
    assert document.identity == identity_a
    assert len(mail.outbox) == 1
    ready_job.refresh_from_db()
    assert ready_job.dispatch == dispatch
    assert not ready_job.file.storage.exists(ready_job.file.name)


def test_sending_to_nobody_is_refused_beside_the_form(
    clinician_client: Client, ready_job: PrintJob
) -> None:
    response = clinician_client.post(url("job_recap", ready_job), {"token": ready_job.send_token})
    assert response.status_code == 400
    assert not Dispatch.objects.exists()


def test_another_clinicians_job_is_a_404_at_every_step(
    client: Client, other_clinician: User, ready_job: PrintJob
) -> None:
    login_as(client, other_clinician)
    for name in ("job_type", "job_patient", "job_recipients", "job_recap", "job_file"):
        assert client.get(url(name, ready_job)).status_code == 404
    assert (
        client.post(url("job_recap", ready_job), {"token": ready_job.send_token}).status_code == 404
    )
    assert not Dispatch.objects.exists()
