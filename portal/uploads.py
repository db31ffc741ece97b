"""Files received in a request go to temporary files as they arrive, never whole into memory.

Django keeps a request's files in memory only when the whole request is at most
``FILE_UPLOAD_MAX_MEMORY_SIZE`` (256 kB here); past that, each file is written by 64 kB chunks
to a temporary file in ``FILE_UPLOAD_TEMP_DIR`` (``VAR_DIR/uploads``), deleted when the request
ends, whatever its outcome. The handler below also stops writing a file past
``MAX_FILE_SIZE``: the rest is read from the network and dropped, its size counted, so the form
refuses it by its name ("larger than 20 MB") without a gigabyte on disk. A request larger than a
whole sending (``MAX_REQUEST_SIZE``) is refused before its body is read
(``portal.middleware.refuse_oversized_requests``). The other fields of a form are capped by
Django's ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (2.5 MB, its default).
"""

import os
from typing import Any

from django.conf import settings
from django.core.files.uploadhandler import MemoryFileUploadHandler, TemporaryFileUploadHandler

MAX_FILE_SIZE = 20 * 1024 * 1024
MAX_FILES = 10
# A sending of 10 files of 20 MB, with its form fields and the multipart boundaries.
MAX_REQUEST_SIZE = MAX_FILES * MAX_FILE_SIZE + 1024 * 1024


def ensure_temp_dir() -> None:
    """The folder of the temporary files, readable by the portal's user only."""
    if settings.FILE_UPLOAD_TEMP_DIR:
        os.makedirs(settings.FILE_UPLOAD_TEMP_DIR, mode=0o700, exist_ok=True)


# A request of at most FILE_UPLOAD_MAX_MEMORY_SIZE in all keeps its files in memory.
InMemory = MemoryFileUploadHandler


class CappedTemporaryFile(TemporaryFileUploadHandler):
    """Django's temporary-file handler that writes at most ``MAX_FILE_SIZE`` + 1 bytes per file;
    the file's ``size`` is what was sent, so a check of the size still sees it too large."""

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        ensure_temp_dir()  # removed while running (a cleaner of /tmp, an operator): made again
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        room = MAX_FILE_SIZE + 1 - self.received
        if room > 0:
            self.file.write(raw_data[:room])
        self.received += len(raw_data)

    def file_complete(self, file_size: int) -> Any:
        self.file.seek(0)
        self.file.size = self.received
        return self.file
