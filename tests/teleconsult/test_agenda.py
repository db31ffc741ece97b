""" "Mes téléconsultations", the desk's card, rescheduling and cancelling."""

import datetime
import html

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from identities.models import Identity
from notifications.backends import sms
from notifications.models import Notification
from teleconsult import services
from teleconsult.models import Teleconsultation
from tests.factories import login_as
from tests.teleconsult.conftest import plan

pytestmark = pytest.mark.django_db

AGENDA_URL = reverse("teleconsult:agenda")


def _past(teleconsultation: Teleconsultation, days: int) -> Teleconsultation:
    Teleconsultation.objects.filter(pk=teleconsultation.pk).update(
        starts_at=timezone.now() - datetime.timedelta(days=days)
    )
    teleconsultation.refresh_from_db()
    return teleconsultation


def test_it_lists_upcoming_then_to_finalise_then_finalised(
    clinician_client: Client,
    clinician: User,
    other_clinician: User,
    identity_a: Identity,
    patient_a: User,
) -> None:
    upcoming = plan(identity_a, clinician, reason="À venir")
    to_finalise = _past(plan(identity_a, clinician, reason="À finaliser"), days=3)
    done = plan(identity_a, clinician, reason="Terminée")
    services.finalise_teleconsultation(
        teleconsultation=done,
        finalisation=services.Finalisation(
            rating=4, comment="", amount=0, documents=[], professionals=[]
        ),
        by=clinician,
        token="t" * 20,
    )
    plan(identity_a, other_clinician, reason="Pas la mienne")
    body = html.unescape(clinician_client.get(AGENDA_URL).content.decode())
    assert body.index("À venir") < body.index("À finaliser") < body.index("Terminée")
    assert body.index("Aujourd'hui et à venir") < body.index("À venir")
    assert "Pas la mienne" not in body
    assert str(upcoming.uuid) in body and str(to_finalise.uuid) in body


def test_it_takes_the_same_number_of_queries_for_1_or_30(
    clinician_client: Client, clinician: User, identity_a: Identity, patient_a: User
) -> None:
    plan(identity_a, clinician)
    with CaptureQueriesContext(connection) as one:
        clinician_client.get(AGENDA_URL)
    for _ in range(10):
        plan(identity_a, clinician)
        _past(plan(identity_a, clinician), days=2)
    with CaptureQueriesContext(connection) as many:
        clinician_client.get(AGENDA_URL)
    assert len(one) == len(many)


def test_the_desk_card_shows_the_next_three_and_the_count_to_finalise(
    clinician_client: Client, clinician: User, identity_a: Identity, patient_a: User
) -> None:
    for _ in range(4):
        plan(identity_a, clinician)
    _past(plan(identity_a, clinician), days=2)
    _past(plan(identity_a, clinician), days=5)
    body = html.unescape(clinician_client.get(reverse("portal:home")).content.decode())
    assert body.count("TELECONSULTATION Bobby") == 3
    assert "2 téléconsultations à finaliser" in body
    assert "Aucune téléconsultation planifiée." not in body


def test_the_agenda_is_for_clinicians_only(client: Client, patient_a: User) -> None:
    login_as(client, patient_a)
    assert client.get(AGENDA_URL).status_code == 404


# --- Reschedule and cancel ---------------------------------------------------------------------


def test_rescheduling_tells_the_patient_by_the_same_channels(
    clinician_client: Client,
    clinician: User,
    identity_a: Identity,
    patient_a: User,
    django_capture_on_commit_callbacks: object,
) -> None:
    teleconsultation = plan(identity_a, clinician, sms=True)
    mail.outbox.clear()
    sms.outbox.clear()
    day = (timezone.localtime() + datetime.timedelta(days=5)).date()
    with django_capture_on_commit_callbacks(execute=True):
        response = clinician_client.post(
            reverse("teleconsult:reschedule", args=[teleconsultation.uuid]),
            {"date": day.strftime("%d/%m/%Y"), "time": "16:45", "duration_minutes": "30"},
        )
    assert response.status_code == 302
    teleconsultation.refresh_from_db()
    assert timezone.localtime(teleconsultation.starts_at).strftime("%d/%m/%Y %H:%M") == (
        f"{day:%d/%m/%Y} 16:45"
    )
    assert teleconsultation.duration_minutes == 30
    assert [m.to for m in mail.outbox] == [["bobby@teleconsultation.com"]]
    assert "16:45" in mail.outbox[0].subject
    assert len(sms.outbox) == 1
    assert "16:45" in sms.outbox[0].body


def test_rescheduling_to_the_past_is_refused(
    clinician_client: Client, planned: Teleconsultation
) -> None:
    response = clinician_client.post(
        reverse("teleconsult:reschedule", args=[planned.uuid]),
        {"date": "01/01/2020", "time": "10:00", "duration_minutes": "15"},
    )
    assert response.status_code == 400
    assert "Choisissez une date et une heure à venir." in html.unescape(response.content.decode())


def test_cancelling_tells_the_patient_and_closes_the_link(
    clinician_client: Client, planned: Teleconsultation, django_capture_on_commit_callbacks: object
) -> None:
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = clinician_client.post(reverse("teleconsult:cancel", args=[planned.uuid]))
    assert response.status_code == 302
    planned.refresh_from_db()
    assert planned.status == Teleconsultation.Status.CANCELLED
    assert [m.to for m in mail.outbox] == [["bobby@teleconsultation.com"]]
    assert "annulée" in mail.outbox[0].subject
    assert services.join_state(planned) == services.JoinState.CANCELLED
    # A second cancel changes nothing and sends nothing.
    clinician_client.post(reverse("teleconsult:cancel", args=[planned.uuid]))
    assert Notification.objects.filter(purpose="teleconsultation_cancelled").count() == 1


def test_another_clinician_cannot_reschedule_or_cancel(
    client: Client, other_clinician: User, planned: Teleconsultation
) -> None:
    login_as(client, other_clinician)
    url = reverse("teleconsult:reschedule", args=[planned.uuid])
    assert client.post(url, {"date": "01/01/2030", "time": "10:00"}).status_code == 404
    assert client.post(reverse("teleconsult:cancel", args=[planned.uuid])).status_code == 404
    planned.refresh_from_db()
    assert planned.status == Teleconsultation.Status.PLANNED


def test_the_page_lists_the_new_date_and_the_cancellation_messages(
    clinician_client: Client, clinician: User, planned: Teleconsultation
) -> None:
    services.reschedule_teleconsultation(
        teleconsultation=planned,
        starts_at=timezone.now() + datetime.timedelta(days=3),
        duration_minutes=20,
        by=clinician,
    )
    services.cancel_teleconsultation(teleconsultation=planned, by=clinician)
    body = clinician_client.get(reverse("teleconsult:detail", args=[planned.uuid])).content
    text = body.decode()
    assert text.index("Invitation") < text.index("Nouvelle date") < text.index("Annulation")
