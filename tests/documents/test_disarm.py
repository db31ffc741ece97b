"""PDFs are disarmed, not refused: active content is removed, destinations are kept (issue 16)."""

import io

import pikepdf
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from documents.validation import RejectedFile, check_pdf_file, check_upload


def _pdf(**root: object) -> bytes:
    pdf = pikepdf.new()
    pdf.add_blank_page()
    pdf.add_blank_page()
    for key, value in root.items():
        pdf.Root[f"/{key}"] = value
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def _check(content: bytes, name: str = "ordo.pdf") -> object:
    return check_upload(SimpleUploadedFile(name, content, content_type="application/pdf"))


def _names(content: bytes) -> set[str]:
    """Every dictionary key and name value in the rewritten file."""
    found: set[str] = set()
    with pikepdf.open(io.BytesIO(content)) as pdf:
        for obj in pdf.objects:
            if isinstance(obj, pikepdf.Dictionary | pikepdf.Stream):
                found |= set(obj.keys())
                found |= {str(value) for value in obj.values() if isinstance(value, pikepdf.Name)}
    return found


def test_an_open_action_that_is_only_a_destination_is_kept() -> None:
    pdf = pikepdf.open(io.BytesIO(_pdf()))
    pdf.Root.OpenAction = pikepdf.Array([pdf.pages[1].obj, pikepdf.Name.Fit])
    out = io.BytesIO()
    pdf.save(out)
    checked = _check(out.getvalue())
    assert not checked.active_content_removed
    with pikepdf.open(io.BytesIO(checked.read())) as rewritten:
        assert rewritten.Root.OpenAction[1] == pikepdf.Name.Fit


@pytest.mark.parametrize(
    "action",
    [
        {"S": pikepdf.Name.JavaScript, "JS": pikepdf.String("app.alert(1)")},
        {"S": pikepdf.Name.Launch, "F": pikepdf.String("calc.exe")},
        {"S": pikepdf.Name.SubmitForm, "F": pikepdf.String("https://evil.example/")},
        {"S": pikepdf.Name.ImportData, "F": pikepdf.String("data.fdf")},
        {"S": pikepdf.Name.GoToR, "F": pikepdf.String("other.pdf"), "D": pikepdf.Array([0])},
        {"S": pikepdf.Name.GoToE, "D": pikepdf.Array([0])},
    ],
)
def test_dangerous_open_actions_are_removed(action: dict) -> None:
    checked = _check(_pdf(OpenAction=pikepdf.Dictionary(**action)))
    assert checked.active_content_removed
    assert str(action["S"]) not in _names(checked.read())
    assert len(pikepdf.open(io.BytesIO(checked.read())).pages) == 2


def test_scripts_attachments_forms_and_extra_actions_are_removed() -> None:
    pdf = pikepdf.open(io.BytesIO(_pdf()))
    script = pdf.make_indirect(
        pikepdf.Dictionary(S=pikepdf.Name("/J#61vaScript".replace("#61", "a")), JS="app.alert(2)")
    )
    attachment = pdf.make_stream(b"MZ evil")
    attachment.Type = pikepdf.Name.EmbeddedFile
    pdf.Root.Names = pikepdf.Dictionary(
        JavaScript=pikepdf.Dictionary(Names=pikepdf.Array([pikepdf.String("x"), script])),
        EmbeddedFiles=pikepdf.Dictionary(
            Names=pikepdf.Array(
                [
                    pikepdf.String("evil.exe"),
                    pikepdf.Dictionary(Type=pikepdf.Name.Filespec, EF={"/F": attachment}),
                ]
            )
        ),
    )
    pdf.Root.AcroForm = pikepdf.Dictionary(Fields=pikepdf.Array(), XFA=pikepdf.String("<xdp/>"))
    pdf.pages[0].obj.AA = pikepdf.Dictionary(O=script)
    pdf.pages[0].obj.Annots = pdf.make_indirect(
        pikepdf.Array(
            [
                pikepdf.Dictionary(
                    Type=pikepdf.Name.Annot,
                    Subtype=pikepdf.Name.Link,
                    Rect=[0, 0, 10, 10],
                    A=script,
                ),
                pikepdf.Dictionary(
                    Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.RichMedia, Rect=[0, 0, 5, 5]
                ),
            ]
        )
    )
    out = io.BytesIO()
    pdf.save(out)
    checked = _check(out.getvalue())
    assert checked.active_content_removed
    names = _names(checked.read())
    gone_keys = ("/JavaScript", "/JS", "/AA", "/EmbeddedFile", "/EmbeddedFiles", "/XFA")
    for gone in (*gone_keys, "/RichMedia"):
        assert gone not in names
    assert b"MZ evil" not in checked.read()


def test_a_zip_appended_after_the_end_of_the_pdf_is_dropped() -> None:
    polyglot = _pdf() + b"PK\x03\x04" + b"zip payload" * 50
    checked = _check(polyglot)
    assert b"PK\x03\x04" not in checked.read()
    assert b"zip payload" not in checked.read()
    assert checked.read().rstrip().endswith(b"%%EOF")


def test_only_what_cannot_be_parsed_is_refused() -> None:
    with pytest.raises(RejectedFile, match=r"ordo\.pdf"):
        _check(b"%PDF-1.7\n garbage \x00\x01 not a pdf")


def test_an_empty_file_gets_the_french_message_naming_it() -> None:
    with pytest.raises(RejectedFile) as refused:
        _check(b"", name="vide.pdf")
    assert "vide.pdf" in str(refused.value)


def test_the_printer_check_accepts_a_pdf_with_scripts(tmp_path: object) -> None:
    path = tmp_path / "job.pdf"
    path.write_bytes(_pdf(OpenAction=pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS="x")))
    check_pdf_file(str(path), "document")  # disarmed when sent, not refused on arrival
    path.write_bytes(b"%PDF-1.4 nothing")
    with pytest.raises(RejectedFile):
        check_pdf_file(str(path), "document")


@pytest.mark.django_db
def test_the_recap_says_active_content_was_removed(
    clinician_client: object, identity_a: object, patient_a: object, prescription_type: object
) -> None:
    from html import unescape

    from tests.documents.test_send_page import _post

    scripted = _pdf(OpenAction=pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS="app.alert(1)"))
    response = _post(
        clinician_client,
        identity_a,
        files=[("ordo.pdf", scripted, "Ordonnance", prescription_type)],
    )
    assert response.status_code == 302
    recap = unescape(clinician_client.get(response["Location"]).content.decode())
    assert "contenu actif (scripts, actions automatiques, pièces jointes) a été retiré" in recap
