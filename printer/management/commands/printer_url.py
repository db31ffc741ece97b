"""Create (or replace) a clinician's printer address and print it: for admins and scripts.

The token is shown once and stored hashed, as on the clinician's "Mon imprimante" page:
running the command again replaces the address, and the old one stops working. With
``--basic``, the plain address with the email and the secret in it (HTTP Basic, as CUPS's
device URI takes them): the same secret, so it also replaces the address.
"""

from urllib.parse import quote, urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from printer import services


class Command(BaseCommand):
    help = "Create or replace a clinician's printer address (ipp://…/ipp/print/<token>)."

    def add_arguments(self, parser: object) -> None:
        parser.add_argument("email", help="the clinician's login email")
        parser.add_argument(
            "--base-url",
            default=settings.SITE_URL,
            help="the portal's address as printers reach it (default: SITE_URL)",
        )
        parser.add_argument(
            "--basic",
            action="store_true",
            help="print the plain address /ipp/printer with the email and secret in it",
        )

    def handle(
        self, *args: object, email: str, base_url: str, basic: bool = False, **options: object
    ) -> None:
        user = get_user_model().objects.filter(email__iexact=email.strip()).first()
        if user is None or user.role not in ("clinician", "admin"):
            raise CommandError(f"No professional has the email {email}.")
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise CommandError("--base-url must look like https://portal.example.org")
        secure = parts.scheme == "https"
        port = parts.port or (443 if secure else 80)
        token = services.create_printer_token(user=user)
        scheme = "ipps" if secure else "ipp"
        if basic:
            credentials = f"{quote(user.email, safe='')}:{token}@"
            host = f"{credentials}{parts.hostname}:{port}"
            self.stdout.write(f"{scheme}://{host}{services.printer_path()}")
            return
        self.stdout.write(f"{scheme}://{parts.hostname}:{port}" + services.printer_path(token))
