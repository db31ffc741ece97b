"""Pending print jobs: the desk card, the inbox, the preview, deletion and expiry."""

import datetime
import io

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from portal.models import User
from printer import services
from printer.models import PrintJob
from tests.factories import login_as
from tests.printer.conftest import pdf_bytes

pytestmark = pytest.mark.django_db


def _print(owner: User, name: str) -> PrintJob:
    return services.print_job(
        owner=owner,
        name=name,
        originating_user_name="x",
        document_format="application/pdf",
        stream=io.BytesIO(pdf_bytes()),
    )


def test_the_desk_card_counts_the_jobs_and_shows_the_latest_three(
    clinician_client: Client, clinician: User, other_clinician: User
) -> None:
    for number in range(1, 6):
        _print(clinician, f"Courrier {number}")
    _print(other_clinician, "Courrier d'un autre")
    body = clinician_client.get(reverse("portal:home")).content.decode()
    assert "5 documents imprimés sur MonSisra attendent d'être envoyés." in body
    assert "Courrier 5" in body and "Courrier 4" in body and "Courrier 3" in body
    assert "Courrier 2" not in body
    assert "Courrier d&#x27;un autre" not in body


def test_the_inbox_lists_the_jobs_newest_first_with_their_expiry(
    clinician_client: Client, clinician: User
) -> None:
    with time_machine.travel(datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)):
        _print(clinician, "Ancien")
    with time_machine.travel(datetime.datetime(2026, 3, 3, 9, 0, tzinfo=datetime.UTC)):
        _print(clinician, "Récent")
        body = clinician_client.get(reverse("printer:inbox")).content.decode()
    assert body.index("Récent") < body.index("Ancien")
    assert "09/03/2026" in body  # the old one goes 7 days after it was printed
    assert "7 jours" in body


def test_the_preview_serves_the_pdf_to_its_clinician_only(
    clinician_client: Client, client: Client, other_clinician: User, waiting_job: PrintJob
) -> None:
    url = reverse("printer:job_file", args=[waiting_job.uuid])
    response = clinician_client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "sandbox" in response["Content-Security-Policy"]
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    login_as(client, other_clinician)
    assert client.get(url).status_code == 404
    assert client.get(reverse("printer:job_type", args=[waiting_job.uuid])).status_code == 404


def test_another_clinician_cannot_delete_a_job(
    client: Client, other_clinician: User, waiting_job: PrintJob
) -> None:
    login_as(client, other_clinician)
    assert client.post(reverse("printer:job_delete", args=[waiting_job.uuid])).status_code == 404
    assert PrintJob.objects.filter(pk=waiting_job.pk).exists()


def test_a_clinician_deletes_a_job_and_its_file(
    clinician_client: Client, waiting_job: PrintJob, django_capture_on_commit_callbacks: object
) -> None:
    storage, name = waiting_job.file.storage, waiting_job.file.name
    with django_capture_on_commit_callbacks(execute=True):
        response = clinician_client.post(reverse("printer:job_delete", args=[waiting_job.uuid]))
    assert response.status_code == 302
    assert not PrintJob.objects.exists()
    assert not storage.exists(name)


def test_patients_and_anonymous_visitors_see_no_inbox(client: Client, patient: User) -> None:
    url = reverse("printer:inbox")
    assert client.get(url).status_code == 302
    login_as(client, patient)
    assert client.get(url).status_code == 404


def test_jobs_expire_after_the_configured_days(
    clinician: User, settings: object, django_capture_on_commit_callbacks: object
) -> None:
    settings.PRINTER_JOB_DAYS = 3
    job = _print(clinician, "Vieux")
    assert job.expires_at - job.completed_at == datetime.timedelta(days=3)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.expire_jobs(now=timezone.now() + datetime.timedelta(days=2)) == 0
        assert services.expire_jobs(now=timezone.now() + datetime.timedelta(days=3, seconds=1)) == 1
    assert not PrintJob.objects.exists()
    assert not job.file.storage.exists(job.file.name)


def test_the_expiry_task_runs_the_cleanup(clinician: User) -> None:
    from printer.tasks import expire_print_jobs

    job = _print(clinician, "Vieux")
    PrintJob.objects.filter(pk=job.pk).update(expires_at=timezone.now())
    assert expire_print_jobs.delay().get() == 1


def test_printer_url_creates_or_rotates_the_address(clinician: User) -> None:
    out = io.StringIO()
    call_command(
        "printer_url", clinician.email, "--base-url", "https://portail.example", stdout=out
    )
    url = out.getvalue().strip()
    assert url.startswith("ipps://portail.example:443/ipp/print/")
    token = url.rsplit("/", 1)[1]
    assert services.printer_owner(token) == clinician
    call_command("printer_url", clinician.email, stdout=io.StringIO())
    assert services.printer_owner(token) is None


def test_printer_url_basic_prints_the_plain_address_with_the_credentials(
    clinician: User,
) -> None:
    out = io.StringIO()
    call_command(
        "printer_url",
        clinician.email,
        "--base-url",
        "https://portail.example",
        "--basic",
        stdout=out,
    )
    url = out.getvalue().strip()
    prefix = "ipps://claire%40portail.test:"
    assert url.startswith(prefix) and url.endswith("@portail.example:443/ipp/printer")
    secret = url[len(prefix) :].split("@", 1)[0]
    assert services.printer_owner(secret) == clinician
    owner = services.printer_owner_by_password(username=clinician.email, password=secret, ip=None)
    assert owner == clinician


def test_printer_url_refuses_an_unknown_email(db: None) -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("printer_url", "nobody@example.org", stdout=io.StringIO())


def test_the_inbox_shows_the_first_page_to_its_clinician_only(
    clinician_client: Client, client: Client, other_clinician: User, waiting_job: PrintJob
) -> None:
    url = reverse("printer:job_thumbnail", args=[waiting_job.uuid])
    assert url in clinician_client.get(reverse("printer:inbox")).content.decode()
    response = clinician_client.get(url)
    assert response.status_code == 200
    assert response.content.startswith(b"\x89PNG")
    login_as(client, other_clinician)
    assert client.get(url).status_code == 404
