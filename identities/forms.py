"""Forms of the identity directory: search criteria and creation of an identity."""

import datetime
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.fr import nir

from identities import geo
from identities.fields import MobileField
from identities.models import Identity
from identities.normalize import InvalidName, fold, normalize_name
from identities.search import Criteria
from identities.services import Traits

DATE_INPUT_FORMATS = ["%d/%m/%Y", "%d%m%Y", "%Y-%m-%d"]


class BirthDateField(forms.DateField):
    """JJ/MM/AAAA, as the guide asks; never in the future, never before 1880."""

    default_error_messages = {
        "invalid": _("Enter a real date in the form DD/MM/YYYY, for example 24/08/1989."),
    }

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("input_formats", DATE_INPUT_FORMATS)
        kwargs.setdefault(
            "widget",
            forms.TextInput(attrs={"placeholder": "JJ/MM/AAAA", "inputmode": "numeric"}),
        )
        super().__init__(**kwargs)

    def validate(self, value: datetime.date | None) -> None:
        super().validate(value)
        if value and value > timezone.localdate():
            raise forms.ValidationError(_("The birth date cannot be in the future."), code="future")
        if value and value.year < 1880:
            raise forms.ValidationError(_("Check the birth year."), code="too_old")


def _clean_name(value: str, *, required: bool) -> str:
    if not value.strip():
        if required:
            raise forms.ValidationError(_("This field is required."), code="required")
        return ""
    try:
        return normalize_name(value)
    except InvalidName as error:
        raise forms.ValidationError(str(error), code="invalid_name") from None


class SearchForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100, required=False)
    first_name = forms.CharField(label=_("First name"), max_length=100, required=False)
    birth_date = BirthDateField(label=_("Birth date"), required=False)
    sex = forms.ChoiceField(
        label=_("Sex"),
        choices=[("", _("Any")), *Identity.Sex.choices],
        required=False,
    )

    def clean_name(self) -> str:
        return _clean_name(self.cleaned_data["name"], required=False)

    def clean_first_name(self) -> str:
        return _clean_name(self.cleaned_data["first_name"], required=False)

    def criteria(self) -> Criteria:
        data = self.cleaned_data
        return Criteria(
            name=data["name"],
            first_name=data["first_name"],
            birth_date=data["birth_date"],
            sex=data["sex"],
        )


