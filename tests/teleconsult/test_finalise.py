"""Finalising a teleconsultation: rating, comment, amount, documents, correspondents, receipt."""

import html
import subprocess
import threading
from decimal import Decimal

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import reverse

from accounts.models import User
from documents.models import Dispatch, Document, DocumentType, Professional
from identities.models import Identity
from notifications.models import Notification
from teleconsult import services
from teleconsult.models import Teleconsultation
from tests.documents.conftest import pdf_bytes
from tests.factories import login_as
from tests.teleconsult.conftest import plan, token

pytestmark = pytest.mark.django_db


def _url(teleconsultation: Teleconsultation) -> str:
    return reverse("teleconsult:finalise", args=[teleconsultation.uuid])


def _form(document_type: DocumentType | None = None, **overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "token": token(),
        "rating": "4",
        "comment": "Bonne connexion",
        "amount": "25",
        "documents-TOTAL_FORMS": "3",
        "documents-INITIAL_FORMS": "0",
        "documents-MIN_NUM_FORMS": "0",
        "documents-MAX_NUM_FORMS": "10",
    }
    if document_type is not None:
        data |= {
            "documents-0-file": SimpleUploadedFile("ordo.pdf", pdf_bytes(), "application/pdf"),
            "documents-0-name": "Ordonnance",
            "documents-0-document_type": str(document_type.pk),
        }
    return data | overrides


def test_it_finalises_sends_the_documents_and_the_receipt(
    clinician_client: Client,
    planned: Teleconsultation,
    prescription_type: DocumentType,
    recipient: Professional,
    django_capture_on_commit_callbacks: object,
) -> None:
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = clinician_client.post(
            _url(planned), _form(prescription_type, correspondents=[recipient.rpps])
        )
    assert response.status_code == 302
    planned.refresh_from_db()
    assert planned.status == Teleconsultation.Status.FINALISED
    assert (planned.rating, planned.comment, planned.amount) == (4, "Bonne connexion", Decimal(25))
    dispatch = planned.dispatch
    assert dispatch.source == "teleconsultation"
    assert dispatch.copy_to_patient
    names = sorted(dispatch.documents.values_list("name", "document_type__code"))
    assert names == [
        ("Ordonnance", "57833-6"),
        (f"Reçu de téléconsultation {planned.receipt_number}", services.RECEIPT_TYPE_CODE),
    ]
    alerts = [m for m in mail.outbox if m.to == ["bobby@teleconsultation.com"]]
    assert len(alerts) == 1  # one alert for the sending, receipt included
    assert sorted(m.to[0] for m in mail.outbox) == ["bobby@teleconsultation.com", recipient.email]
    page = html.unescape(clinician_client.get(response["Location"]).content.decode())
    assert "Finalisée le" in page
    assert "25,00 €" in page
    assert "Ordonnance" in page


def test_the_correspondents_get_the_documents_but_not_the_receipt(
    clinician_client: Client,
    planned: Teleconsultation,
    prescription_type: DocumentType,
    recipient: Professional,
    recipient_clinician: User,
) -> None:
    clinician_client.post(_url(planned), _form(prescription_type, correspondents=[recipient.rpps]))
    planned.refresh_from_db()
    receipt = planned.dispatch.documents.get(patient_only=True)
    prescription = planned.dispatch.documents.get(patient_only=False)
    colleague = Client()
    login_as(colleague, recipient_clinician)

    assert colleague.get(reverse("documents:download", args=[prescription.uuid])).status_code == 200
    assert colleague.get(reverse("documents:download", args=[receipt.uuid])).status_code == 404
    assert (
        clinician_client.get(reverse("documents:download", args=[receipt.uuid])).status_code == 200
    )


def test_the_receipt_is_a_french_pdf_with_what_the_patient_needs(
    clinician: User, planned: Teleconsultation, tmp_path: object
) -> None:
    services.finalise_teleconsultation(
        teleconsultation=planned,
        finalisation=services.Finalisation(
            rating=5, comment="", amount=Decimal("25.5"), documents=[], professionals=[]
        ),
        by=clinician,
        token=token(),
    )
    planned.refresh_from_db()
    receipt = planned.dispatch.documents.get()
    assert receipt.content_type == "application/pdf"
    text = subprocess.run(
        ["pdftotext", "-layout", receipt.file.path, "-"],
        capture_output=True,
        check=True,
        text=True,
    ).stdout
    for expected in (
        "Reçu de paiement",
        "Claire MARTIN",
        clinician.professional_profile.rpps,
        "TELECONSULTATION Bobby",
        "Téléconsultation",
        "25,50 €",
        planned.receipt_number,
        planned.starts_at.astimezone().strftime("%Y")[:2],
    ):
        assert expected in text, expected
    assert text.count("\f") == 1  # one page


