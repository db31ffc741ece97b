"""Pro Santé Connect against a real OpenID Connect provider: the npm package oidc-provider.

tests/oidc/provider.mjs runs on 127.0.0.1 and a free port, with PSC-like claims; our code talks
to it over HTTP as it would to PSC (token, userinfo and keys endpoints, RS256, PKCE).
"""

import json
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import rsa
from django.test import Client
from django.urls import reverse

from accounts.models import ProfessionalProfile
from audit.models import AccessLog
from portal.models import User
from tests.factories import ProfessionalProfileFactory

pytestmark = pytest.mark.django_db

PROVIDER = Path(__file__).resolve().parents[1] / "oidc" / "provider.mjs"
CLIENT_ID, CLIENT_SECRET = "portail-test", "secret-of-the-test-client"
CALLBACK = "http://testserver/connexion/psc/retour/"
RPPS = "10001001006"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _private_jwk() -> tuple[dict, object]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key))
    return {**jwk, "kid": "test-key", "alg": "RS256", "use": "sig"}, key


def _start(code_ttl: int, signed_userinfo: bool = False) -> Iterator[dict]:
    if not (PROVIDER.parent / "node_modules" / "oidc-provider").exists():
        pytest.fail("tests/oidc/node_modules is missing: scripts/bootstrap --test runs npm ci.")
    port = _free_port()
    jwk, key = _private_jwk()
    process = subprocess.Popen(
        ["node", str(PROVIDER)],
        env={
            "PATH": "/usr/bin:/bin:/usr/local/bin",
            "PORT": str(port),
            "REDIRECT_URI": CALLBACK,
            "CLIENT_ID": CLIENT_ID,
            "CLIENT_SECRET": CLIENT_SECRET,
            "JWKS": json.dumps({"keys": [jwk]}),
            "CODE_TTL": str(code_ttl),
            "SIGNED_USERINFO": "1" if signed_userinfo else "0",
            "NODE_NO_WARNINGS": "1",
        },
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout.readline().strip() == "listening", process.stderr.read()
        issuer = f"http://127.0.0.1:{port}"
        yield {"issuer": issuer, "key": key, "kid": jwk["kid"]}
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="module")
def provider() -> Iterator[dict]:
    yield from _start(code_ttl=60)


@pytest.fixture(scope="module")
def quick_provider() -> Iterator[dict]:
    """Authorization codes expire after 1 second here."""
    yield from _start(code_ttl=1)


@pytest.fixture(scope="module")
def signing_provider() -> Iterator[dict]:
    """Userinfo comes as a signed JWT here (PSC may answer either way)."""
    yield from _start(code_ttl=60, signed_userinfo=True)


def _configure(settings: object, issuer: str, *, client_id: str = CLIENT_ID) -> None:
    discovery = requests.get(f"{issuer}/.well-known/wallet-openid-configuration", timeout=5)
    endpoints = discovery.json()
    settings.PSC_ENABLED = True
    settings.PSC_ISSUER = endpoints["issuer"]
    settings.OIDC_RP_CLIENT_ID = client_id
    settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = endpoints["authorization_endpoint"]
    settings.OIDC_OP_TOKEN_ENDPOINT = endpoints["token_endpoint"]
    settings.OIDC_OP_USER_ENDPOINT = endpoints["userinfo_endpoint"]
    settings.OIDC_OP_JWKS_ENDPOINT = endpoints["jwks_uri"]


@pytest.fixture
def psc(settings: object, provider: dict) -> dict:
    _configure(settings, provider["issuer"])
    return provider


@pytest.fixture
def claire(clinician: User) -> User:
    ProfessionalProfile.objects.filter(user=clinician).delete()
    ProfessionalProfileFactory(user=clinician, rpps=RPPS)
    return clinician


def _at_the_provider(client: Client, issuer: str, rpps: str = RPPS) -> str:
    """Click the button, log in at the provider as ``rpps``; gives the callback's URL."""
    requests.get(f"{issuer}/__account", params={"rpps": rpps}, timeout=5)
    url = client.get(reverse("portal:psc_login"))["Location"]
    browser = requests.Session()
    for _ in range(10):
        if url.startswith(CALLBACK):
            return url
        url = requests.compat.urljoin(
            url, browser.get(url, allow_redirects=False, timeout=5).headers["Location"]
        )
    raise AssertionError(f"the provider never came back: {url}")


def _back(client: Client, url: str) -> object:
    parts = urlsplit(url)
    return client.get(parts.path, {k: v[0] for k, v in parse_qs(parts.query).items()})


def _text(response: object, client: Client) -> str:
    return client.get(response["Location"]).content.decode()


def test_the_button_shows_only_when_psc_is_configured(client: Client, settings: object) -> None:
    settings.PSC_ENABLED = False
    assert "Pro Santé Connect" not in client.get(reverse("portal:login")).content.decode()
    assert client.get(reverse("portal:psc_login")).status_code == 404
    settings.PSC_ENABLED = True
    body = client.get(reverse("portal:login")).content.decode()
    assert "Se connecter avec Pro Santé Connect" in body


def test_the_request_asks_for_pkce_state_nonce_and_eidas1(client: Client, psc: dict) -> None:
    query = parse_qs(urlsplit(client.get(reverse("portal:psc_login"))["Location"]).query)
    assert query["code_challenge_method"] == ["S256"]
    assert query["acr_values"] == ["eidas1"]
    assert query["scope"] == ["openid scope_all"]
    assert query["state"] and query["nonce"] and query["code_challenge"]


