"""The login forms: the professionals' first and second factors, fields shared with patients."""

from django import forms
from django.utils.translation import gettext_lazy as _


def login_email_field() -> forms.EmailField:
    """The email of a login form (professionals' and patients')."""
    return forms.EmailField(
        label=_("Email address"),
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )


def login_password_field() -> forms.CharField:
    """The password of a login form (professionals' and patients')."""
    return forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class ClinicianLoginForm(forms.Form):
    """Email and password of a professional or an administrator (the first factor)."""

    username = login_email_field()
    password = login_password_field()


class SecondFactorForm(forms.Form):
    """The 6 digits of the authenticator app, or one of the recovery codes."""

    code = forms.RegexField(
        label=_("Code shown by your authenticator app"),
        regex=r"^\s*([0-9]{3}\s?[0-9]{3}|[a-zA-Z0-9]{4}-?[a-zA-Z0-9]{4})\s*$",
        error_messages={
            "invalid": _("Type the 6 digits of the app, or a recovery code (xxxx-xxxx).")
        },
        help_text=_("Lost your phone? Type one of your recovery codes instead."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True}),
    )


class EnrolmentForm(forms.Form):
    token = forms.RegexField(
        label=_("Code shown by the app"),
        regex=r"^\s*[0-9]{3}\s?[0-9]{3}\s*$",
        error_messages={"invalid": _("The code has 6 digits.")},
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )
