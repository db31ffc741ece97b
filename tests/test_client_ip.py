from django.test import RequestFactory

from audit.services import client_ip


def test_without_trusted_proxies_the_forwarded_header_is_ignored(settings: object) -> None:
    settings.TRUSTED_PROXY_COUNT = 0
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.2.3.4")
    assert client_ip(request) == "10.0.0.2"


def test_behind_one_proxy_the_last_forwarded_address_is_the_client(settings: object) -> None:
    settings.TRUSTED_PROXY_COUNT = 1
    # The client forged the first entry; the proxy appended the real address last.
    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.5"
    )
    assert client_ip(request) == "203.0.113.5"


def test_a_missing_header_falls_back_to_the_connection(settings: object) -> None:
    settings.TRUSTED_PROXY_COUNT = 2
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.2.3.4")
    assert client_ip(request) == "10.0.0.2"
