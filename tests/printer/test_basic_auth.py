"""The plain printer address /ipp/printer with HTTP Basic authentication: the clinician's
email and printer secret; the secret in the address keeps working."""

import base64

import pytest
from django.test import Client

from accounts import services as accounts
from audit.models import AccessLog
from portal.models import User
from printer import ipp, server, services
from printer.models import PrintJob
from tests.factories import PASSWORD
from tests.printer.conftest import ipp_request, pdf_bytes

pytestmark = pytest.mark.django_db

URL = "/ipp/printer"
OK = 0x0000


@pytest.fixture
def secret(clinician: User) -> str:
    return services.create_printer_token(user=clinician)


def basic(username: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()


def call(client: Client, body: bytes, authorization: str | None = None, url: str = URL):  # type: ignore[no-untyped-def]
    headers = {"Authorization": authorization} if authorization is not None else {}
    return client.post(url, body, content_type="application/ipp", headers=headers)


def print_job_body(name: str = "Ordonnance") -> bytes:
    return (
        ipp_request(
            server.PRINT_JOB,
            uri="ipp://testserver/ipp/printer",
            extra=[
                ("job-name", ipp.NAME, name),
                ("document-format", ipp.MIME_TYPE, "application/pdf"),
            ],
        )
        + pdf_bytes()
    )


def test_the_printer_describes_itself_to_anyone_and_asks_for_basic(client: Client) -> None:
    response = call(client, ipp_request(server.GET_PRINTER_ATTRIBUTES))
    assert response.status_code == 200
    printer = ipp.decode(response.content)[0].group(ipp.PRINTER)
    assert printer.get("uri-authentication-supported").value == "basic"
    assert printer.get("printer-uri-supported").value == "ipp://testserver/ipp/printer"


def test_a_job_without_credentials_gets_a_basic_challenge(client: Client, secret: str) -> None:
    response = call(client, print_job_body())
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Basic realm="MonSisra", charset="UTF-8"'
    assert not PrintJob.objects.exists()
    assert not AccessLog.objects.filter(action="printer.basic_auth").exists()


def test_the_email_and_printer_secret_print_into_the_inbox(
    client: Client, secret: str, clinician: User
) -> None:
    response = call(client, print_job_body(), basic(clinician.email.upper(), secret))
    assert response.status_code == 200
    message = ipp.decode(response.content)[0]
    assert message.code == OK
    job_uri = message.group(ipp.JOB).get("job-uri").value
    assert job_uri.startswith("ipp://testserver/ipp/printer/")
    (job,) = services.waiting_jobs(clinician)
    assert job.name == "Ordonnance"


@pytest.mark.parametrize(
    "authorization",
    [
        "wrong",
        "Basic !!!",
        "Basic " + base64.b64encode(b"no colon").decode(),
        "Basic " + base64.b64encode(b"\xff\xfe:x").decode(),
        "Bearer abc",
    ],
)
def test_malformed_credentials_get_the_challenge_never_a_500(
    client: Client, secret: str, authorization: str
) -> None:
    assert call(client, print_job_body(), authorization).status_code == 401
    assert not PrintJob.objects.exists()


def test_a_wrong_password_is_refused_and_traced_without_the_password(
    client: Client, secret: str, clinician: User
) -> None:
    response = call(client, print_job_body(), basic(clinician.email, "guessed-secret"))
    assert response.status_code == 401
    assert not PrintJob.objects.exists()
    (row,) = AccessLog.objects.filter(action="printer.basic_auth")
    assert row.outcome == "failure"
    assert row.details == {"email": clinician.email}
    assert row.ip_address == "127.0.0.1"
    assert "guessed-secret" not in str(row.details) and secret not in str(row.details)


def test_the_portal_password_is_not_the_printer_password(
    client: Client, secret: str, clinician: User
) -> None:
    # The portal's login has a second factor: its password alone must not open the printer.
    assert call(client, print_job_body(), basic(clinician.email, PASSWORD)).status_code == 401


def test_an_unknown_account_is_refused_like_a_wrong_password(client: Client, secret: str) -> None:
    assert call(client, print_job_body(), basic("nobody@portail.test", secret)).status_code == 401
    assert AccessLog.objects.filter(action="printer.basic_auth", outcome="failure").count() == 1


def test_five_wrong_passwords_lock_the_printer_not_the_portal_login(
    client: Client, secret: str, clinician: User
) -> None:
    for _ in range(5):
        assert call(client, print_job_body(), basic(clinician.email, "x")).status_code == 401
    # Locked: even the right secret is not checked until the wait ends.
    locked = call(client, print_job_body(), basic(clinician.email, secret))
    assert locked.status_code == 429
    assert 0 < int(locked["Retry-After"]) <= 15 * 60
    assert not PrintJob.objects.exists()
    assert not accounts.is_login_locked(email=clinician.email, ip="127.0.0.1")
    # The secret in the address is another way in: it still prints.
    by_address = client.post(
        services.printer_path(secret), print_job_body(), content_type="application/ipp"
    )
    assert ipp.decode(by_address.content)[0].code == OK


def test_a_revoked_secret_no_longer_opens_the_printer(
    client: Client, secret: str, clinician: User
) -> None:
    services.revoke_printer_token(user=clinician)
    assert call(client, print_job_body(), basic(clinician.email, secret)).status_code == 401


def test_another_clinician_sees_none_of_my_jobs(
    client: Client, secret: str, clinician: User, other_clinician: User
) -> None:
    other_secret = services.create_printer_token(user=other_clinician)
    mine = ipp.decode(call(client, print_job_body(), basic(clinician.email, secret)).content)[0]
    job_id = mine.group(ipp.JOB).get("job-id").value
    theirs = basic(other_clinician.email, other_secret)
    asked = call(
        client,
        ipp_request(server.GET_JOB_ATTRIBUTES, extra=[("job-id", ipp.INTEGER, job_id)]),
        theirs,
    )
    assert ipp.decode(asked.content)[0].code == 0x0403
    canceled = call(
        client, ipp_request(server.CANCEL_JOB, extra=[("job-id", ipp.INTEGER, job_id)]), theirs
    )
    assert ipp.decode(canceled.content)[0].code == 0x0403
    listed = call(
        client, ipp_request(server.GET_JOBS, extra=[("which-jobs", ipp.KEYWORD, "all")]), theirs
    )
    assert ipp.decode(listed.content)[0].group(ipp.JOB) is None
    # My secret with their email opens nothing either.
    assert call(client, print_job_body(), basic(other_clinician.email, secret)).status_code == 401
