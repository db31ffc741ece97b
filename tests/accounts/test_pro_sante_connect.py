"""Pro Santé Connect against a real OpenID Connect provider: the npm package oidc-provider.

tests/oidc/provider.mjs runs on 127.0.0.1 and a free port, with PSC-like claims; our code talks
to it over HTTP as it would to PSC (token, userinfo and keys endpoints, RS256, PKCE). The
provider's fixtures are in tests/accounts/conftest.py, its helpers in psc_provider.py.
"""

import json
import time
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from django.test import Client
from django.urls import reverse

from audit.models import AccessLog
from portal.models import User
from tests.accounts.psc_provider import CLIENT_ID, RPPS, at_the_provider, back, configure, text

pytestmark = pytest.mark.django_db


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
    response = back(client, at_the_provider(client, psc["issuer"]))
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
    response = back(client, at_the_provider(client, psc["issuer"], rpps="10009999990"))
    assert response["Location"] == reverse("portal:login")
    body = text(response, client)
    assert "Votre numéro RPPS 10009999990 n&#x27;est pas connu sur ce portail" in body
    assert "aucun compte n&#x27;est créé automatiquement" in body
    assert User.objects.count() == users
    assert "_auth_user_id" not in client.session


def test_a_wrong_state_is_refused(client: Client, psc: dict, claire: User) -> None:
    url = at_the_provider(client, psc["issuer"]).replace("state=", "state=forged")
    response = back(client, url)
    assert response["Location"] == reverse("portal:login")
    assert "La connexion avec Pro Santé Connect a échoué" in text(response, client)
    assert "_auth_user_id" not in client.session


def test_an_expired_code_is_refused(
    client: Client, settings: object, quick_provider: dict, claire: User
) -> None:
    configure(settings, quick_provider["issuer"])
    url = at_the_provider(client, quick_provider["issuer"])
    time.sleep(2.5)
    response = back(client, url)
    assert response["Location"] == reverse("portal:login")
    assert "_auth_user_id" not in client.session


def test_a_code_is_used_once(client: Client, psc: dict, claire: User) -> None:
    url = at_the_provider(client, psc["issuer"])
    back(client, url)
    other = Client()
    other.session.update(client.session)
    assert "_auth_user_id" not in other.session
    assert back(other, url)["Location"] == reverse("portal:login")


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
    url = at_the_provider(client, psc["issuer"])
    settings.OIDC_RP_CLIENT_ID = "not-our-client"  # our side expects another audience
    response = back(client, url)
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
    configure(settings, signing_provider["issuer"])
    response = back(client, at_the_provider(client, signing_provider["issuer"]))
    assert response["Location"] == "/"
    assert client.session["_auth_user_id"] == str(claire.pk)
    # The ID token, then the userinfo JWT, each checked against the provider's keys.
    assert len(checked) == 2
    assert checked[1]["SubjectNameID"] == RPPS
