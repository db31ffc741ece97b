"""PDFs written by real programs, made at test time, are accepted and readable after the rewrite.

LibreOffice, Ghostscript's ps2pdf, WeasyPrint, Chromium's print to PDF, img2pdf and a scanned
multi-page image PDF (Pillow): what clinicians' software and scanners produce (issue 16).
"""

import io
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pikepdf
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw

from documents.validation import check_upload

TEXT = "Ordonnance du docteur Martin"


def _libreoffice(folder: Path) -> bytes:
    source = folder / "ordonnance.txt"
    source.write_text(f"{TEXT}\nParacétamol 1 g, trois fois par jour.\n", encoding="utf-8")
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{folder}/lo-profile",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(folder),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return (folder / "ordonnance.pdf").read_bytes()


def _ps2pdf(folder: Path) -> bytes:
    source = folder / "ordonnance.ps"
    source.write_text(
        f"%!PS\n/Helvetica findfont 14 scalefont setfont\n72 720 moveto ({TEXT}) show\nshowpage\n"
    )
    subprocess.run(
        ["ps2pdf", str(source), str(folder / "ps.pdf")], check=True, capture_output=True, timeout=60
    )
    return (folder / "ps.pdf").read_bytes()


def _weasyprint(folder: Path) -> bytes:
    from weasyprint import HTML

    return HTML(string=f"<h1>{TEXT}</h1><p><a href='#b'>lien</a></p><p id='b'>b</p>").write_pdf()


_CHROMIUM_PRINT = """
import sys
from playwright.sync_api import sync_playwright

with sync_playwright() as playwright:
    browser = playwright.chromium.launch(executable_path="/usr/bin/chromium")
    page = browser.new_page()
    page.set_content("<h1>" + sys.argv[2] + "</h1>")
    page.pdf(path=sys.argv[1])
    browser.close()
"""


def _chromium(folder: Path) -> bytes:
    # Its own process: the browser tests of the session may hold an event loop in this one.
    target = folder / "chromium.pdf"
    subprocess.run(
        [sys.executable, "-c", _CHROMIUM_PRINT, str(target), TEXT],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return target.read_bytes()


def _page_image(number: int) -> Image.Image:
    image = Image.new("L", (850, 1100), 255)
    ImageDraw.Draw(image).text((80, 80), f"{TEXT} page {number}", fill=0)
    return image


def _img2pdf(folder: Path) -> bytes:
    import img2pdf

    out = io.BytesIO()
    _page_image(1).save(out, "PNG")
    return img2pdf.convert(out.getvalue())


def _scanned(folder: Path) -> bytes:
    pages = [_page_image(number).convert("RGB") for number in (1, 2, 3)]
    out = io.BytesIO()
    pages[0].save(out, "PDF", save_all=True, append_images=pages[1:], resolution=150)
    return out.getvalue()


PRODUCERS: dict[str, tuple[Callable[[Path], bytes], int, bool]] = {
    # name: (producer, pages, has text)
    "libreoffice": (_libreoffice, 1, True),
    "ps2pdf": (_ps2pdf, 1, True),
    "weasyprint": (_weasyprint, 1, True),
    "chromium": (_chromium, 1, True),
    "img2pdf": (_img2pdf, 1, False),
    "scanned": (_scanned, 3, False),
}


@pytest.mark.parametrize("producer", PRODUCERS)
def test_a_real_producers_pdf_is_accepted_and_readable_after_the_rewrite(
    producer: str, tmp_path: Path
) -> None:
    make, pages, has_text = PRODUCERS[producer]
    original = make(tmp_path)
    checked = check_upload(SimpleUploadedFile(f"{producer}.pdf", original))
    assert checked.content_type == "application/pdf"
    assert not checked.active_content_removed
    with pikepdf.open(io.BytesIO(checked.read())) as pdf:
        assert len(pdf.pages) == pages
    rewritten = tmp_path / "rewritten.pdf"
    rewritten.write_bytes(checked.read())
    assert shutil.which("pdftotext"), "poppler-utils is a test package (scripts/bootstrap)"
    text = subprocess.run(
        ["pdftotext", str(rewritten), "-"], check=True, capture_output=True, timeout=60
    ).stdout.decode()
    if has_text:
        assert TEXT in " ".join(text.split())