def test_nothing_to_send_at_zero_euros_without_documents(
    clinician: User, planned: Teleconsultation
) -> None:
    services.finalise_teleconsultation(
        teleconsultation=planned,
        finalisation=services.Finalisation(
            rating=3, comment="", amount=Decimal(0), documents=[], professionals=[]
        ),
        by=clinician,
        token=token(),
    )
    planned.refresh_from_db()
    assert planned.status == Teleconsultation.Status.FINALISED
    assert planned.dispatch is None
    assert planned.receipt_number is None


def test_the_same_form_twice_finalises_and_sends_once(
    clinician_client: Client, planned: Teleconsultation, prescription_type: DocumentType
) -> None:
    data = _form(prescription_type)
    first = clinician_client.post(_url(planned), data)
    data["documents-0-file"] = SimpleUploadedFile("ordo.pdf", pdf_bytes(), "application/pdf")
    second = clinician_client.post(_url(planned), data)
    assert first.status_code == second.status_code == 302
    assert Dispatch.objects.count() == 1
    assert Document.objects.count() == 2


def test_a_second_tab_is_told_it_is_already_finalised(
    clinician_client: Client, planned: Teleconsultation
) -> None:
    clinician_client.post(_url(planned), _form())
    response = clinician_client.post(_url(planned), _form(), follow=True)
    assert "Cette téléconsultation est déjà finalisée." in html.unescape(response.content.decode())
    assert Teleconsultation.objects.get().finalise_token is not None
    assert Dispatch.objects.count() == 1


def test_a_cancelled_one_cannot_be_finalised(
    clinician_client: Client, clinician: User, planned: Teleconsultation
) -> None:
    services.cancel_teleconsultation(teleconsultation=planned, by=clinician)
    response = clinician_client.post(_url(planned), _form(), follow=True)
    assert "Cette téléconsultation a été annulée\u00a0: elle ne peut pas être finalisée." in (
        html.unescape(response.content.decode())
    )
    planned.refresh_from_db()
    assert planned.status == Teleconsultation.Status.CANCELLED
    with pytest.raises(services.TeleconsultError):
        services.finalise_teleconsultation(
            teleconsultation=planned,
            finalisation=services.Finalisation(
                rating=3, comment="", amount=Decimal(0), documents=[], professionals=[]
            ),
            by=clinician,
            token=token(),
        )


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("vingt", "Saisissez un montant en euros, comme 25 ou 25,50."),
        ("-5", "Le montant ne peut pas être négatif."),
        ("1000", "Le montant ne peut pas dépasser 999,99 €."),
        ("25,505", "Deux décimales au plus (les centimes), comme 25,50."),
        ("", "Saisissez le montant, 0 si le patient ne paie rien."),
    ],
)
def test_it_refuses_a_bad_amount_beside_the_field_and_keeps_the_rest(
    clinician_client: Client,
    planned: Teleconsultation,
    prescription_type: DocumentType,
    amount: str,
    message: str,
) -> None:
    response = clinician_client.post(_url(planned), _form(prescription_type, amount=amount))
    assert response.status_code == 400
    assert response.context["finalise"].errors["amount"] == [message]
    body = html.unescape(response.content.decode())
    assert message in body
    assert "Bonne connexion" in body  # the comment is kept
    assert 'value="4" id="id_rating_3" checked' in body or 'value="4"' in body
    assert (
        "choisissez de nouveau ces fichiers\u00a0: ordo.pdf" in body
    )  # says which file to re-choose
    assert Teleconsultation.objects.get().status == Teleconsultation.Status.PLANNED
    assert not Dispatch.objects.exists()


@pytest.mark.parametrize(("amount", "expected"), [("25", "25.00"), ("25,50", "25.50"), ("0", "0")])
def test_it_reads_french_amounts(
    clinician_client: Client, planned: Teleconsultation, amount: str, expected: str
) -> None:
    assert clinician_client.post(_url(planned), _form(amount=amount)).status_code == 302
    assert Teleconsultation.objects.get().amount == Decimal(expected)


def test_a_missing_rating_is_asked_for(clinician_client: Client, planned: Teleconsultation) -> None:
    response = clinician_client.post(_url(planned), _form(rating=""))
    assert response.status_code == 400
    assert "Évaluez l'appel\u00a0: de 1 à 5 étoiles." in html.unescape(response.content.decode())
    response = clinician_client.post(_url(planned), _form(rating="6"))
    assert response.status_code == 400


