"""“Mon imprimante”: the address shown once, stored hashed, replaced or revoked."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from portal.models import User
from printer import services
from printer.models import PrinterToken
from tests.factories import login_as

pytestmark = pytest.mark.django_db

URL = reverse("printer:setup")


def test_the_address_is_shown_once_with_the_setup_help(
    clinician_client: Client, clinician: User
) -> None:
    body = clinician_client.post(URL, {"action": "create"}).content.decode()
    token = re.search(r"/ipp/print/([\w-]+)", body).group(1)
    assert services.printer_owner(token) == clinician
    assert token not in PrinterToken.objects.get(user=clinician).token_hash
    assert "Microsoft IPP Class Driver" in body
    assert f"http://testserver/ipp/print/{token}" in body
    assert f"-v ipp://testserver:80/ipp/print/{token} -m everywhere" in body
    assert token not in clinician_client.get(URL).content.decode()


def test_revoking_stops_the_address(clinician_client: Client, clinician: User) -> None:
    token = services.create_printer_token(user=clinician)
    clinician_client.post(URL, {"action": "revoke"})
    assert services.printer_owner(token) is None


def test_the_page_is_for_professionals_only(client: Client, patient: User) -> None:
    login_as(client, patient)
    assert client.get(URL).status_code == 404
    assert client.post(URL, {"action": "create"}).status_code == 404
    assert not PrinterToken.objects.exists()


def test_the_plain_address_is_shown_with_the_user_name_and_password(
    clinician_client: Client, clinician: User
) -> None:
    body = clinician_client.post(URL, {"action": "create"}).content.decode()
    token = re.search(r"/ipp/print/([\w-]+)", body).group(1)
    assert "ipp://testserver/ipp/printer<" in body
    assert f'<code id="printer-password">{token}</code>' in body
    assert f"<code>{clinician.email}</code>" in body
    # Windows' IPP client does not answer a 401: it is sent to the address with the secret.
    assert "-PortName &quot;http://testserver/ipp/printer&quot;" not in body
    assert '-PortName "http://testserver/ipp/printer"' not in body
    assert "-o auth-info-required=username,password" in body
    assert f"ipp://claire%40portail.test:{token}@testserver:80/ipp/printer -m everywhere" in body
    services.revoke_printer_token(user=clinician)
    assert (
        services.printer_owner_by_password(username=clinician.email, password=token, ip=None)
        is None
    )
