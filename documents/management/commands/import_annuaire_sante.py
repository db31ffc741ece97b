"""Import the professionals directory from the Annuaire Santé extraction.

Download ``PS_LibreAcces_Personne_activite_<date>.txt`` (the "extraction en libre accès" of
annuaire.sante.fr, inside a zip) and run::

    manage.py import_annuaire_sante PS_LibreAcces_Personne_activite_202611250000.txt

Re-running it with a newer file updates the entries; ``--deactivate-missing`` (full files
only) stops offering the professionals who left it. A small sample ships in
``documents/data/`` for trying it out.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from documents.directory import DirectoryFileError, import_extraction, open_extraction


class Command(BaseCommand):
    help = "Import professionals and organisations from a PS_LibreAcces_Personne_activite file."

    def add_arguments(self, parser: object) -> None:
        parser.add_argument("path", type=Path, help="the extraction file (pipe-delimited)")
        parser.add_argument(
            "--deactivate-missing",
            action="store_true",
            help="deactivate entries absent from this file (use with a full national file only)",
        )

    def handle(
        self, *args: object, path: Path, deactivate_missing: bool, **options: object
    ) -> None:
        try:
            raw = path.open("rb")
        except OSError as error:
            raise CommandError(f"cannot read {path}: {error.strerror}") from None
        with raw:
            try:
                report = import_extraction(
                    open_extraction(raw), deactivate_missing=deactivate_missing
                )
            except DirectoryFileError as error:
                raise CommandError(f"{path}: {error}") from None
        self.stdout.write(
            f"{report.lines} lines read: {report.professionals} professionals and "
            f"{report.organisations} organisations written"
            + (f", {report.deactivated} deactivated" if deactivate_missing else "")
            + f"; {report.linked} linked to their account here"
        )
        for reason, count in sorted(report.skipped.items()):
            self.stdout.write(f"  skipped ({reason}): {count}")