def test_a_refused_file_is_named_and_the_others_are_kept(
    clinician_client: Client, planned: Teleconsultation, prescription_type: DocumentType
) -> None:
    data = _form(
        prescription_type,
        **{
            "documents-1-file": SimpleUploadedFile("virus.exe", b"MZ\x90\x00", "text/plain"),
            "documents-1-name": "Programme",
            "documents-1-document_type": str(prescription_type.pk),
        },
    )
    response = clinician_client.post(_url(planned), data)
    assert response.status_code == 400
    body = html.unescape(response.content.decode())
    assert "virus.exe" in body
    assert 'value="Ordonnance"' in body and 'value="Programme"' in body
    assert not Dispatch.objects.exists()
    assert Teleconsultation.objects.get().status == Teleconsultation.Status.PLANNED


def test_a_patient_without_portal_needs_a_correspondent(
    clinician: User, identity_b: Identity, prescription_type: DocumentType
) -> None:
    from documents.services import NewDocument

    teleconsultation = plan(identity_b, clinician)
    document = NewDocument(
        name="Ordonnance",
        document_type=prescription_type,
        upload=SimpleUploadedFile("o.pdf", pdf_bytes(), "application/pdf"),
    )
    with pytest.raises(services.TeleconsultError) as raised:
        services.finalise_teleconsultation(
            teleconsultation=teleconsultation,
            finalisation=services.Finalisation(
                rating=3, comment="", amount=Decimal(25), documents=[document], professionals=[]
            ),
            by=clinician,
            token=token(),
        )
    assert raised.value.field == "documents"
    assert not Dispatch.objects.exists()


def test_another_clinician_cannot_finalise(
    client: Client, other_clinician: User, planned: Teleconsultation
) -> None:
    login_as(client, other_clinician)
    assert client.post(_url(planned), _form()).status_code == 404
    assert Teleconsultation.objects.get().status == Teleconsultation.Status.PLANNED


def test_the_amount_is_pre_filled_with_the_clinicians_default(
    clinician_client: Client, planned: Teleconsultation
) -> None:
    body = clinician_client.get(
        reverse("teleconsult:detail", args=[planned.uuid]) + "?finaliser"
    ).content.decode()
    assert 'name="amount" value="25"' in body


def test_the_finalisation_screen_has_the_guide_labels(
    clinician_client: Client, planned: Teleconsultation
) -> None:
    body = html.unescape(
        clinician_client.get(reverse("teleconsult:detail", args=[planned.uuid])).content.decode()
    )
    for label in (
        "Évaluation de l'appel",
        "Commentaire libre",
        "Envoi de documents au patient",
        "Ajouter des documents",
        "Type de document",
        "Ajouter des correspondants",
        "Validation du paiement patient",
        "N'oubliez pas de Valider",
        "Valider",
        "Terminer la téléconsultation",
    ):
        assert label in body, label
    for stars in range(1, 6):
        assert f'name="rating" value="{stars}"' in body


@pytest.mark.django_db(transaction=True)
def test_two_tabs_at_once_finalise_once(
    clinician: User, identity_a: Identity, patient_a: User, prescription_type: DocumentType
) -> None:
    teleconsultation = plan(identity_a, clinician)
    outcomes: list[str] = []

    def finalise() -> None:
        try:
            services.finalise_teleconsultation(
                teleconsultation=teleconsultation,
                finalisation=services.Finalisation(
                    rating=4, comment="", amount=Decimal(25), documents=[], professionals=[]
                ),
                by=clinician,
                token=token(),
            )
            outcomes.append("finalised")
        except services.TeleconsultError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=finalise) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["finalised", "refused"]
    assert Dispatch.objects.count() == 1
    assert Notification.objects.filter(purpose="document_available").count() == 1


def test_without_a_portal_the_correspondents_get_the_documents_but_no_receipt(
    clinician: User,
    identity_b: Identity,
    prescription_type: DocumentType,
    recipient: Professional,
) -> None:
    from documents.services import NewDocument

    teleconsultation = plan(identity_b, clinician)
    services.finalise_teleconsultation(
        teleconsultation=teleconsultation,
        finalisation=services.Finalisation(
            rating=3,
            comment="",
            amount=Decimal(25),
            documents=[
                NewDocument(
                    name="Ordonnance",
                    document_type=prescription_type,
                    upload=SimpleUploadedFile("o.pdf", pdf_bytes(), "application/pdf"),
                )
            ],
            professionals=[recipient],
        ),
        by=clinician,
        token=token(),
    )
    teleconsultation.refresh_from_db()
    assert teleconsultation.amount == Decimal(25)
    assert teleconsultation.receipt_number is None
    assert list(teleconsultation.dispatch.documents.values_list("name", flat=True)) == [
        "Ordonnance"
    ]
    assert not teleconsultation.dispatch.copy_to_patient