def test_a_known_rpps_logs_in_with_both_factors(client: Client, psc: dict, claire: User) -> None:
    response = _back(client, _at_the_provider(client, psc["issuer"]))
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.session["_auth_user_id"] == str(claire.pk)
    assert client.get("/").status_code == 200  # the desk: both factors count
    row = AccessLog.objects.get(action="professional.login", details__step="psc")
    assert (row.outcome, row.actor) == ("success", claire)


def test_an_unknown_rpps_gets_a_clear_message_and_no_account(
    client: Client, psc: dict, claire: User
) -> None:
    users = User.objects.count()
    response = _back(client, _at_the_provider(client, psc["issuer"], rpps="10009999990"))
    assert response["Location"] == reverse("portal:login")
    body = _text(response, client)
    assert "Votre numéro RPPS 10009999990 n&#x27;est pas connu sur ce portail" in body
    assert "aucun compte n&#x27;est créé automatiquement" in body
    assert User.objects.count() == users
    assert "_auth_user_id" not in client.session


def test_a_wrong_state_is_refused(client: Client, psc: dict, claire: User) -> None:
    url = _at_the_provider(client, psc["issuer"]).replace("state=", "state=forged")
    response = _back(client, url)
    assert response["Location"] == reverse("portal:login")
    assert "La connexion avec Pro Santé Connect a échoué" in _text(response, client)
    assert "_auth_user_id" not in client.session


def test_an_expired_code_is_refused(
    client: Client, settings: object, quick_provider: dict, claire: User
) -> None:
    _configure(settings, quick_provider["issuer"])
    url = _at_the_provider(client, quick_provider["issuer"])
    time.sleep(2.5)
    response = _back(client, url)
    assert response["Location"] == reverse("portal:login")
    assert "_auth_user_id" not in client.session


def test_a_code_is_used_once(client: Client, psc: dict, claire: User) -> None:
    url = _at_the_provider(client, psc["issuer"])
    _back(client, url)
    other = Client()
    other.session.update(client.session)
    assert "_auth_user_id" not in other.session
    assert _back(other, url)["Location"] == reverse("portal:login")


def _id_token(provider: dict, key: object, **claims: object) -> str:
    payload = {
        "iss": provider["issuer"],
        "aud": CLIENT_ID,
        "sub": f"f:x:{RPPS}",
        "nonce": "the-nonce",
        "acr": "eidas1",
        "iat": int(time.time()),
        "exp": int(time.time()) + 60,
        **claims,
    }
    return jwt.encode(payload, key, algorithm="RS256", headers={"kid": provider["kid"]})


def _verify(token: str) -> object:
    from accounts.psc import ProSanteConnectBackend

    return ProSanteConnectBackend().verify_token(token, nonce="the-nonce")


def test_the_id_token_checks_pass_for_a_right_token(psc: dict) -> None:
    assert _verify(_id_token(psc, psc["key"]))["acr"] == "eidas1"


@pytest.mark.parametrize(
    "claims",
    [
        {"aud": "another-client"},
        {"iss": "https://elsewhere.test"},
        {"acr": "eidas0"},
        {"nonce": "another-nonce"},
        {"exp": int(time.time()) - 120},
    ],
    ids=["wrong audience", "wrong issuer", "weak acr", "wrong nonce", "expired"],
)
def test_an_id_token_with_a_wrong_claim_is_refused(psc: dict, claims: dict) -> None:
    from django.core.exceptions import SuspiciousOperation

    with pytest.raises((SuspiciousOperation, jwt.PyJWTError)):
        _verify(_id_token(psc, psc["key"], **claims))


def test_a_tampered_id_token_is_refused(psc: dict) -> None:
    from django.core.exceptions import SuspiciousOperation

    header, payload, signature = _id_token(psc, psc["key"]).split(".")
    forged = jwt.utils.base64url_encode(
        json.dumps({**json.loads(jwt.utils.base64url_decode(payload)), "sub": "f:x:1"}).encode()
    ).decode()
    with pytest.raises((SuspiciousOperation, jwt.PyJWTError)):
        _verify(f"{header}.{forged}.{signature}")
    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    with pytest.raises((SuspiciousOperation, jwt.PyJWTError)):
        _verify(_id_token(psc, other_key))


def test_a_wrong_audience_fails_the_whole_login_in_french(
    client: Client, settings: object, psc: dict, claire: User
) -> None:
    url = _at_the_provider(client, psc["issuer"])
    settings.OIDC_RP_CLIENT_ID = "not-our-client"  # our side expects another audience
    response = _back(client, url)
    assert response["Location"] == reverse("portal:login")
    assert "_auth_user_id" not in client.session


def test_a_signed_userinfo_answer_is_read_too(
    client: Client,
    settings: object,
    signing_provider: dict,
    claire: User,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from accounts.psc import ProSanteConnectBackend

    checked: list[dict] = []
    verify = ProSanteConnectBackend.verify_token

    def spy(self: object, token: str, **kwargs: object) -> dict:
        checked.append(payload := verify(self, token, **kwargs))
        return payload

    monkeypatch.setattr(ProSanteConnectBackend, "verify_token", spy)
    _configure(settings, signing_provider["issuer"])
    response = _back(client, _at_the_provider(client, signing_provider["issuer"]))
    assert response["Location"] == "/"
    assert client.session["_auth_user_id"] == str(claire.pk)
    # The ID token, then the userinfo JWT, each checked against the provider's keys.
    assert len(checked) == 2
    assert checked[1]["SubjectNameID"] == RPPS
