"""The bad-input corpus of SECURITY.md "Files": nothing dangerous or misleading gets stored."""

import io

import pikepdf
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from documents.validation import RejectedFile, check_upload, clean_filename
from tests.documents.conftest import pdf_bytes

EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


def _check(content: bytes, name: str = "doc.pdf") -> object:
    return check_upload(SimpleUploadedFile(name, content))


def _pdf_with(**root: object) -> bytes:
    pdf = pikepdf.new()
    pdf.add_blank_page()
    for key, value in root.items():
        pdf.Root[f"/{key}"] = value
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def _image(fmt: str, size: tuple[int, int] = (20, 20), mode: str = "RGB") -> bytes:
    out = io.BytesIO()
    Image.new(mode, size).save(out, format=fmt)
    return out.getvalue()


def test_a_plain_pdf_is_accepted() -> None:
    checked = _check(pdf_bytes(), "Ordonnance à envoyer.pdf")
    assert checked.content_type == "application/pdf"
    assert len(checked.sha256) == 64
    assert checked.filename == "Ordonnance à envoyer.pdf"


@pytest.mark.parametrize("fmt,kind", [("JPEG", "image/jpeg"), ("PNG", "image/png")])
def test_jpeg_and_png_are_accepted(fmt: str, kind: str) -> None:
    assert _check(_image(fmt), "photo").content_type == kind


def _disarmed(content: bytes) -> bytes:
    checked = _check(content)
    assert checked.active_content_removed
    return checked.read()


def test_a_pdf_with_javascript_is_disarmed() -> None:
    action = pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert(1)"))
    content = _disarmed(_pdf_with(OpenAction=action))
    assert b"app.alert" not in content and b"/JavaScript" not in content


def test_an_obfuscated_javascript_name_is_removed() -> None:
    # /J#61vaScript is /JavaScript written with a hex escape: a naive byte search misses it.
    raw = _pdf_with(Names=pikepdf.Dictionary()).replace(
        b"/Names <<", b"/Names << /J#61vaScript 1 0 R"
    )
    assert b"/JavaScript" not in raw
    assert b"/J" not in _disarmed(raw).split(b"/Names", 1)[-1][:40]


def test_an_embedded_file_is_removed() -> None:
    names = pikepdf.Dictionary(EmbeddedFiles=pikepdf.Dictionary(Names=pikepdf.Array()))
    assert b"/EmbeddedFiles" not in _disarmed(_pdf_with(Names=names))


def test_an_action_hidden_inside_a_page_annotation_is_removed() -> None:
    pdf = pikepdf.new()
    pdf.add_blank_page()
    link = pikepdf.Dictionary(
        Type=pikepdf.Name.Annot,
        Subtype=pikepdf.Name.Link,
        A=pikepdf.Dictionary(S=pikepdf.Name.Launch, F=pikepdf.String("calc.exe")),
    )
    pdf.pages[0].obj["/Annots"] = pikepdf.Array([link])
    out = io.BytesIO()
    pdf.save(out)
    content = _disarmed(out.getvalue())
    assert b"/Launch" not in content and b"calc.exe" not in content


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (b"MZ\x90\x00" + b"\x00" * 100, "ordonnance.pdf"),  # a renamed .exe
        (b"GIF89a" + pdf_bytes(), "polyglot.pdf"),  # a polyglot that does not start as a PDF
        (EICAR, "eicar.pdf"),
        (b"<html><script>alert(1)</script></html>", "page.pdf"),
    ],
)
def test_what_is_not_really_a_pdf_jpeg_or_png_is_refused(content: bytes, name: str) -> None:
    with pytest.raises(RejectedFile, match="seuls les fichiers PDF, JPEG et PNG"):
        _check(content, name)


def test_a_damaged_pdf_is_refused() -> None:
    with pytest.raises(RejectedFile, match="endommagé ou illisible"):
        _check(b"%PDF-1.7\n garbage")


def test_an_empty_file_is_refused() -> None:
    with pytest.raises(RejectedFile, match=r"vide\.pdf\u00a0: le fichier est vide\."):
        _check(b"", "vide.pdf")


def test_a_file_over_20_mb_is_refused() -> None:
    with pytest.raises(RejectedFile, match="dépasse 20 Mo"):
        _check(pdf_bytes() + b"\n%" + b"x" * (21 * 1024 * 1024), "gros.pdf")


def test_an_image_with_too_many_pixels_is_refused() -> None:
    with pytest.raises(RejectedFile, match="40 millions de pixels"):
        _check(_image("PNG", (8000, 8000), "1"), "bombe.png")


@pytest.mark.parametrize(
    ("name", "clean"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("C:\\Users\\x\\ordonnance.pdf", "ordonnance.pdf"),
        ("ordo\x00nnance\x1b.pdf", "ordonnance.pdf"),
        ("facture\u202efdp.exe", "facturefdp.exe"),  # right-to-left override removed
        ("...", "document"),
    ],
)
def test_file_names_are_only_metadata_and_are_cleaned(name: str, clean: str) -> None:
    assert clean_filename(name) == clean
