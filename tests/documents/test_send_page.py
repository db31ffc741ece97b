"""The "Envoyer un document" page, its recap, and "Documents reçus"."""

import html as markup
import io
import re
import uuid

import pikepdf
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from documents.models import Delivery, Dispatch, Document, DocumentType, Professional
from identities.models import Identity
from notifications.models import Notification
from portal.models import User
from tests.documents.conftest import pdf_bytes, send, stored_files
from tests.factories import login_as

pytestmark = pytest.mark.django_db


def _page(client: Client, identity: Identity) -> str:
    response = client.get(reverse("documents:send", args=[identity.uuid]))
    assert response.status_code == 200
    return response.content.decode()


def _token(html: str) -> str:
    return re.search(r'name="token" value="([^"]+)"', html).group(1)


def _post(
    client: Client,
    identity: Identity,
    *,
    token: str | None = None,
    files: list[tuple[str, bytes, str, object]] | None = None,
    correspondents: list[str] = (),
    copy: bool = True,
    follow: bool = False,
) -> object:
    data: dict[str, object] = {
        "documents-TOTAL_FORMS": str(max(3, len(files or []))),
        "documents-INITIAL_FORMS": "0",
        "token": token or uuid.uuid4().hex,
        "correspondents": list(correspondents),
    }
    if copy:
        data["copy_to_patient"] = "on"
    for index, (filename, content, name, document_type) in enumerate(files or []):
        data[f"documents-{index}-file"] = SimpleUploadedFile(filename, content)
        data[f"documents-{index}-name"] = name
        data[f"documents-{index}-document_type"] = document_type.pk if document_type else ""
    return client.post(reverse("documents:send", args=[identity.uuid]), data, follow=follow)


def test_the_page_speaks_the_guide(
    clinician_client: Client, identity_a: Identity, patient_a: User
) -> None:
    html = _page(clinician_client, identity_a)
    for label in (
        "Patient concerné",
        "Envoi de documents au patient",
        "Ajouter des documents",
        "Type de document",
        "Ajouter des correspondants",
        "Copie au patient",
        "Valider",
    ):
        assert label in html, label
    assert "TELECONSULTATION Bobby" in html
    assert 'name="copy_to_patient"' in html and "checked" in html


def test_a_sending_from_the_page_reaches_the_patient_and_the_correspondents(
    clinician_client: Client,
    clinician: User,
    identity_a: Identity,
    patient_a: User,
    prescription_type: DocumentType,
    recipient: Professional,
) -> None:
    report = DocumentType.objects.get(code="11488-4")
    response = _post(
        clinician_client,
        identity_a,
        files=[
            ("ordo.pdf", pdf_bytes(), "Ordonnance patient perret", prescription_type),
            ("cr.pdf", pdf_bytes(2), "", report),
        ],
        correspondents=[recipient.rpps],
    )
    dispatch = Dispatch.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("documents:recap", args=[dispatch.uuid])
    assert (dispatch.sender, dispatch.identity, dispatch.copy_to_patient) == (
        clinician,
        identity_a,
        True,
    )
    assert sorted(dispatch.documents.values_list("name", "document_type__code")) == [
        ("Ordonnance patient perret", "57833-6"),
        ("cr.pdf", "11488-4"),  # no new name: the file's
    ]
    assert dispatch.deliveries.count() == 2
    assert set(
        Notification.objects.exclude(purpose="portal_activation").values_list("purpose", flat=True)
    ) == {"document_available", "document_received"}
    recap = clinician_client.get(response["Location"]).content.decode()
    assert "Ordonnance patient perret" in recap and "BERNARD Sophie" in recap
    assert "sophie@portail.test" in recap  # each recipient's alert, with its status


def test_the_same_form_posted_twice_sends_once(
    clinician_client: Client, identity_a: Identity, patient_a: User, prescription_type: DocumentType
) -> None:
    token = uuid.uuid4().hex
    files = [("ordo.pdf", pdf_bytes(), "Ordonnance", prescription_type)]
    first = _post(clinician_client, identity_a, token=token, files=files)
    second = _post(clinician_client, identity_a, token=token, files=files)
    assert first["Location"] == second["Location"]
    assert Dispatch.objects.count() == 1
    assert Document.objects.count() == 1
    assert Notification.objects.filter(purpose="document_available").count() == 1
    assert len(stored_files()) == 1


