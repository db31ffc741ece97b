"""Pages seen by a logged-in person are never kept by a browser or a proxy cache."""

from collections.abc import Callable

import pytest
from django.test import Client

from portal.models import User
from tests.security.urls import all_url_names

pytestmark = pytest.mark.django_db

NAMES = all_url_names()


@pytest.mark.parametrize("url_name", NAMES, ids=[url_name.name for url_name in NAMES])
def test_every_page_of_a_logged_in_person_is_not_stored(
    client_for: Callable[[User | None], Client], clinician: User, patient: User, url_name: object
) -> None:
    for person in (clinician, patient):
        response = client_for(person).get(url_name.url())
        cache_control = response.get("Cache-Control", "")
        assert "no-store" in cache_control, (url_name.name, person, response.status_code)
        assert "private" in cache_control, (url_name.name, person, response.status_code)


def test_anonymous_public_pages_may_be_cached(client: Client) -> None:
    assert "no-store" not in client.get("/mentions-legales/").get("Cache-Control", "")
