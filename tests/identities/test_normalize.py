import pytest

from identities.normalize import InvalidName, normalize_name


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("Teleconsultation", "TELECONSULTATION"),
        ("Éloïse", "ELOISE"),
        ("jean-pierre", "JEAN-PIERRE"),
        ("Jean - Pierre", "JEAN-PIERRE"),
        ("  de   la  Fontaine ", "DE LA FONTAINE"),
        ("d\u2019Artagnan", "D'ARTAGNAN"),
        ("Lætitia Œuvray", "LAETITIA OEUVRAY"),
        ("Nguyễn", "NGUYEN"),
    ],
)
def test_it_stores_capitals_without_diacritics(typed: str, stored: str) -> None:
    assert normalize_name(typed) == stored


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("R2D2", "Un nom ne peut pas contenir de chiffres."),
        ("Dupont!", "Un nom ne peut contenir que des lettres"),
        ("-Dupont", "Un nom ne peut contenir que des lettres"),
        ("Jean--Pierre", "Un nom ne peut contenir que des lettres"),
        ("   ", "Saisissez un nom."),
    ],
)
def test_it_refuses_what_cannot_be_a_name_in_french(typed: str, message: str) -> None:
    with pytest.raises(InvalidName) as error:
        normalize_name(typed)
    assert message in str(error.value)
