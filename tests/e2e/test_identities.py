"""A clinician looks for a patient as they type, does not find them, and creates the identity."""

import re

import pytest

from identities.models import Identity
from portal.models import User
from tests.e2e.conftest import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_search_as_you_type_then_create_the_identity(
    live_server: object,
    page: object,
    clinician: User,
    password: str,
    screenshot: object,
    journey_page: object,
) -> None:
    from tests.identities.conftest import make_identity

    make_identity("Teleconsultation", "Bobby", "24/08/1989", sex="M")
    log_in(page, live_server, clinician.email, password)
    page.get_by_role("link", name="Patients").click()

    # As-you-type: results appear without pressing the button (htmx).
    page.get_by_label("Nom", exact=True).press_sequentially("telec", delay=30)
    row = page.locator("#results tbody tr").first
    row.wait_for()
    assert "TELECONSULTATION" in row.inner_text()
    assert "CHABEUIL (26120)" in row.inner_text()
    screenshot(page, "identity-search")
    journey_page(page, "identity-search")

    page.get_by_label("Nom", exact=True).fill("")
    page.get_by_label("Nom", exact=True).press_sequentially("Ducable", delay=20)
    page.get_by_label("Prénom", exact=True).press_sequentially("Jean Raoul", delay=20)
    page.get_by_text("Aucun dossier ne correspond à votre recherche.").wait_for()
    page.get_by_role("link", name="+ Cliquez ici si vous n'avez pas trouvé votre patient").click()

    # The creation form comes prefilled with what was typed.
    page.wait_for_url(re.compile(r".*/dossier/creer/.*"))
    assert page.get_by_label("Nom de naissance *", exact=True).input_value() == "DUCABLE"
    page.get_by_label("Date de naissance JJ/MM/AAAA *", exact=True).fill("12/03/1956")
    page.get_by_label("M", exact=True).check()
    assert page.get_by_label("Pays de naissance").is_hidden()
    page.get_by_label("CP et ville de naissance").press_sequentially("chabeu", delay=30)
    page.get_by_role("option", name="CHABEUIL (26120)").click()
    assert page.get_by_label("CP et ville de naissance").input_value() == "CHABEUIL (26120)"
    page.get_by_text("+ Coordonnées").click()
    page.get_by_label("Téléphone portable").fill("06 01 02 30 40")
    page.get_by_label("Conformément aux Conditions Générales d'Utilisation").check()
    screenshot(page, "identity-create")
    journey_page(page, "identity-create")
    page.get_by_role("button", name="Valider").click()

    page.get_by_text("Identité créée : DUCABLE JEAN, 12/03/1956.").wait_for()
    identity = Identity.objects.get(birth_name="DUCABLE")
    assert identity.birth_first_names == "JEAN RAOUL"
    assert identity.birthplace_code == "26064"
    assert identity.created_by == clinician
    journey_page(page, "identity-saved")
    assert page.console_errors == []
