import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from documents.models import Organisation, Professional
from identities.models import Identity
from portal.management.commands.seed_demo import DEMO_PASSWORD
from portal.models import User

pytestmark = pytest.mark.django_db


def _counts() -> tuple[int, ...]:
    return (
        User.objects.count(),
        Identity.objects.count(),
        Professional.objects.count(),
        Organisation.objects.count(),
    )


def test_it_loads_the_guides_patient() -> None:
    call_command("seed_demo", verbosity=0)
    bobby = Identity.objects.get(birth_name="TELECONSULTATION", first_name="BOBBY")
    assert bobby.sex == Identity.Sex.MALE
    assert f"{bobby.birth_date:%d/%m/%Y}" == "24/08/1989"
    assert bobby.birthplace_code == "26064"
    assert bobby.birthplace_label == "CHABEUIL (26120)"
    assert bobby.email == "bobby@teleconsultation.com"
    assert bobby.mobile.as_e164 == "+33601023040"


def test_it_is_idempotent() -> None:
    call_command("seed_demo", verbosity=0)
    first = _counts()
    call_command("seed_demo", verbosity=0)
    assert _counts() == first
    assert first == (4, 5, 5, 2)  # admin, 2 clinicians, Bobby's patient account


def test_it_loads_a_pharmacy_and_recipients() -> None:
    call_command("seed_demo", verbosity=0)
    pharmacy = Organisation.objects.get(kind=Organisation.Kind.PHARMACY)
    assert pharmacy.professionals.get().last_name == "BERNARD"
    assert Professional.objects.filter(user__isnull=False).count() == 2


def test_its_accounts_log_in(client: Client) -> None:
    call_command("seed_demo", verbosity=0)
    response = client.post(
        reverse("portal:login"),
        {"username": "claire.martin@portail.test", "password": DEMO_PASSWORD},
    )
    assert response.status_code == 302
    admin = User.objects.get(email="admin@portail.test")
    assert admin.is_superuser and admin.role == User.Role.ADMIN


def test_it_is_refused_in_production(settings: object) -> None:
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="refused in production"):
        call_command("seed_demo", verbosity=0)
    assert User.objects.count() == 0


def test_bobby_can_log_in_to_his_space(client: Client) -> None:
    call_command("seed_demo", verbosity=0)
    response = client.post(
        reverse("portal:patient_login"),
        {"email": "bobby@teleconsultation.com", "password": DEMO_PASSWORD},
    )
    assert response["Location"] == reverse("portal:patient_code")
