"""The professionals' login form."""

from django import forms
from django.contrib.auth import authenticate
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from accounts import services as accounts
from accounts.models import User
from accounts.roles import Role
from audit import services as audit


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


class ClinicianLoginForm(AuthenticationForm):
    """Email and password; only professionals and administrators log in here."""

    username = login_email_field()
    password = login_password_field()

    error_messages = {
        "invalid_login": _("Incorrect email address or password."),
        "inactive": _("This account is disabled."),
        "locked": _("Too many failed attempts. For your security, try again in 15 minutes."),
        "patient": _(
            "This login is for health professionals. Patients log in from their patient space."
        ),
    }

    def clean(self) -> dict[str, object]:
        email = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if email and password:
            ip = audit.client_ip(self.request) or ""
            if accounts.is_login_locked(email=email, ip=ip):
                raise forms.ValidationError(self.error_messages["locked"], code="locked")
            self.user_cache = authenticate(self.request, username=email, password=password)
            if self.user_cache is None:
                accounts.record_login_failure(email=email, ip=ip)
                raise self.get_invalid_login_error()
            self.confirm_login_allowed(self.user_cache)
            accounts.clear_login_failures(email=email, ip=ip)
        return self.cleaned_data

    def confirm_login_allowed(self, user: User) -> None:
        super().confirm_login_allowed(user)
        if user.role == Role.PATIENT:
            raise forms.ValidationError(self.error_messages["patient"], code="patient")
