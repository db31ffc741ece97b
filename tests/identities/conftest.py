import datetime

import pytest

from identities import services
from identities.models import Identity


def make_identity(
    birth_name: str,
    first_name: str,
    birth_date: str = "01/01/1980",
    *,
    sex: str = "F",
    used_name: str = "",
    birthplace_code: str = "26064",
) -> Identity:
    return services.create_identity(
        traits=services.Traits(
            birth_name=birth_name,
            first_name=first_name,
            used_name=used_name,
            birth_date=datetime.datetime.strptime(birth_date, "%d/%m/%Y").date(),  # noqa: DTZ007
            sex=sex,
            birthplace_kind=Identity.BirthplaceKind.FRANCE,
            birthplace_code=birthplace_code,
        )
    )


def build_directory() -> dict[str, Identity]:
    """A small directory with the traps of real life: homonyms, compound and used names."""
    return {
        "bobby": make_identity("Teleconsultation", "Bobby", "24/08/1989", sex="M"),
        "lea": make_identity("Teleconsultation", "Léa", "09/05/2018"),
        "jean_pierre": make_identity("Dupont", "Jean-Pierre", "17/04/1961", sex="M"),
        "jean": make_identity("Dupont", "Jean", "02/02/1950", sex="M"),
        "eloise": make_identity("Lefèvre", "Éloïse", "03/11/1982", used_name="Martin-Lefèvre"),
        "philippe": make_identity("Philippe", "Marc", "12/12/1970", sex="M"),
        "moreau": make_identity("Moreau", "Hélène", "05/06/1975"),
        "martin": make_identity("Martin", "Claire", "08/09/1985"),
        "martine": make_identity("Martine", "Claire", "08/09/1985"),
        "leroy": make_identity("Le Roy", "Anne", "21/03/1990"),
    }


@pytest.fixture
def directory(db: None) -> dict[str, Identity]:
    return build_directory()
