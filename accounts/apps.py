from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.apps import DefaultConfig as TOTPConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")


class PortalAdminConfig(admin_apps.AdminConfig):
    """Django's admin, whose site asks for both factors (``accounts.admin_site``)."""

    default = False

    default_site = "accounts.admin_site.PortalAdminSite"


class TOTPDevicesConfig(TOTPConfig):
    """django-otp's TOTP devices, named in French in the admin (the label stays otp_totp)."""

    verbose_name = _("Two-factor authentication")

    def ready(self) -> None:
        device = self.get_model("TOTPDevice")
        device._meta.verbose_name = _("authenticator app")
        device._meta.verbose_name_plural = _("authenticator apps")
