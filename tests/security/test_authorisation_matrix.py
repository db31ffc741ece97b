"""The authorisation matrix (authorisation.toml), checked for every URL name and persona."""

import tomllib
from pathlib import Path

import pytest
from django.http import HttpResponse

from printer import ipp, server
from tests.printer.conftest import ipp_request, pdf_bytes
from tests.security.conftest import PERSONAS, World, clients
from tests.security.urls import all_url_names

MATRIX = tomllib.loads((Path(__file__).parent / "authorisation.toml").read_text())
NAMES = all_url_names()
GROUPS = sorted({url_name.name.split(":")[0] if ":" in url_name.name else "" for url_name in NAMES})
IPP_STATUSES = {0x0000: "successful-ok", 0x0403: "client-error-not-authorized"}


def answer(response: HttpResponse) -> int | str:
    if response.status_code in (301, 302):
        location = response["Location"]
        return "login" if "connexion" in location or "/admin/login" in location else "redirect"
    return response.status_code


def page_url(url_name: object, world: World) -> str:
    # The admin's pages take their own ids; placeholders are enough to probe their guard.
    values = {} if url_name.name.startswith("admin:") else world.arguments()
    return url_name.url(**{key: values[key] for key in url_name.arguments if key in values})


def test_the_matrix_lists_the_personas_of_security_md() -> None:
    assert tuple(MATRIX["personas"]) == PERSONAS


def test_every_url_name_is_in_the_matrix() -> None:
    missing = sorted({url_name.name for url_name in NAMES} - set(MATRIX["expected"]))
    assert not missing, f"add these URL names to tests/security/authorisation.toml: {missing}"


def test_the_matrix_lists_no_url_name_that_does_not_exist() -> None:
    assert not set(MATRIX["expected"]) - {url_name.name for url_name in NAMES}


@pytest.mark.django_db
@pytest.mark.parametrize("group", GROUPS, ids=[group or "root" for group in GROUPS])
def test_each_persona_gets_the_answer_of_the_matrix(
    group: str, world: World, client_for: object
) -> None:
    personas = clients(world, client_for)
    wrong = []
    for url_name in NAMES:
        if (url_name.name.split(":")[0] if ":" in url_name.name else "") != group:
            continue
        expected = MATRIX["expected"].get(url_name.name)
        url = page_url(url_name, world)
        got = [answer(personas[persona].get(url)) for persona in PERSONAS]
        if got != expected:
            wrong.append(f"{url_name.name}: expected {expected}, got {got}")
    assert not wrong, "\n".join(wrong)


def _ipp_bodies(user: list[tuple[str, int, str]]) -> tuple[bytes, bytes]:
    """A Get-Printer-Attributes request, and a Print-Job of a one-page PDF."""
    attributes = ipp_request(server.GET_PRINTER_ATTRIBUTES)
    extra = [
        *user,
        ("job-name", ipp.NAME, "ordo"),
        ("document-format", ipp.MIME_TYPE, "application/pdf"),
    ]
    return attributes, ipp_request(server.PRINT_JOB, extra=extra) + pdf_bytes()


@pytest.mark.django_db
def test_the_ipp_endpoint_answers_the_ipp_statuses_of_the_matrix(
    world: World, client_for: object
) -> None:
    anonymous = client_for(None)

    def status(token: str, body: bytes) -> str:
        response = anonymous.post(f"/ipp/print/{token}", body, content_type="application/ipp")
        assert response.status_code == 200
        message, _rest = ipp.decode(response.content)
        return IPP_STATUSES.get(message.code, hex(message.code))

    attributes, job = _ipp_bodies([("requesting-user-name", ipp.NAME, "claire")])
    for operation, body in (("get_printer_attributes", attributes), ("print_job", job)):
        expected = MATRIX["ipp"][operation]
        assert status(world.printer_token, body) == expected["valid_token"], operation
        assert status("x" * 32, body) == expected["unknown_token"], operation


@pytest.mark.django_db
def test_the_plain_ipp_address_answers_the_statuses_of_the_matrix(
    world: World, client_for: object
) -> None:
    import base64

    anonymous = client_for(None)
    email = world.job.owner.email

    def status(password: str | None, body: bytes) -> int | str:
        headers = {}
        if password is not None:
            credentials = base64.b64encode(f"{email}:{password}".encode()).decode()
            headers["Authorization"] = f"Basic {credentials}"
        response = anonymous.post(
            "/ipp/printer", body, content_type="application/ipp", headers=headers
        )
        if response.status_code != 200:
            return response.status_code
        message, _rest = ipp.decode(response.content)
        return IPP_STATUSES.get(message.code, hex(message.code))

    attributes, job = _ipp_bodies([])
    for operation, body in (("basic_get_printer_attributes", attributes), ("basic_print_job", job)):
        expected = MATRIX["ipp"][operation]
        assert status(world.printer_token, body) == expected["right_password"], operation
        assert status("x" * 32, body) == expected["wrong_password"], operation
        assert status(None, body) == expected["no_password"], operation
