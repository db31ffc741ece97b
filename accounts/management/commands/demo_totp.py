"""Print the current authenticator code of a demo account, so a newcomer can log in.

The demo professionals of `make run` (seed_demo) share a published key; this command is
refused in production, and for any account whose key is not that published one.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_otp.oath import totp

from accounts import services as accounts
from accounts.models import User


class Command(BaseCommand):
    help = "Print the current authenticator code of a demo account (never in production)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email")

    def handle(self, *args: object, **options: object) -> None:
        if settings.PRODUCTION:
            raise CommandError("demo_totp is refused in production: demo keys are public.")
        user = User.objects.filter(email__iexact=str(options["email"])).first()
        device = accounts.totp_device(user) if user is not None else None
        if device is None or device.key != accounts.DEMO_TOTP_KEY:
            raise CommandError(f"{options['email']} is not a demo account of seed_demo.")
        self.stdout.write(f"{totp(device.bin_key, step=device.step, digits=device.digits):06d}")
