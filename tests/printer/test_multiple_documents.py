"""IPP jobs of several documents: Create-Job then Send-Document until last-document, and PDFs
back to back in one document (what a CUPS queue sends for ``lp a.pdf b.pdf``)."""

from pathlib import Path

import pikepdf
import pytest
from django.test import Client

from portal.models import User
from printer import ipp, server, services
from printer.models import PrintJob
from printer.services import receiving
from tests.printer.conftest import ipp_request, pdf_bytes
from tests.printer.test_ipp_endpoint import POSTSCRIPT, _pwg_raster, post, print_job

pytestmark = pytest.mark.django_db

OK = 0x0000


@pytest.fixture
def token(clinician: User) -> str:
    return services.create_printer_token(user=clinician)


def create_job(client: Client, token: str, name: str = "Dossier Dupont") -> int:
    created = post(
        client, token, ipp_request(server.CREATE_JOB, extra=[("job-name", ipp.NAME, name)])
    )
    assert created.code == OK
    return created.group(ipp.JOB).get("job-id").value


def send(
    client: Client,
    token: str,
    job_id: int,
    document: bytes,
    *,
    last: bool,
    name: str = "",
    fmt: str = "application/pdf",
) -> ipp.Message:
    extra: list[tuple[str, int, object]] = [
        ("job-id", ipp.INTEGER, job_id),
        ("last-document", ipp.BOOLEAN, last),
        ("document-format", ipp.MIME_TYPE, fmt),
    ]
    if name:
        extra.append(("document-name", ipp.NAME, name))
    return post(client, token, ipp_request(server.SEND_DOCUMENT, extra=extra) + document)


def job_attributes(client: Client, token: str, job_id: int) -> ipp.Group:
    body = ipp_request(server.GET_JOB_ATTRIBUTES, extra=[("job-id", ipp.INTEGER, job_id)])
    return post(client, token, body).group(ipp.JOB)


def pages(job: PrintJob) -> int:
    with job.file.open("rb") as handle, pikepdf.open(handle) as pdf:
        return len(pdf.pages)


def stored_files(settings: object) -> list[Path]:
    return [path for path in Path(settings.MEDIA_ROOT).rglob("*.pdf")]  # type: ignore[attr-defined]


def test_each_document_of_a_job_becomes_its_own_pending_print(
    client: Client, token: str, clinician: User
) -> None:
    job_id = create_job(client, token)
    first = send(client, token, job_id, pdf_bytes(1), last=False, name="Ordonnance")
    assert first.code == OK
    # Not complete before its last document: nothing in the inbox yet.
    assert first.group(ipp.JOB).get("job-state").value == PrintJob.State.PROCESSING
    assert not services.waiting_jobs(clinician).exists()
    last = send(client, token, job_id, pdf_bytes(3), last=True, name="Courrier")
    assert last.code == OK
    assert last.group(ipp.JOB).get("job-state").value == PrintJob.State.COMPLETED
    waiting = sorted(services.waiting_jobs(clinician), key=lambda job: job.pk)
    assert [(job.name, pages(job)) for job in waiting] == [("Ordonnance", 1), ("Courrier", 3)]
    attributes = job_attributes(client, token, job_id)
    assert attributes.get("number-of-documents").value == 2
    assert attributes.get("job-impressions-completed").value == 4
    assert attributes.get("job-state").value == PrintJob.State.COMPLETED


def test_documents_without_names_are_numbered_after_the_job(
    client: Client, token: str, clinician: User
) -> None:
    job_id = create_job(client, token)
    assert send(client, token, job_id, pdf_bytes(1), last=False).code == OK
    assert send(client, token, job_id, pdf_bytes(2), last=False).code == OK
    # A last Send-Document may come without data: it closes the job.
    assert send(client, token, job_id, b"", last=True).code == OK
    names = sorted(job.name for job in services.waiting_jobs(clinician))
    assert names == ["Dossier Dupont", "Dossier Dupont (2)"]


def test_the_second_document_of_a_job_is_not_a_job_of_its_own(client: Client, token: str) -> None:
    job_id = create_job(client, token)
    send(client, token, job_id, pdf_bytes(), last=False)
    send(client, token, job_id, pdf_bytes(), last=True)
    second = PrintJob.objects.get(parent_id=job_id)
    body = ipp_request(server.GET_JOB_ATTRIBUTES, extra=[("job-id", ipp.INTEGER, second.pk)])
    assert post(client, token, body).code == 0x0406
    jobs = post(
        client, token, ipp_request(server.GET_JOBS, extra=[("which-jobs", ipp.KEYWORD, "all")])
    )
    assert [group.get("job-id").value for group in jobs.groups if group.tag == ipp.JOB] == [job_id]