def _javascript_pdf() -> bytes:
    pdf = pikepdf.new()
    pdf.add_blank_page()
    pdf.Root.OpenAction = pikepdf.Dictionary(
        S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert(1)")
    )
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


BAD_SENDINGS = {
    # case: (rows as (file name, content, name, typed?), copy to patient, expected message)
    "no document": ([], True, "Ajoutez au moins un document."),
    "no type": ([("ordo.pdf", "pdf", "Ordonnance", False)], True, "Choisissez le type"),
    "a name without file": ([(None, None, "Ordonnance", True)], True, "Ajoutez le fichier"),
    "no recipient": ([("ordo.pdf", "pdf", "", True)], False, "Choisissez au moins un destinataire"),
    "renamed exe": ([("virus.pdf", b"MZ\x90\x00", "", True)], True, "virus.pdf\u00a0: seuls"),
    "empty file": ([("vide.pdf", b"", "", True)], True, "vide.pdf\u00a0: le fichier est vide."),
    "damaged pdf": ([("abime.pdf", b"%PDF-1.7 rien", "", True)], True, "abime.pdf\u00a0: ce PDF"),
}


@pytest.mark.parametrize("case", BAD_SENDINGS)
def test_bad_input_is_refused_with_a_french_message_and_nothing_is_kept(
    clinician_client: Client,
    identity_a: Identity,
    patient_a: User,
    prescription_type: DocumentType,
    case: str,
) -> None:
    rows, copy, message = BAD_SENDINGS[case]
    contents = {"pdf": pdf_bytes(), "js": _javascript_pdf()}
    data: dict[str, object] = {
        "documents-TOTAL_FORMS": "3",
        "documents-INITIAL_FORMS": "0",
        "token": uuid.uuid4().hex,
    }
    if copy:
        data["copy_to_patient"] = "on"
    for index, (filename, content, name, typed) in enumerate(rows):
        if filename is not None:
            data[f"documents-{index}-file"] = SimpleUploadedFile(
                filename, contents.get(content, content)
            )
        data[f"documents-{index}-name"] = name
        data[f"documents-{index}-document_type"] = prescription_type.pk if typed else ""
    response = clinician_client.post(reverse("documents:send", args=[identity_a.uuid]), data)
    assert response.status_code == 400
    assert message in markup.unescape(response.content.decode())
    assert Dispatch.objects.count() == Document.objects.count() == 0
    assert not Notification.objects.filter(purpose__startswith="document").exists()
    assert stored_files() == []


def test_an_unknown_correspondent_or_a_missing_token_is_refused(
    clinician_client: Client, identity_a: Identity, patient_a: User, prescription_type: DocumentType
) -> None:
    files = [("ordo.pdf", pdf_bytes(), "Ordonnance", prescription_type)]
    response = _post(clinician_client, identity_a, files=files, correspondents=["12345678903"])
    assert response.status_code == 400
    assert "n'est plus dans l'annuaire" in markup.unescape(response.content.decode())
    response = _post(clinician_client, identity_a, files=files, token="short")
    assert response.status_code == 400
    assert Dispatch.objects.count() == 0


def test_too_many_documents_are_refused(
    clinician_client: Client, identity_a: Identity, patient_a: User, prescription_type: DocumentType
) -> None:
    files = [(f"{n}.pdf", pdf_bytes(), "", prescription_type) for n in range(11)]
    response = _post(clinician_client, identity_a, files=files)
    assert response.status_code == 400
    assert "Envoyez au plus 10 documents à la fois." in markup.unescape(response.content.decode())
    assert Dispatch.objects.count() == 0


