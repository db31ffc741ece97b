"""The patient's join link: open from 15 minutes before until the end + 30 minutes."""

import datetime
import html

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from accounts.models import User
from teleconsult import services
from teleconsult.models import Teleconsultation

pytestmark = pytest.mark.django_db


def _join(client: Client, teleconsultation: Teleconsultation) -> object:
    return client.get(reverse("teleconsult:join", args=[teleconsultation.join_token]))


def _at(teleconsultation: Teleconsultation, **delta: float) -> datetime.datetime:
    return teleconsultation.starts_at + datetime.timedelta(**delta)


def test_it_is_closed_until_15_minutes_before(client: Client, planned: Teleconsultation) -> None:
    with time_machine.travel(_at(planned, minutes=-15, seconds=-1), tick=False):
        response = _join(client, planned)
    body = html.unescape(response.content.decode())
    assert response.status_code == 200
    assert "Ce lien ouvre la salle vidéo 15 minutes avant" in body
    assert planned.room_name not in body


@pytest.mark.parametrize("minutes", [-15, 0, 15 + 30])
def test_it_sends_to_the_room_inside_the_window(
    client: Client, planned: Teleconsultation, minutes: int
) -> None:
    with time_machine.travel(_at(planned, minutes=minutes), tick=False):
        response = _join(client, planned)
    assert response.status_code == 302
    assert response["Location"] == services.room_url(planned)
    assert planned.room_name in response["Location"]


def test_it_is_closed_30_minutes_after_the_end(client: Client, planned: Teleconsultation) -> None:
    with time_machine.travel(_at(planned, minutes=15 + 30, seconds=1), tick=False):
        response = _join(client, planned)
    assert response.status_code == 200
    assert "est terminée\u00a0: ce lien est fermé" in html.unescape(response.content.decode())


def test_a_cancelled_one_says_so(
    client: Client, clinician: User, planned: Teleconsultation
) -> None:
    services.cancel_teleconsultation(teleconsultation=planned, by=clinician)
    with time_machine.travel(_at(planned, minutes=1), tick=False):
        response = _join(client, planned)
    assert response.status_code == 410
    assert "a été annulée par votre professionnel de santé" in html.unescape(
        response.content.decode()
    )


def test_the_page_reveals_no_health_data(client: Client, planned: Teleconsultation) -> None:
    planned.reason = "Suivi diabète"
    planned.save(update_fields=["reason"])
    with time_machine.travel(_at(planned, hours=-2), tick=False):
        body = _join(client, planned).content.decode()
    assert "diabète" not in body
    assert "TELECONSULTATION" not in body
    assert "MARTIN" not in body


def test_an_unknown_link_is_a_404(client: Client) -> None:
    response = client.get(reverse("teleconsult:join", args=["not-a-token"]))
    assert response.status_code == 404
    assert "Ce lien n'est pas valide" in html.unescape(response.content.decode())


def test_room_names_are_unguessable(planned: Teleconsultation) -> None:
    assert len(planned.room_name) >= 22  # 18 random bytes: 144 bits
    assert planned.join_token != planned.room_name
    assert services.join_url(planned).endswith(f"/teleconsultation/rejoindre/{planned.join_token}/")


def test_the_room_follows_the_provider_setting(planned: Teleconsultation, settings: object) -> None:
    settings.TELECONSULT_VIDEO_STAND_IN = False
    settings.TELECONSULT_VIDEO_URL = "https://visio.region.test/salles/{room}"
    assert services.room_url(planned) == f"https://visio.region.test/salles/{planned.room_name}"
    settings.TELECONSULT_VIDEO_API_SCRIPT = "https://visio.region.test/external_api.js"
    assert services.video_api_script() == "https://visio.region.test/external_api.js"


def test_the_clinicians_page_allows_only_the_providers_script_and_frames(
    clinician_client: Client, planned: Teleconsultation, settings: object
) -> None:
    settings.TELECONSULT_VIDEO_STAND_IN = False
    settings.TELECONSULT_VIDEO_API_SCRIPT = "https://meet.jit.si/external_api.js"
    response = clinician_client.get(reverse("teleconsult:detail", args=[planned.uuid]))
    policy = response["Content-Security-Policy"]
    assert "frame-src https://meet.jit.si" in policy
    assert "https://meet.jit.si" in policy.split("script-src")[1].split(";")[0]
    assert '<script src="https://meet.jit.si/external_api.js"' in response.content.decode()
    other = clinician_client.get(reverse("teleconsult:agenda"))["Content-Security-Policy"]
    assert "meet.jit.si" not in other.split("script-src")[1].split(";")[0]


def test_the_stand_in_room_exists_only_with_the_stand_in(client: Client, settings: object) -> None:
    assert client.get(reverse("teleconsult:stand_in_room", args=["abc"])).status_code == 200
    settings.TELECONSULT_VIDEO_STAND_IN = False
    assert client.get(reverse("teleconsult:stand_in_room", args=["abc"])).status_code == 404