def test_a_finished_job_takes_no_more_documents(client: Client, token: str) -> None:
    job_id = create_job(client, token)
    send(client, token, job_id, pdf_bytes(), last=True)
    assert send(client, token, job_id, pdf_bytes(), last=True).code == 0x0404


def test_last_document_is_required(client: Client, token: str) -> None:
    job_id = create_job(client, token)
    body = ipp_request(server.SEND_DOCUMENT, extra=[("job-id", ipp.INTEGER, job_id)])
    assert post(client, token, body + pdf_bytes()).code == 0x0400


def test_a_truncated_second_document_aborts_the_job_and_keeps_nothing(
    client: Client, token: str, clinician: User, settings: object
) -> None:
    job_id = create_job(client, token)
    assert send(client, token, job_id, pdf_bytes(), last=False).code == OK
    assert len(stored_files(settings)) == 1
    cut = send(client, token, job_id, pdf_bytes(2)[:-200], last=True)
    assert cut.code == 0x0410
    assert job_attributes(client, token, job_id).get("job-state").value == PrintJob.State.ABORTED
    assert not services.waiting_jobs(clinician).exists()
    assert PrintJob.objects.filter(owner=clinician).count() == 1  # the aborted job, no file
    assert stored_files(settings) == []


def test_too_many_documents_are_refused_and_nothing_is_kept(
    client: Client, token: str, clinician: User, monkeypatch: pytest.MonkeyPatch, settings: object
) -> None:
    monkeypatch.setattr(receiving, "MAX_JOB_DOCUMENTS", 2)
    job_id = create_job(client, token)
    assert send(client, token, job_id, pdf_bytes(), last=False).code == OK
    assert send(client, token, job_id, pdf_bytes(), last=False).code == OK
    refused = send(client, token, job_id, pdf_bytes(), last=True)
    assert refused.code == 0x050C  # server-error-too-many-documents
    assert "2 documents" in refused.group(ipp.OPERATION).get("status-message").value
    assert job_attributes(client, token, job_id).get("job-state").value == PrintJob.State.ABORTED
    assert not services.waiting_jobs(clinician).exists()
    assert stored_files(settings) == []


def test_documents_too_large_together_are_refused(
    client: Client, token: str, clinician: User, monkeypatch: pytest.MonkeyPatch, settings: object
) -> None:
    monkeypatch.setattr(receiving, "MAX_JOB_SIZE", len(pdf_bytes()) * 2 - 1)
    job_id = create_job(client, token)
    assert send(client, token, job_id, pdf_bytes(), last=False).code == OK
    assert send(client, token, job_id, pdf_bytes(), last=True).code == 0x0409
    assert not services.waiting_jobs(clinician).exists()
    assert stored_files(settings) == []


def test_each_document_is_converted_on_its_own(client: Client, token: str, clinician: User) -> None:
    job_id = create_job(client, token)
    raster = _pwg_raster([[bytes([255] * 64)] * 32], width=64)
    assert send(client, token, job_id, raster, last=False, fmt="image/pwg-raster").code == OK
    postscript = send(client, token, job_id, POSTSCRIPT, last=False, fmt="application/octet-stream")
    assert postscript.code == OK
    assert send(client, token, job_id, pdf_bytes(2), last=True).code == OK
    documents = sorted(services.waiting_jobs(clinician), key=lambda job: job.pk)
    assert [pages(job) for job in documents] == [1, 1, 2]
    assert [job.document_format for job in documents] == [
        "image/pwg-raster",
        "application/octet-stream",
        "application/pdf",
    ]


def test_pdfs_back_to_back_in_one_document_are_separate_prints(
    client: Client, token: str, clinician: User
) -> None:
    response = print_job(client, token, pdf_bytes(1) + pdf_bytes(3) + pdf_bytes(2), name="Lot")
    assert response.code == OK
    documents = sorted(services.waiting_jobs(clinician), key=lambda job: job.pk)
    assert [(job.name, pages(job)) for job in documents] == [
        ("Lot", 1),
        ("Lot (2)", 3),
        ("Lot (3)", 2),
    ]


