"""The IPP address /ipp/print/<token>: request checks, operations, refused documents."""

import io
import struct

import pikepdf
import pytest
from django.test import Client

from portal.models import User
from printer import ipp, server, services
from printer.models import PrintJob
from tests.printer.conftest import ipp_request, pdf_bytes

pytestmark = pytest.mark.django_db

OK = 0x0000


@pytest.fixture
def token(clinician: User) -> str:
    return services.create_printer_token(user=clinician)


def post(client: Client, token: str, body: bytes) -> ipp.Message:
    response = client.post(f"/ipp/print/{token}", body, content_type="application/ipp")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/ipp"
    message, _rest = ipp.decode(response.content)
    return message


def print_job(
    client: Client,
    token: str,
    document: bytes,
    fmt: str = "application/pdf",
    name: str = "Ordonnance.docx",
) -> ipp.Message:
    body = ipp_request(
        server.PRINT_JOB,
        extra=[
            ("requesting-user-name", ipp.NAME, "claire"),
            ("job-name", ipp.NAME, name),
            ("document-format", ipp.MIME_TYPE, fmt),
        ],
    )
    return post(client, token, body + document)


def test_get_printer_attributes_needs_no_valid_token(client: Client) -> None:
    response = post(client, "wrong-token", ipp_request(server.GET_PRINTER_ATTRIBUTES))
    assert response.code == OK
    printer = response.group(ipp.PRINTER)
    assert printer.get("document-format-supported").values[:2] == [
        "application/pdf",
        "image/pwg-raster",
    ]
    assert printer.get("printer-uri-supported").value.startswith("ipp://")
    assert printer.get("printer-up-time").value > 0


def test_requested_attributes_filter_the_printer_attributes(client: Client, token: str) -> None:
    body = ipp_request(
        server.GET_PRINTER_ATTRIBUTES,
        extra=[("requested-attributes", ipp.KEYWORD, ["printer-name", "media-col-database"])],
    )
    printer = post(client, token, body).group(ipp.PRINTER)
    assert [attribute.name for attribute in printer.attributes] == [
        "printer-name",
        "media-col-database",
    ]
    assert printer.get("media-col-database").values[0][0].name == "media-size"


def test_a_pdf_printed_waits_in_the_clinicians_inbox(
    client: Client, token: str, clinician: User
) -> None:
    response = print_job(client, token, pdf_bytes(pages=3))
    assert response.code == OK
    job_group = response.group(ipp.JOB)
    assert job_group.get("job-state").value == 9
    job = PrintJob.objects.get(pk=job_group.get("job-id").value)
    assert job.owner == clinician
    assert job.name == "Ordonnance.docx"
    assert job.is_waiting
    with job.file.open("rb") as handle, pikepdf.open(handle) as pdf:
        assert len(pdf.pages) == 3


def test_create_job_then_send_document(client: Client, token: str) -> None:
    created = post(
        client,
        token,
        ipp_request(server.CREATE_JOB, extra=[("job-name", ipp.NAME, "Compte rendu")]),
    )
    job_id = created.group(ipp.JOB).get("job-id").value
    assert PrintJob.objects.get(pk=job_id).state == PrintJob.State.PENDING
    sent = post(
        client,
        token,
        ipp_request(
            server.SEND_DOCUMENT,
            extra=[("job-id", ipp.INTEGER, job_id), ("last-document", ipp.BOOLEAN, True)],
        )
        + pdf_bytes(),
    )
    assert sent.code == OK
    assert PrintJob.objects.get(pk=job_id).state == PrintJob.State.COMPLETED


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (b"\x02\x00", 0x0400),
        (b"garbage that is not ipp at all", 0x0400),
        (ipp_request(server.GET_PRINTER_ATTRIBUTES, version=(3, 0)), 0x0503),
        (ipp_request(server.GET_PRINTER_ATTRIBUTES, request_id=0), 0x0400),
        (ipp_request(0x0010), 0x0501),  # Pause-Printer
        (ipp_request(0x0003), 0x0501),  # Print-URI
    ],
)
def test_bad_requests_get_their_ipp_status_never_a_500(
    client: Client, token: str, body: bytes, status: int
) -> None:
    assert post(client, token, body).code == status


def test_the_charset_and_language_must_come_first(client: Client, token: str) -> None:
    message = ipp.Message((2, 0), server.GET_PRINTER_ATTRIBUTES, 1)
    message.add_group(ipp.OPERATION).add("attributes-natural-language", ipp.LANGUAGE, "en").add(
        "attributes-charset", ipp.CHARSET, "utf-8"
    ).add("printer-uri", ipp.URI, "ipp://x/ipp/print/t")
    response = post(client, token, ipp.encode(message))
    assert response.code == 0x0400
    assert response.group(ipp.PRINTER) is None


def test_an_unsupported_charset_is_refused(client: Client, token: str) -> None:
    message = ipp.Message((2, 0), server.GET_PRINTER_ATTRIBUTES, 1)
    message.add_group(ipp.OPERATION).add("attributes-charset", ipp.CHARSET, "iso-8859-1").add(
        "attributes-natural-language", ipp.LANGUAGE, "en"
    ).add("printer-uri", ipp.URI, "ipp://x/ipp/print/t")
    assert post(client, token, ipp.encode(message)).code == 0x040D


