"""The admin reads in French: the TOTP devices' section, the access log's actions and count, and
an entry's title in Paris time like the list."""

import datetime
import re
from html import unescape

import pytest
from django.test import Client
from django.urls import reverse

from audit.models import AccessLog
from portal.models import User
from tests.factories import login_as

pytestmark = pytest.mark.django_db


def _text(response: object) -> str:
    return unescape(re.sub(r"<[^>]+>", " ", response.content.decode()))


def test_the_totp_devices_section_is_in_french(client: Client, admin_user: User) -> None:
    login_as(client, admin_user)
    page = _text(client.get(reverse("admin:index")))
    assert "OTP_TOTP" not in page and "TOTP devices" not in page
    assert "Double authentification" in page


def test_the_access_log_shows_french_labels_and_a_french_count(
    client: Client, admin_user: User
) -> None:
    for action in ["identity.search", "dispatch.send"]:
        AccessLog.objects.create(action=action, outcome="success")
    login_as(client, admin_user)
    page = _text(client.get(reverse("admin:audit_accesslog_changelist")))
    assert "identity.search" not in " ".join(re.findall(r"<td[^>]*>.*?</td>", page))
    assert "Recherche d'identité" in page and "Envoi de documents" in page
    assert not re.search(r"\d+\s+journal des accès", page)
    assert re.search(r"2\s+entrées du journal des accès", page)


def test_an_entry_title_is_in_paris_time(client: Client, admin_user: User) -> None:
    entry = AccessLog.objects.create(
        action="identity.read",
        outcome="success",
        created_at=datetime.datetime(2026, 11, 30, 16, 25, tzinfo=datetime.UTC),
    )
    login_as(client, admin_user)
    page = _text(client.get(reverse("admin:audit_accesslog_change", args=[entry.pk])))
    assert "30/11/2026 à 17:25" in page and "16:25" not in page


def test_the_audit_log_filters_all_have_text(client: Client, admin_user: User) -> None:
    AccessLog.objects.create(action="identity.read", outcome="success", object_type="")
    login_as(client, admin_user)
    html = client.get(reverse("admin:audit_accesslog_changelist")).content.decode()
    filters = html.split('id="changelist-filter"')[1].split("</search>")[0]
    for link in re.findall(r"<a [^>]*>(.*?)</a>", filters, re.S):
        assert re.sub(r"<[^>]+>|\s", "", link), f"a link without text: {link!r}"


def test_the_admin_login_is_the_professionals_login_with_its_level_one_heading(
    client: Client,
) -> None:
    response = client.get(reverse("admin:login"), follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("portal:login"))
    page = unescape(response.content.decode())
    assert re.search(r"<h1[^>]*>\s*Connexion professionnel de santé\s*</h1>", page)
