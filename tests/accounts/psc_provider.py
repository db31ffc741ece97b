"""A real OpenID Connect provider for the Pro Santé Connect tests: the npm package oidc-provider.

tests/oidc/provider.mjs runs on 127.0.0.1 and a free port, with PSC-like claims; our code talks
to it over HTTP as it would to PSC (discovery, token, userinfo, keys and logout endpoints,
RS256, PKCE). The fixtures are in tests/accounts/conftest.py; a test's browser at the provider
is a ``requests.Session`` (it keeps the provider's session cookie).
"""

import json
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import rsa
from django.test import Client
from django.urls import reverse

PROVIDER = Path(__file__).resolve().parents[1] / "oidc" / "provider.mjs"
CLIENT_ID, CLIENT_SECRET = "portail-test", "secret-of-the-test-client"
CALLBACK = "http://testserver/connexion/psc/retour/"
POST_LOGOUT = "http://testserver/connexion/psc/deconnexion/"
RPPS = "10001001006"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _private_jwk() -> tuple[dict, object]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key))
    # PyJWT marks a private key "key_ops": ["sign"]: the provider would not verify with it the
    # ID tokens it signed (the logout's id_token_hint).
    del jwk["key_ops"]
    return {**jwk, "kid": "test-key", "alg": "RS256", "use": "sig"}, key


def start(code_ttl: int, signed_userinfo: bool = False, logout: bool = True) -> Iterator[dict]:
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
            "POST_LOGOUT_REDIRECT_URI": POST_LOGOUT,
            "LOGOUT": "1" if logout else "0",
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


def configure(settings: object, issuer: str, *, client_id: str = CLIENT_ID) -> None:
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
    settings.PSC_END_SESSION_ENDPOINT = ""  # read from the discovery document


def at_the_provider(
    client: Client, issuer: str, rpps: str = RPPS, browser: requests.Session | None = None
) -> str:
    """Click the button, log in at the provider as ``rpps``; gives the callback's URL."""
    requests.get(f"{issuer}/__account", params={"rpps": rpps}, timeout=5)
    url = client.get(reverse("portal:psc_login"))["Location"]
    browser = browser or requests.Session()
    for _ in range(10):
        if url.startswith(CALLBACK):
            return url
        url = requests.compat.urljoin(
            url, browser.get(url, allow_redirects=False, timeout=5).headers["Location"]
        )
    raise AssertionError(f"the provider never came back: {url}")


def back(client: Client, url: str) -> object:
    """The browser brings the provider's answer to the portal (the callback, or the logout's)."""
    parts = urlsplit(url)
    return client.get(parts.path, {k: v[0] for k, v in parse_qs(parts.query).items()})


def text(response: object, client: Client) -> str:
    return client.get(response["Location"]).content.decode()
