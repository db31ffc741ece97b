"""Forms of the patient portals: creation, activation, patients' login, one-time codes."""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.forms import login_email_field, login_password_field
from identities.fields import MobileField
from portal.models import Consent, PortalAccess, User


class PortalCreationForm(forms.Form):
    """The guide's "Création d'un compte": only the signatory's email and mobile."""

    quality = forms.ChoiceField(
        label=_("Capacity of the signatory"),
        choices=PortalAccess.Quality.choices,
        initial=PortalAccess.Quality.HOLDER,
    )
    email = forms.EmailField(label=_("Signatory's email"))
    mobile = MobileField(
        label=_("Signatory's mobile phone"),
    )
    consent_method = forms.ChoiceField(
        label=_("How the patient was informed"),
        choices=Consent.Method.choices,
        initial=Consent.Method.CONSULTATION,
    )
    consent = forms.BooleanField(
        label=_("I have informed the patient and obtained their consent."),
        error_messages={
            "required": _("You must inform the patient and obtain their consent first.")
        },
    )
    attested = forms.BooleanField(
        label=_(
            "For an account that already exists: the holder is a minor or a protected adult, and "
            "I attest that I checked the identity of their representative (the access is given "
            "at once, without the holder's confirmation)."
        ),
        required=False,
    )


class PatientLoginForm(forms.Form):
    email = login_email_field()
    password = login_password_field()


class CodeForm(forms.Form):
    code = forms.RegexField(
        label=_("Code received by SMS"),
        regex=r"^\s*\d{3}\s?\d{3}\s*$",
        error_messages={"invalid": _("The code has 6 digits.")},
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


class ActivationForm(forms.Form):
    password1 = forms.CharField(
        label=_("Choose a password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 12 characters; avoid a common or all-digit password."),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, object]:
        data = super().clean()
        if (
            data.get("password1")
            and data.get("password2")
            and data["password1"] != data["password2"]
        ):
            self.add_error("password2", _("The two passwords differ."))
        return data


class TotpConfirmForm(forms.Form):
    token = forms.RegexField(
        label=_("Code shown by the app"),
        regex=r"^\s*\d{3}\s?\d{3}\s*$",
        error_messages={"invalid": _("The code has 6 digits.")},
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class ContactChangeForm(forms.Form):
    email = forms.EmailField(label=_("New email"), required=False)
    mobile = MobileField(
        label=_("New mobile phone"),
        required=False,
    )
    password = forms.CharField(
        label=_("Your current password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def clean(self) -> dict[str, object]:
        data = super().clean()
        if not self.errors and bool(data.get("email")) == bool(data.get("mobile")):
            raise forms.ValidationError(_("Change either the email or the mobile phone."))
        return data


class LostPhoneForm(forms.Form):
    person = forms.ModelChoiceField(
        label=_("Person who lost their phone"), queryset=User.objects.none(), empty_label=None
    )
    mobile = MobileField(
        label=_("New mobile phone"),
    )
    identity_checked = forms.BooleanField(
        label=_("I have checked this person's identity document."),
        error_messages={"required": _("Check the patient's identity document first.")},
    )
    attested = forms.BooleanField(
        label=_(
            "The holder is a minor or a protected adult, and I attest that I checked the identity "
            "of their representative: change the number now, without the holder's confirmation."
        ),
        required=False,
    )

    def __init__(self, *args: object, people: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people
        self.fields["person"].label_from_instance = lambda user: (
            f"{user.email} ({user.get_full_name() or '—'})"
        )
