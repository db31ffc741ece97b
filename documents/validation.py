"""Checks of an uploaded file before anything is stored: size, real type, active content.

PDF, JPEG and PNG only, recognised by their first bytes (the name and the browser's word are
not trusted). PDFs are parsed with pikepdf and rewritten without their active content
(JavaScript, automatic actions, launchers, form submissions, remote go-tos, embedded files, XFA
forms, rich media), however the names are spelt: pikepdf decodes ``/J#61vaScript`` into
``/JavaScript``; only a PDF that cannot be parsed is refused. Images are capped in
pixels, so a small file cannot unfold into gigabytes.
"""

import hashlib
import io
import tempfile
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO

from django.conf import settings
from django.core.files import File
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.uploads import MAX_FILE_SIZE as MAX_SIZE
from portal.uploads import ensure_temp_dir

CHUNK_SIZE = 1024 * 1024
MAX_PIXELS = 40_000_000
# Keys whose whole value is active content: scripts, automatic actions, attachments, XFA forms.
ACTIVE_PDF_KEYS = {
    "/JavaScript",
    "/JS",
    "/AA",
    "/EmbeddedFiles",
    "/EF",
    "/XFA",
    "/RichMediaContent",
}
# Actions that run, open, send or fetch something; /GoTo (a page of this file) and /URI stay.
ACTIVE_ACTIONS = {
    "/JavaScript",
    "/Launch",
    "/SubmitForm",
    "/ImportData",
    "/GoToR",
    "/GoToE",
    "/RichMediaExecute",
    "/Rendition",
    "/Movie",
    "/Sound",
}
# Annotations that carry a file or a player; they are taken off the page.
ACTIVE_ANNOTATIONS = {"/FileAttachment", "/RichMedia", "/Screen", "/Movie", "/Sound", "/3D"}
_SIGNATURES = [
    (b"%PDF-", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
]


class RejectedFile(ValueError):
    """The file cannot be accepted; the message names the file and says why, in French."""


@dataclass(frozen=True)
class CheckedFile:
    """A checked file, on disk past a few hundred kB: the upload itself (an image), or the PDF
    rewritten without its active content into a temporary file of its own, deleted by
    ``close()`` (and by the system if the process dies: it has no name)."""

    file: IO[bytes]
    size: int
    content_type: str
    sha256: str
    filename: str
    # The PDF carried scripts, automatic actions, attachments...: they were removed.
    active_content_removed: bool = False
    owned: bool = field(default=False, repr=False)

    def chunks(self) -> Iterator[bytes]:
        """The file from its start, 1 MB at a time."""
        self.file.seek(0)
        while chunk := self.file.read(CHUNK_SIZE):
            yield chunk

    def as_file(self) -> File:
        """For ``storage.save``: a plain ``File`` (never moved away, read by chunks)."""
        self.file.seek(0)
        return File(self.file, name=self.filename)

    def read(self) -> bytes:
        """All of it in memory: for tests and small files only."""
        return b"".join(self.chunks())

    def close(self) -> None:
        if self.owned:
            self.file.close()


# A document's name (what the recipients see): never cut without a word, refused with this.
MAX_NAME_LENGTH = 200
NAME_TOO_LONG = gettext_lazy(
    "A document's name cannot be longer than %(limit_value)d characters (this one has "
    "%(show_value)d): shorten it."
)


def clean_filename(name: str, *, limit: int | None = MAX_NAME_LENGTH) -> str:
    """The user's file name as metadata: no folders, no control or direction characters."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(char for char in base if unicodedata.category(char)[0] != "C")
    return base.strip(" .")[:limit] or "document"


def name_too_long(name: str) -> str | None:
    """The refusal of a name longer than a document's name may be, else None."""
    if len(name) <= MAX_NAME_LENGTH:
        return None
    return str(NAME_TOO_LONG) % {"limit_value": MAX_NAME_LENGTH, "show_value": len(name)}


def check_upload(uploaded: File) -> CheckedFile:
    """Check a file from where it lies (a temporary file past 256 kB), by chunks: size, first
    bytes, SHA-256; a PDF is rewritten into a temporary file, an image is checked in place."""
    filename = clean_filename(uploaded.name or "")
    too_large = RejectedFile(_("%(name)s: the file is larger than 20 MB.") % {"name": filename})
    if uploaded.size is not None and uploaded.size > MAX_SIZE:
        raise too_large
    source: IO[bytes] = getattr(uploaded, "file", None) or uploaded
    source.seek(0)
    head = source.read(16)
    content_type = next((kind for magic, kind in _SIGNATURES if head.startswith(magic)), None)
    received, size = _sha256(source)
    if size > MAX_SIZE:
        raise too_large
    if not size:
        raise RejectedFile(_("%(name)s: the file is empty.") % {"name": filename})
    if content_type is None:
        raise RejectedFile(
            _("%(name)s: only PDF, JPEG and PNG files can be sent.") % {"name": filename}
        )
    if content_type != "application/pdf":
        _check_image(source, filename)
        return CheckedFile(source, size, content_type, received, filename)
    ensure_temp_dir()
    # Closed by CheckedFile.close(), or below on a refusal.
    rewritten = tempfile.TemporaryFile(dir=settings.FILE_UPLOAD_TEMP_DIR or None)  # noqa: SIM115
    try:
        removed = _disarm_into(source, rewritten, filename)
        sha256, size = _sha256(rewritten)
    except BaseException:
        rewritten.close()
        raise
    return CheckedFile(
        file=rewritten,
        size=size,
        content_type=content_type,
        sha256=sha256,
        filename=filename,
        active_content_removed=removed,
        owned=True,
    )


def _sha256(handle: IO[bytes]) -> tuple[str, int]:
    """The SHA-256 and the size of a file, read from its start by 1 MB chunks."""
    digest, size = hashlib.sha256(), 0
    handle.seek(0)
    while chunk := handle.read(CHUNK_SIZE):
        digest.update(chunk)
        size += len(chunk)
    return digest.hexdigest(), size


def _is_active_action(value: object) -> bool:
    import pikepdf

    if isinstance(value, pikepdf.Array):
        return any(_is_active_action(item) for item in value)
    return isinstance(value, pikepdf.Dictionary) and str(value.get("/S", "")) in ACTIVE_ACTIONS


def _disarm_object(obj: object, depth: int = 0) -> bool:
    """Remove active keys, actions and annotations from this object and the direct objects
    written inside it; True if anything was removed."""
    import pikepdf

    if depth > 50:
        raise ValueError("nesting too deep")
    removed = False
    if isinstance(obj, pikepdf.Dictionary | pikepdf.Stream):
        for key in list(obj.keys()):
            value = obj.get(key)
            if key in ACTIVE_PDF_KEYS or (
                key in ("/A", "/OpenAction", "/Next", "/PA") and _is_active_action(value)
            ):
                del obj[key]
                removed = True
        if isinstance(obj, pikepdf.Stream) and str(obj.get("/Type", "")) == "/EmbeddedFile":
            obj.write(b"")  # an attachment reached another way (a name tree, an array)
            removed = True
        if str(obj.get("/S", "")) in ACTIVE_ACTIONS:
            # An action reached another way: it becomes an action that does nothing.
            for key in list(obj.keys()):
                del obj[key]
            obj["/S"] = pikepdf.Name.GoTo
            obj["/D"] = pikepdf.Array()
            removed = True
        annotations = obj.get("/Annots")
        if isinstance(annotations, pikepdf.Array):
            kept = [
                annotation
                for annotation in annotations
                if not (
                    isinstance(annotation, pikepdf.Dictionary)
                    and str(annotation.get("/Subtype", "")) in ACTIVE_ANNOTATIONS
                )
            ]
            if len(kept) != len(annotations):
                obj["/Annots"] = pikepdf.Array(kept)
                removed = True
        children = [obj.get(key) for key in obj]
    elif isinstance(obj, pikepdf.Array):
        children = list(obj)
    else:
        return False
    for child in children:
        if isinstance(child, pikepdf.Object) and not child.is_indirect:
            removed = _disarm_object(child, depth + 1) or removed
    return removed


def disarm_pdf(content: bytes, filename: str) -> tuple[bytes, bool]:
    """``_disarm_into`` on bytes in memory: for small files and tests."""
    out = io.BytesIO()
    removed = _disarm_into(io.BytesIO(content), out, filename)
    return out.getvalue(), removed


def _disarm_into(source: IO[bytes], out: IO[bytes], filename: str) -> bool:
    """Rewrite a PDF without its active content into ``out``; refuse only what cannot be
    parsed. True if anything was removed.

    qpdf reads the source as it needs it (stream access: no mapping of the whole file) and
    writes the rewrite by streams. The rewrite writes the objects the document reaches, and
    nothing else: bytes after ``%%EOF`` (a ZIP of a polyglot) and orphan objects are gone.
    Destinations (an ``/OpenAction`` that shows a page, links inside the file) are kept.
    """
    import pikepdf

    source.seek(0)
    try:
        with pikepdf.open(source, access_mode=pikepdf.AccessMode.stream) as pdf:
            removed = _disarm_object(pdf.Root)
            names = pdf.Root.get("/Names")
            if isinstance(names, pikepdf.Dictionary):
                for key in ("/JavaScript", "/EmbeddedFiles"):
                    if key in names:
                        del names[key]
                        removed = True
            for obj in pdf.objects:
                removed = _disarm_object(obj) or removed
            pdf.remove_unreferenced_resources()
            pdf.save(
                out,
                # The same file rewritten twice gives the same bytes (no time-based /ID).
                deterministic_id=True,
                fix_metadata_version=False,
                qdf=False,
                object_stream_mode=pikepdf.ObjectStreamMode.preserve,
            )
    except (pikepdf.PdfError, ValueError, RecursionError):
        raise RejectedFile(
            _("%(name)s: this PDF is damaged or unreadable.") % {"name": filename}
        ) from None
    return removed


def check_pdf_file(path: str, filename: str) -> None:
    """A PDF on disk must be readable (the virtual printer checks a job as it arrives, without
    reading it into memory); its active content is removed when it is sent."""
    import pikepdf

    try:
        with pikepdf.open(path) as pdf:
            if len(pdf.pages) < 1:
                raise ValueError("no page")
    except (pikepdf.PdfError, ValueError):
        raise RejectedFile(
            _("%(name)s: this PDF is damaged or unreadable.") % {"name": filename}
        ) from None


def _check_image(source: IO[bytes], filename: str) -> None:
    from PIL import Image

    too_large = RejectedFile(
        _("%(name)s: the image is too large (more than 40 million pixels).") % {"name": filename}
    )
    source.seek(0)
    try:
        with Image.open(source) as image:
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise too_large
            image.verify()
    except RejectedFile:
        raise
    except Image.DecompressionBombError:
        raise too_large from None
    except Exception:
        raise RejectedFile(
            _("%(name)s: this image is damaged or unreadable.") % {"name": filename}
        ) from None
