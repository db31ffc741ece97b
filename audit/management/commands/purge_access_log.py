"""Delete access-log rows past the retention period (AUDIT_RETENTION_DAYS, at least 6 months).

Health-data traces must be kept (PGSSI-S); they must not be kept for ever either. Run it from
cron or beat; it refuses a retention shorter than the legal minimum.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from audit import services


class Command(BaseCommand):
    help = "Delete access-log rows older than the retention period."

    def add_arguments(self, parser: object) -> None:
        parser.add_argument("--days", type=int, default=settings.AUDIT_RETENTION_DAYS)
        parser.add_argument("--dry-run", action="store_true", help="count, delete nothing")

    def handle(self, *args: object, days: int, dry_run: bool, **options: object) -> None:
        try:
            count = services.purge(older_than_days=days, dry_run=dry_run)
        except ValueError as error:
            raise CommandError(str(error)) from None
        verb = "would be deleted" if dry_run else "deleted"
        if options["verbosity"]:
            self.stdout.write(f"{count} access-log rows older than {days} days {verb}.")
