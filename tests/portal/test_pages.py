"""Cross-cutting behaviour of every page: errors, headers, languages, health probe."""

import pytest
from django.test import Client, override_settings
from django.urls import path, reverse

from portal.urls import urlpatterns as portal_urlpatterns

pytestmark = pytest.mark.django_db


def _boom(request: object) -> None:
    raise RuntimeError("secret detail that must not leak")


urlpatterns = [*portal_urlpatterns, path("boom/", _boom)]


def test_an_unknown_url_gets_a_french_404_page(client: Client) -> None:
    response = client.get("/cette-page-n-existe-pas/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "Page introuvable" in body
    assert "Retour à l'accueil" in body


@override_settings(ROOT_URLCONF=__name__)
def test_a_server_error_gets_a_french_500_page_without_traceback() -> None:
    client = Client(raise_request_exception=False)
    response = client.get("/boom/")
    assert response.status_code == 500
    body = response.content.decode()
    assert "Erreur du serveur" in body
    assert "secret detail" not in body
    assert "Traceback" not in body


def test_every_page_carries_the_content_security_policy(client: Client) -> None:
    response = client.get(reverse("portal:login"))
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "object-src 'none'" in policy
    assert "base-uri 'none'" in policy
    assert "frame-ancestors 'none'" in policy
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"


def test_the_login_page_speaks_english_on_request(client: Client) -> None:
    response = client.get(reverse("portal:login"), headers={"accept-language": "en"})
    body = response.content.decode()
    assert response["Content-Language"] == "en"
    assert "Health professional login" in body
    assert "Email address" in body


def test_the_language_can_be_switched(client: Client) -> None:
    response = client.post(
        reverse("set_language"), {"language": "en", "next": reverse("portal:login")}
    )
    assert response.status_code == 302
    assert "Health professional login" in client.get(reverse("portal:login")).content.decode()


def test_the_health_probe_answers_without_a_session(client: Client) -> None:
    response = client.get(reverse("portal:health"))
    assert response.status_code == 200
    assert response.content == b"ok"
    assert "Set-Cookie" not in response.headers


def test_the_legal_notice_names_the_operator(client: Client) -> None:
    body = client.get(reverse("portal:legal")).content.decode()
    assert "Mentions légales" in body
    assert "GCS SARA" in body


def test_the_health_probe_answers_any_host_before_the_https_redirect(settings: object) -> None:
    settings.ALLOWED_HOSTS = ["portail.example.fr"]
    settings.SECURE_SSL_REDIRECT = True
    response = Client(HTTP_HOST="10.0.0.7:8000").get("/sante/")
    assert response.status_code == 200
    assert response.content == b"ok"
    assert Client(HTTP_HOST="10.0.0.7:8000").get("/connexion/").status_code == 400
