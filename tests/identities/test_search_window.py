"""The search limit is a sliding window: no burst of twice the limit across a minute boundary."""

import time

import time_machine
from django.test import Client
from django.urls import reverse

from identities import services

SEARCH_URL = reverse("identities:search")


def _next_minute() -> float:
    return (int(time.time()) // 60 + 1) * 60.0


def test_searches_across_a_minute_boundary_are_still_limited(clinician_client: Client) -> None:
    with time_machine.travel(_next_minute() - 1, tick=False) as traveller:
        for _ in range(services.SEARCHES_PER_MINUTE):
            assert clinician_client.get(SEARCH_URL, {"name": "dupont"}).status_code == 200
        traveller.shift(2)
        assert clinician_client.get(SEARCH_URL, {"name": "dupont"}).status_code == 429


def test_searches_are_allowed_again_after_a_full_window(clinician_client: Client) -> None:
    with time_machine.travel(_next_minute() + 30, tick=False) as traveller:
        for _ in range(services.SEARCHES_PER_MINUTE):
            clinician_client.get(SEARCH_URL, {"name": "dupont"})
        traveller.shift(121)
        assert clinician_client.get(SEARCH_URL, {"name": "dupont"}).status_code == 200