def test_a_job_operation_with_a_wrong_token_is_not_authorized(client: Client) -> None:
    response = print_job(client, "not-a-token", pdf_bytes())
    assert response.code == 0x0403
    assert response.group(ipp.OPERATION).get("status-message") is None
    assert not PrintJob.objects.exists()


def test_a_revoked_address_no_longer_prints(client: Client, token: str, clinician: User) -> None:
    services.revoke_printer_token(user=clinician)
    assert print_job(client, token, pdf_bytes()).code == 0x0403


def test_another_clinicians_job_is_neither_visible_nor_cancellable(
    client: Client, token: str, other_clinician: User
) -> None:
    other_token = services.create_printer_token(user=other_clinician)
    created = post(client, other_token, ipp_request(server.CREATE_JOB))
    job_id = created.group(ipp.JOB).get("job-id").value
    for operation in (server.GET_JOB_ATTRIBUTES, server.CANCEL_JOB):
        response = post(
            client, token, ipp_request(operation, extra=[("job-id", ipp.INTEGER, job_id)])
        )
        assert response.code == 0x0403
        assert response.group(ipp.JOB) is None
    assert PrintJob.objects.get(pk=job_id).state == PrintJob.State.PENDING
    jobs = post(
        client, token, ipp_request(server.GET_JOBS, extra=[("which-jobs", ipp.KEYWORD, "all")])
    )
    assert jobs.group(ipp.JOB) is None


def test_a_completed_job_cannot_be_canceled(client: Client, token: str) -> None:
    job_id = print_job(client, token, pdf_bytes()).group(ipp.JOB).get("job-id").value
    response = post(
        client, token, ipp_request(server.CANCEL_JOB, extra=[("job-id", ipp.INTEGER, job_id)])
    )
    assert response.code == 0x0404


def test_an_unsupported_format_is_refused(client: Client, token: str) -> None:
    assert print_job(client, token, b"%!PS-Adobe", fmt="application/postscript").code == 0x040A
    assert print_job(client, token, b"\x00PCL?", fmt="application/octet-stream").code == 0x040A
    assert not PrintJob.objects.exists()


def test_a_document_over_20_mb_is_refused(client: Client, token: str) -> None:
    huge = pdf_bytes() + b"%" * (20 * 1024 * 1024)
    assert print_job(client, token, huge).code == 0x0409
    assert not PrintJob.objects.exists()


def test_a_pdf_with_active_content_is_taken_to_be_disarmed_when_sent(
    client: Client, token: str
) -> None:
    pdf = pikepdf.new()
    pdf.add_blank_page()
    pdf.Root.OpenAction = pikepdf.Dictionary(
        S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert(1)")
    )
    out = io.BytesIO()
    pdf.save(out)
    response = print_job(client, token, out.getvalue())
    assert response.code == 0x0000
    assert PrintJob.objects.count() == 1


def test_a_damaged_pdf_is_refused(client: Client, token: str) -> None:
    assert print_job(client, token, b"%PDF-1.7 this is not a pdf").code == 0x0410


def test_get_jobs_gives_only_ids_unless_asked(client: Client, token: str) -> None:
    print_job(client, token, pdf_bytes())
    body = ipp_request(server.GET_JOBS, extra=[("which-jobs", ipp.KEYWORD, "completed")])
    job = post(client, token, body).group(ipp.JOB)
    assert [attribute.name for attribute in job.attributes] == ["job-id", "job-uri"]


def test_it_answers_only_post_in_application_ipp(client: Client, token: str) -> None:
    assert client.get(f"/ipp/print/{token}").status_code == 405
    assert client.post(f"/ipp/print/{token}", b"x", content_type="text/plain").status_code == 415


def _pwg_raster(pages: list[list[bytes]], width: int, dpi: int = 300) -> bytes:
    """A PWG raster in sgray 8 bits, each line written as literal runs."""
    out = bytearray(b"RaS2")
    for lines in pages:
        header = bytearray(1796)
        header[0:9] = b"PwgRaster"
        struct.pack_into(">II", header, 276, dpi, dpi)
        struct.pack_into(">IIIIIIII", header, 372, width, len(lines), 0, 8, 8, width, 0, 18)
        out += header
        for line in lines:
            out.append(0)  # the line once
            for start in range(0, width, 128):
                run = line[start : start + 128]
                out.append(257 - len(run) if len(run) > 1 else 0)
                out += run
    return bytes(out)


