"""The video room and the patient's join link: where the room is, when the link opens."""

import datetime

from django.conf import settings
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone

from teleconsult.models import Teleconsultation

# --- The video room ----------------------------------------------------------------------------


def room_url(teleconsultation: Teleconsultation) -> str:
    """Where the room is: the provider's URL, or the local stand-in's page."""
    if settings.TELECONSULT_VIDEO_STAND_IN:
        return settings.SITE_URL + reverse(
            "teleconsult:stand_in_room", args=[teleconsultation.room_name]
        )
    return settings.TELECONSULT_VIDEO_URL.replace("{room}", teleconsultation.room_name)


def video_api_script() -> str:
    """The IFrame API script of the provider ("" when it has none)."""
    if settings.TELECONSULT_VIDEO_STAND_IN:
        return static("js/jitsi_stand_in.js")
    return settings.TELECONSULT_VIDEO_API_SCRIPT


def join_url(teleconsultation: Teleconsultation) -> str:
    return settings.SITE_URL + reverse("teleconsult:join", args=[teleconsultation.join_token])


# --- Joining -----------------------------------------------------------------------------------


class JoinState:
    OPEN = "open"
    EARLY = "early"
    CLOSED = "closed"
    CANCELLED = "cancelled"


def get_by_join_token(token: str) -> Teleconsultation | None:
    return (
        Teleconsultation.objects.select_related("clinician").filter(join_token=token[:64]).first()
    )


def join_state(teleconsultation: Teleconsultation, *, now: datetime.datetime | None = None) -> str:
    """Whether the patient's link leads to the room now: from 15 minutes before the start
    until 30 minutes after the end (settings), never once cancelled."""
    now = now or timezone.now()
    if teleconsultation.status == Teleconsultation.Status.CANCELLED:
        return JoinState.CANCELLED
    if now < teleconsultation.opens_at:
        return JoinState.EARLY
    if now > teleconsultation.closes_at:
        return JoinState.CLOSED
    return JoinState.OPEN
