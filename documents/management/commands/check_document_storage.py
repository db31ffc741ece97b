"""Compare the document rows with the files in storage, and report both kinds of mismatch.

A row whose file is missing cannot be served (the patient sees a 404); a file without a row
is health data nobody can reach nor purge. Neither should exist: a sending removes its files
when it fails. This command proves it, and can remove the orphan files once reviewed.
"""

from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand

from documents.models import Document

ROOT = "documents"


def _stored_names(folder: str = ROOT) -> set[str]:
    if not default_storage.exists(folder):
        return set()
    folders, files = default_storage.listdir(folder)
    names = {f"{folder}/{name}" for name in files}
    for child in folders:
        names |= _stored_names(f"{folder}/{child}")
    return names


class Command(BaseCommand):
    help = "Report document rows without a file and files without a row."

    def add_arguments(self, parser: object) -> None:
        parser.add_argument(
            "--delete-orphan-files", action="store_true", help="delete the files no row points to"
        )

    def handle(self, *args: object, delete_orphan_files: bool, **options: object) -> None:
        # A file the antivirus found infected is deleted; its row stays, with no file.
        names = set(Document.objects.exclude(file="").values_list("file", flat=True))
        stored = _stored_names()
        missing = sorted(names - stored)
        orphans = sorted(stored - names)
        for name in missing:
            self.stdout.write(f"missing file: {name}")
        for name in orphans:
            self.stdout.write(f"orphan file: {name}")
            if delete_orphan_files:
                default_storage.delete(name)
        self.stdout.write(
            f"{len(names)} documents, {len(missing)} missing files, {len(orphans)} orphan files"
            + (" (deleted)" if delete_orphan_files and orphans else "")
        )
        if missing:
            raise SystemExit(1)