def test_a_pwg_raster_becomes_a_pdf_with_the_same_pixels(
    client: Client, token: str, tmp_path: object
) -> None:
    import subprocess

    from PIL import Image, ImageDraw

    width, height = 300, 200
    image = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(image)
    draw.rectangle((20, 30, 120, 90), fill=0)
    draw.ellipse((150, 50, 280, 180), fill=128)
    draw.line((0, 199, 299, 0), fill=60, width=3)
    raw = image.tobytes()
    lines = [raw[y * width : (y + 1) * width] for y in range(height)]
    response = print_job(
        client, token, _pwg_raster([lines, lines[::-1]], width, dpi=100), fmt="image/pwg-raster"
    )
    assert response.code == OK
    job = PrintJob.objects.get(pk=response.group(ipp.JOB).get("job-id").value)
    pdf_path = tmp_path / "job.pdf"
    with job.file.open("rb") as handle:
        pdf_path.write_bytes(handle.read())
    # Ghostscript renders an image at its own resolution pixel for pixel (pdftoppm smooths it).
    subprocess.run(
        [
            "gs",
            "-q",
            "-dSAFER",
            "-dBATCH",
            "-dNOPAUSE",
            "-sDEVICE=pgmraw",
            "-r100",
            "-o",
            str(tmp_path / "page-%d.pgm"),
            str(pdf_path),
        ],
        check=True,
    )
    first = Image.open(tmp_path / "page-1.pgm")
    second = Image.open(tmp_path / "page-2.pgm")
    assert first.size == second.size == (width, height)
    assert _same_within_a_pixel(first.tobytes(), raw, width, height)
    assert _same_within_a_pixel(second.tobytes(), b"".join(lines[::-1]), width, height)
    assert not _same_within_a_pixel(first.tobytes(), second.tobytes(), width, height)


def _same_within_a_pixel(rendered: bytes, expected: bytes, width: int, height: int) -> bool:
    """Every rendered pixel has its exact value at most one pixel away in the original (the
    renderer rounds the image's edges to its own pixel grid)."""
    for y in range(height):
        for x in range(width):
            value = rendered[y * width + x]
            if not any(
                expected[ny * width + nx] == value
                for ny in range(max(0, y - 1), min(height, y + 2))
                for nx in range(max(0, x - 1), min(width, x + 2))
            ):
                return False
    return True


POSTSCRIPT = b"""%!PS-Adobe-3.0
%%BoundingBox: 0 0 595 842
%%Pages: 1
%%Page: 1 1
/Helvetica findfont 24 scalefont setfont 72 720 moveto (Ordonnance) show
showpage
%%EOF
"""


@pytest.mark.parametrize(
    "header", [b"", b"\x1b%-12345X@PJL JOB\r\n@PJL ENTER LANGUAGE=POSTSCRIPT\r\n"]
)
def test_postscript_of_the_legacy_windows_path_becomes_a_pdf(
    client: Client, token: str, header: bytes
) -> None:
    response = print_job(client, token, header + POSTSCRIPT, fmt="application/octet-stream")
    assert response.code == OK
    job = PrintJob.objects.get(pk=response.group(ipp.JOB).get("job-id").value)
    with job.file.open("rb") as handle, pikepdf.open(handle) as pdf:
        assert len(pdf.pages) == 1


def test_postscript_that_ghostscript_refuses_is_not_kept(client: Client, token: str) -> None:
    hostile = b"%!PS\n(/etc/passwd) (r) file 100 string readstring pop print\nshowpage\n"
    response = print_job(client, token, hostile, fmt="application/octet-stream")
    assert response.code == 0x0410
    assert not PrintJob.objects.exists()


def test_a_pdf_sent_as_octet_stream_over_20_mb_is_refused(client: Client, token: str) -> None:
    huge = pdf_bytes() + b"%" * (20 * 1024 * 1024)
    assert print_job(client, token, huge, fmt="application/octet-stream").code == 0x0409


def test_validate_job_needs_the_token_and_a_supported_format(client: Client, token: str) -> None:
    def validate(address: str, fmt: str) -> int:
        body = ipp_request(server.VALIDATE_JOB, extra=[("document-format", ipp.MIME_TYPE, fmt)])
        return post(client, address, body).code

    assert validate(token, "application/pdf") == OK
    assert validate(token, "image/jpeg") == 0x040A
    assert validate("wrong", "application/pdf") == 0x0403
    assert not PrintJob.objects.exists()


def test_get_job_attributes_all_describes_the_job(client: Client, token: str) -> None:
    job_id = print_job(client, token, pdf_bytes()).group(ipp.JOB).get("job-id").value
    body = ipp_request(
        server.GET_JOB_ATTRIBUTES,
        extra=[("job-id", ipp.INTEGER, job_id), ("requested-attributes", ipp.KEYWORD, "all")],
    )
    job = post(client, token, body).group(ipp.JOB)
    assert job.get("job-name").value == "Ordonnance.docx"
    assert job.get("job-state").value == 9
    assert job.get("time-at-completed").value >= job.get("time-at-creation").value
    assert job.get("job-printer-uri").value.endswith(f"/ipp/print/{token}")


def test_an_unknown_job_is_not_found(client: Client, token: str) -> None:
    body = ipp_request(server.GET_JOB_ATTRIBUTES, extra=[("job-id", ipp.INTEGER, 999999)])
    assert post(client, token, body).code == 0x0406