def test_without_a_portal_the_copy_cannot_be_ticked_and_the_page_offers_to_create_it(
    clinician_client: Client, identity_b: Identity, prescription_type: DocumentType
) -> None:
    html = _page(clinician_client, identity_b)
    create = reverse("portal:create_portal", args=[identity_b.uuid])
    assert f"{create}?next=/documents/envoyer/{identity_b.uuid}/" in html
    assert 'name="copy_to_patient"' not in html
    # Ticking it anyway (a forged form) sends nothing to anyone.
    response = _post(
        clinician_client,
        identity_b,
        files=[("ordo.pdf", pdf_bytes(), "Ordonnance", prescription_type)],
        copy=True,
    )
    assert response.status_code == 400
    assert "Choisissez au moins un destinataire" in response.content.decode()
    assert Dispatch.objects.count() == 0


def test_creating_the_portal_from_the_sending_comes_back_to_it(
    clinician_client: Client, identity_b: Identity
) -> None:
    send_url = reverse("documents:send", args=[identity_b.uuid])
    response = clinician_client.post(
        reverse("portal:create_portal", args=[identity_b.uuid]) + f"?next={send_url}",
        {
            "quality": "titulaire",
            "email": "b@example.org",
            "mobile": "06 12 34 56 78",
            "consent_method": "consultation",
            "consent": "on",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == send_url
    evil = clinician_client.post(
        reverse("portal:create_portal", args=[identity_b.uuid]) + "?next=https://evil.example/",
        {},
    )
    assert evil.status_code == 200  # the form again (already has a portal), never a redirect away


@pytest.mark.parametrize("who", ["anonymous", "patient", "patient_a"])
def test_the_page_is_for_professionals_only(
    client: Client, identity_a: Identity, patient_a: User, patient: User, who: str
) -> None:
    if who == "patient":
        login_as(client, patient)
    elif who == "patient_a":
        login_as(client, patient_a)
    response = client.get(reverse("documents:send", args=[identity_a.uuid]))
    assert response.status_code == (302 if who == "anonymous" else 404)


def test_an_unknown_or_merged_identity_gives_a_404(
    clinician_client: Client, identity_b: Identity
) -> None:
    assert clinician_client.get(reverse("documents:send", args=[uuid.uuid4()])).status_code == 404
    identity_b.is_active = False
    identity_b.save()
    assert (
        clinician_client.get(reverse("documents:send", args=[identity_b.uuid])).status_code == 404
    )


# --- Recap ---------------------------------------------------------------------------------------


def test_the_recap_is_the_senders_only(
    client: Client,
    clinician: User,
    other_clinician: User,
    identity_a: Identity,
    patient_a: User,
    prescription_type: DocumentType,
    recipient: Professional,
) -> None:
    dispatch = send(identity_a, clinician, prescription_type, professionals=[recipient])
    url = reverse("documents:recap", args=[dispatch.uuid])
    login_as(client, clinician)
    html = markup.unescape(client.get(url).content.decode())
    assert "Récapitulatif de l'envoi" in html
    assert "En file d'attente" in html  # the alerts are not sent yet (no commit in this test)
    assert 'hx-trigger="every 3s"' in html  # so the statuses refresh themselves
    partial = client.get(url, headers={"HX-Request": "true"})
    assert partial.content.decode().lstrip().startswith('<div id="deliveries"')
    for user in (other_clinician, patient_a, recipient.user):
        login_as(client, user)
        assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302
    login_as(client, clinician)
    assert client.get(reverse("documents:recap", args=[uuid.uuid4()])).status_code == 404


def test_the_recap_stops_refreshing_once_every_alert_is_settled(
    clinician_client: Client,
    clinician: User,
    identity_a: Identity,
    patient_a: User,
    prescription_type: DocumentType,
) -> None:
    dispatch = send(identity_a, clinician, prescription_type)
    Notification.objects.update(status=Notification.Status.SENT)
    html = clinician_client.get(reverse("documents:recap", args=[dispatch.uuid])).content.decode()
    assert "every 3s" not in html
    assert "Envoyé" in html


# --- Documents reçus -----------------------------------------------------------------------------


def test_received_documents_are_the_recipients_and_reading_marks_them(
    client: Client,
    clinician: User,
    other_clinician: User,
    identity_a: Identity,
    patient_a: User,
    prescription_type: DocumentType,
    recipient: Professional,
) -> None:
    dispatch = send(identity_a, clinician, prescription_type, professionals=[recipient])
    document = dispatch.documents.get()
    login_as(client, recipient.user)
    html = client.get(reverse("documents:received")).content.decode()
    assert "Documents reçus" in html and "Ordonnance patient" in html and "Nouveau" in html
    assert "TELECONSULTATION Bobby" in html
    assert client.get(reverse("documents:download", args=[document.uuid])).status_code == 200
    delivery = Delivery.objects.get(professional=recipient)
    assert delivery.first_read_at is not None
    assert Delivery.objects.get(portal__isnull=False).first_read_at is None  # the patient's own
    login_as(client, other_clinician)
    html = client.get(reverse("documents:received")).content.decode()
    assert "Ordonnance patient" not in html
    assert "Aucun document ne vous a encore été envoyé." in html
    login_as(client, patient_a)
    assert client.get(reverse("documents:received")).status_code == 404


def test_received_documents_come_by_pages_without_gap_nor_repeat(
    client: Client,
    clinician: User,
    identity_a: Identity,
    patient_a: User,
    prescription_type: DocumentType,
    recipient: Professional,
    django_assert_max_num_queries: object,
) -> None:
    for number in range(53):
        send(
            identity_a,
            clinician,
            prescription_type,
            professionals=[recipient],
            name=f"doc {number}",
        )
    login_as(client, recipient.user)
    with django_assert_max_num_queries(8):
        first = client.get(reverse("documents:received"))
    names = re.findall(r">(doc \d+)</a>", first.content.decode())
    assert len(names) == 50 and names[0] == "doc 52"
    following = re.search(r'href="\?apres=([^"]+)"', first.content.decode()).group(1)
    second = client.get(reverse("documents:received") + f"?apres={following}").content.decode()
    rest = re.findall(r">(doc \d+)</a>", second)
    assert rest == ["doc 2", "doc 1", "doc 0"]
    assert sorted(names + rest) == sorted(f"doc {n}" for n in range(53))
    # A page key that was not written by the page is the first page, not an error.
    for junk in ("x", "2026-13-45T00:00|1", "|", "2026-01-01T00:00|abc"):
        assert client.get(reverse("documents:received"), {"apres": junk}).status_code == 200


def test_a_sending_held_by_a_stopped_antivirus_says_so_until_it_leaves(
    clinician_client: Client,
    identity_a: Identity,
    patient_a: User,
    prescription_type: DocumentType,
    stopped_clamd: object,
) -> None:
    response = _post(
        clinician_client,
        identity_a,
        files=[("ordo.pdf", pdf_bytes(), "Ordonnance", prescription_type)],
        follow=True,
    )
    html = markup.unescape(response.content.decode())
    assert "Les documents attendent l'antivirus, puis partiront." in html
    assert "En attente de l'antivirus" in html
    assert Dispatch.objects.get().status == Dispatch.Status.WAITING_SCAN
    listing = markup.unescape(clinician_client.get(reverse("documents:sent")).content.decode())
    assert "En attente de l'antivirus" in listing and "TELECONSULTATION Bobby" in listing


def test_my_sendings_lists_the_senders_latest_with_their_document_count(
    client: Client,
    clinician: User,
    other_clinician: User,
    identity_a: Identity,
    patient_a: User,
    prescription_type: DocumentType,
) -> None:
    dispatch = send(identity_a, clinician, prescription_type)
    login_as(client, clinician)
    html = client.get(reverse("documents:sent")).content.decode()
    assert reverse("documents:recap", args=[dispatch.uuid]) in html
    assert "1 document le" in html
    login_as(client, other_clinician)
    html = client.get(reverse("documents:sent")).content.decode()
    assert str(dispatch.uuid) not in html and "Aucun document envoyé" in html