class IdentityForm(forms.Form):
    """The guide's "CRÉER L'IDENTITÉ D'UN BÉNÉFICIAIRE" form."""

    first_name = forms.CharField(
        label=_("First name"),
        max_length=100,
        help_text=_("All birth first names, in the order of the civil status."),
    )
    birth_name = forms.CharField(label=_("Birth name"), max_length=100)
    used_name = forms.CharField(
        label=_("Used name (if different from the birth name)"), max_length=100, required=False
    )
    birth_date = BirthDateField(label=_("Birth date DD/MM/YYYY"))
    # The guide's own labels: "Sexe  F  M".
    sex = forms.ChoiceField(
        label=_("Sex"),
        choices=[(sex, sex) for sex in Identity.Sex.values],
        widget=forms.RadioSelect,
    )
    birthplace_kind = forms.ChoiceField(
        label=_("Birthplace"),
        choices=Identity.BirthplaceKind.choices,
        initial=Identity.BirthplaceKind.FRANCE,
        widget=forms.RadioSelect,
    )
    birthplace = forms.CharField(
        label=_("Postcode and town of birth"),
        max_length=120,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "placeholder": "CHABEUIL (26120)"}),
    )
    birthplace_code = forms.CharField(required=False, widget=forms.HiddenInput)
    birth_country = forms.CharField(
        label=_("Country of birth"),
        max_length=120,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    email = forms.EmailField(label=_("Email"), required=False)
    mobile = MobileField(
        label=_("Mobile phone"),
        required=False,
    )
    ins_matricule = forms.CharField(
        label=_("INS matricule (NIR or NIA)"), max_length=21, required=False
    )
    no_objection = forms.BooleanField(
        label=_(
            "In accordance with the Terms of Use, you must inform the patient and make sure "
            "they do not object to the creation of their regional record."
        ),
        error_messages={"required": _("You must confirm the patient's absence of objection.")},
    )
    confirm_different_person = forms.BooleanField(
        label=_("I have checked the identities listed above: this patient is a different person."),
        required=False,
    )

    def clean_first_name(self) -> str:
        return _clean_name(self.cleaned_data["first_name"], required=True)

    def clean_birth_name(self) -> str:
        return _clean_name(self.cleaned_data["birth_name"], required=True)

    def clean_used_name(self) -> str:
        used = _clean_name(self.cleaned_data["used_name"], required=False)
        return "" if used == self.cleaned_data.get("birth_name") else used

    def clean_ins_matricule(self) -> str:
        value = "".join(self.cleaned_data["ins_matricule"].split()).upper()
        if not value:
            return ""
        try:
            return nir.validate(value)
        except StdnumError:
            raise forms.ValidationError(
                _("This INS matricule is not valid: check its 15 characters and its key."),
                code="ins_invalid",
            ) from None

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        kind = data.get("birthplace_kind")
        if kind == Identity.BirthplaceKind.FRANCE:
            data["birthplace_code"] = self._commune_code(data)
        elif kind == Identity.BirthplaceKind.ABROAD:
            data["birthplace_code"] = self._country_code(data)
        else:
            data["birthplace_code"] = ""
        if data.get("ins_matricule") and not self.errors:
            self._check_ins_consistency(data)
        return data

    def _commune_code(self, data: dict[str, Any]) -> str:
        code = (data.get("birthplace_code") or "").strip()
        if code and geo.commune(code):
            return code
        typed = (data.get("birthplace") or "").strip()
        if not typed:
            self.add_error("birthplace", _("Choose the town of birth in the list."))
            return ""
        found = geo.search_communes(typed, limit=5)
        if found and (len(found) == 1 or geo.commune_label(found[0]) == fold(typed)):
            return found[0].insee_code
        if not found:
            self.add_error(
                "birthplace", _("No French town matches this postcode or name: check it.")
            )
        else:
            self.add_error(
                "birthplace",
                _("Several towns match: choose one in the list (%(examples)s).")
                % {"examples": ", ".join(geo.commune_label(c) for c in found[:3])},
            )
        return ""

    def _country_code(self, data: dict[str, Any]) -> str:
        typed = (data.get("birth_country") or "").strip()
        if not typed:
            self.add_error("birth_country", _("Enter the country of birth."))
            return ""
        code = (data.get("birthplace_code") or "").strip()
        if code.startswith("99") and geo.country(code):
            return code
        found = geo.search_countries(typed, limit=5)
        if found and (len(found) == 1 or geo.country_label(found[0]) == fold(typed)):
            return found[0].insee_code
        self.add_error(
            "birth_country",
            _("Choose the country in the list.")
            if found
            else _("No country matches this name: check it."),
        )
        return ""

    def _check_ins_consistency(self, data: dict[str, Any]) -> None:
        """The NIR encodes sex, birth year and month, and birthplace: they must agree."""
        matricule: str = data["ins_matricule"]
        birth_date: datetime.date = data["birth_date"]
        problems = []
        if matricule[0] in "12" and {"1": "M", "2": "F"}[matricule[0]] != data["sex"]:
            problems.append(_("the sex"))
        if matricule[1:3] != f"{birth_date.year % 100:02d}":
            problems.append(_("the birth year"))
        month = int(matricule[3:5])
        if 1 <= month <= 12 and month != birth_date.month:
            problems.append(_("the birth month"))
        code = data.get("birthplace_code") or ""
        known = data["birthplace_kind"] != Identity.BirthplaceKind.UNKNOWN
        if code and known and matricule[5:10] != code:
            problems.append(_("the birthplace"))
        if problems:
            self.add_error(
                "ins_matricule",
                _("This INS matricule does not match %(traits)s entered.")
                % {"traits": ", ".join(str(p) for p in problems)},
            )

    def traits(self) -> Traits:
        data = self.cleaned_data
        return Traits(
            birth_name=data["birth_name"],
            first_name=data["first_name"],
            used_name=data["used_name"],
            birth_date=data["birth_date"],
            sex=data["sex"],
            birthplace_kind=data["birthplace_kind"],
            birthplace_code=data["birthplace_code"],
            email=data.get("email") or "",
            mobile=str(data["mobile"]) if data.get("mobile") else "",
            ins_matricule=data.get("ins_matricule") or "",
        )