def test_pdfs_back_to_back_with_one_cut_short_are_refused(
    client: Client, token: str, clinician: User, settings: object
) -> None:
    response = print_job(client, token, pdf_bytes(1) + pdf_bytes(3)[:-300])
    assert response.code == 0x0410
    assert not services.waiting_jobs(clinician).exists()
    assert stored_files(settings) == []


def test_another_clinicians_job_takes_no_document_from_me(
    client: Client, token: str, clinician: User, other_clinician: User
) -> None:
    other_token = services.create_printer_token(user=other_clinician)
    job_id = create_job(client, other_token)
    assert send(client, token, job_id, pdf_bytes(), last=True).code == 0x0403
    assert send(client, other_token, job_id, pdf_bytes(), last=True).code == OK
    assert not services.waiting_jobs(clinician).exists()
    assert services.waiting_jobs(other_clinician).count() == 1


def test_the_printer_says_it_takes_jobs_of_several_documents(client: Client) -> None:
    printer = post(client, "x", ipp_request(server.GET_PRINTER_ATTRIBUTES)).group(ipp.PRINTER)
    assert printer.get("multiple-document-jobs-supported").value is True
    assert server.SEND_DOCUMENT in printer.get("operations-supported").values


def test_the_later_documents_stay_documents_when_the_first_is_deleted(
    client: Client, token: str, clinician: User
) -> None:
    job_id = create_job(client, token)
    send(client, token, job_id, pdf_bytes(), last=False)
    send(client, token, job_id, pdf_bytes(), last=True)
    services.delete_job(job=PrintJob.objects.get(pk=job_id))
    (second,) = services.waiting_jobs(clinician)
    assert second.parent is None
    listed = post(
        client, token, ipp_request(server.GET_JOBS, extra=[("which-jobs", ipp.KEYWORD, "all")])
    )
    assert listed.group(ipp.JOB) is None
    body = ipp_request(server.GET_JOB_ATTRIBUTES, extra=[("job-id", ipp.INTEGER, second.pk)])
    assert post(client, token, body).code == 0x0406


def test_a_job_whose_next_document_does_not_come_is_aborted_with_nothing_kept(
    client: Client, token: str, clinician: User, settings: object
) -> None:
    import datetime

    import time_machine
    from django.utils import timezone

    job_id = create_job(client, token)
    assert send(client, token, job_id, pdf_bytes(), last=False).code == OK
    later = timezone.now() + datetime.timedelta(seconds=services.MULTIPLE_OPERATION_TIME_OUT + 1)
    with time_machine.travel(later):
        attributes = job_attributes(client, token, job_id)
        assert attributes.get("job-state").value == PrintJob.State.ABORTED
        assert attributes.get("number-of-documents").value == 0
        assert send(client, token, job_id, pdf_bytes(), last=True).code == 0x0404
    assert not services.waiting_jobs(clinician).exists()
    assert stored_files(settings) == []


def test_a_pdf_holding_another_pdf_stays_one_document(
    client: Client, token: str, clinician: User
) -> None:
    import io

    outer = pikepdf.new()
    outer.add_blank_page()
    # Another PDF, uncompressed in a stream: "%%EOF" then "%PDF-" inside the outer file.
    outer.Root.Inner = outer.make_stream(b"\n" + pdf_bytes(2) + pdf_bytes(3))
    out = io.BytesIO()
    outer.save(out, compress_streams=False)
    body = out.getvalue()
    assert b"%%EOF\n%PDF-" in body
    assert print_job(client, token, body, name="Un seul").code == OK
    (job,) = services.waiting_jobs(clinician)
    assert job.name == "Un seul"
    assert pages(job) == 1


@pytest.mark.parametrize("chunk", [7, 64, 1000])
def test_a_boundary_across_two_reads_is_found(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunk: int
) -> None:
    """The body is scanned by chunks: a ``%%EOF`` ... ``%PDF-`` cut by a chunk's edge counts."""
    from printer import concatenated

    monkeypatch.setattr(concatenated, "CHUNK", chunk)
    documents = [pdf_bytes(1), pdf_bytes(3), pdf_bytes(2)]
    body = b"\n".join(documents)
    path = tmp_path / "job.pdf"
    path.write_bytes(body)
    assert [body[start:end].strip() for start, end in concatenated.parts(str(path))] == [
        document.strip() for document in documents
    ]
