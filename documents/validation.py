"""Checks of an uploaded file before anything is stored: size, real type, active content.

PDF, JPEG and PNG only, recognised by their first bytes (the name and the browser's word are
not trusted). PDFs are parsed with pikepdf and refused when they carry active content
(JavaScript, automatic actions, launchers, embedded files, XFA forms, rich media), however the
names are spelt: pikepdf decodes ``/J#61vaScript`` into ``/JavaScript``. Images are capped in
pixels, so a small file cannot unfold into gigabytes.
"""

import hashlib
import io
import unicodedata
from dataclasses import dataclass

from django.core.files import File
from django.utils.translation import gettext as _

MAX_SIZE = 20 * 1024 * 1024
MAX_PIXELS = 40_000_000
ACTIVE_PDF_KEYS = {
    "/JavaScript",
    "/JS",
    "/OpenAction",
    "/AA",
    "/Launch",
    "/EmbeddedFile",
    "/EmbeddedFiles",
    "/XFA",
    "/RichMedia",
}
ACTIVE_PDF_VALUES = {
    "/JavaScript",
    "/Launch",
    "/EmbeddedFile",
    "/RichMedia",
    "/RichMediaExecute",
    "/ImportData",
}
_SIGNATURES = [
    (b"%PDF-", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
]


class RejectedFile(ValueError):
    """The file cannot be accepted; the message names the file and says why, in French."""


@dataclass(frozen=True)
class CheckedFile:
    content: bytes
    content_type: str
    sha256: str
    filename: str


def clean_filename(name: str) -> str:
    """The user's file name as metadata: no folders, no control or direction characters."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(char for char in base if unicodedata.category(char)[0] != "C")
    return base.strip(" .")[:200] or "document"


def check_upload(uploaded: File) -> CheckedFile:
    filename = clean_filename(uploaded.name or "")
    if uploaded.size is not None and uploaded.size > MAX_SIZE:
        raise RejectedFile(_("%(name)s: the file is larger than 20 MB.") % {"name": filename})
    content = uploaded.read(MAX_SIZE + 1)
    if len(content) > MAX_SIZE:
        raise RejectedFile(_("%(name)s: the file is larger than 20 MB.") % {"name": filename})
    if not content:
        raise RejectedFile(_("%(name)s: the file is empty.") % {"name": filename})
    content_type = next((kind for magic, kind in _SIGNATURES if content.startswith(magic)), None)
    if content_type is None:
        raise RejectedFile(
            _("%(name)s: only PDF, JPEG and PNG files can be sent.") % {"name": filename}
        )
    if content_type == "application/pdf":
        _check_pdf(content, filename)
    else:
        _check_image(content, filename)
    return CheckedFile(
        content=content,
        content_type=content_type,
        sha256=hashlib.sha256(content).hexdigest(),
        filename=filename,
    )


def _has_active_content(obj: object, depth: int = 0) -> bool:
    """True if this object, or a dictionary or array written inside it, holds an active key."""
    import pikepdf

    if depth > 50:  # a pathological nesting is refused rather than walked for ever
        return True
    if isinstance(obj, pikepdf.Dictionary | pikepdf.Stream):
        keys = set(obj.keys())
        if ACTIVE_PDF_KEYS & keys:
            return True
        # An action or a file given by its type: /S /Launch, /Type /EmbeddedFile...
        if any(str(obj.get(key, "")) in ACTIVE_PDF_VALUES for key in ("/S", "/Type", "/Subtype")):
            return True
        children = [obj.get(key) for key in keys]
    elif isinstance(obj, pikepdf.Array):
        children = list(obj)
    else:
        return False
    # Indirect objects are visited on their own by the caller.
    return any(
        _has_active_content(child, depth + 1)
        for child in children
        if isinstance(child, pikepdf.Object) and not child.is_indirect
    )


def check_pdf_file(path: str, filename: str) -> None:
    """The PDF rules of ``check_upload`` for a PDF on disk, without reading it into memory
    (the virtual printer checks a job as it arrives)."""
    _check_pdf(path, filename)


def _check_pdf(content: bytes | str, filename: str) -> None:
    import pikepdf

    try:
        with pikepdf.open(io.BytesIO(content) if isinstance(content, bytes) else content) as pdf:
            active = _has_active_content(pdf.trailer) or any(
                _has_active_content(obj) for obj in pdf.objects
            )
    except pikepdf.PdfError:
        raise RejectedFile(
            _("%(name)s: this PDF is damaged or unreadable.") % {"name": filename}
        ) from None
    if active:
        raise RejectedFile(
            _(
                "%(name)s: the PDF contains active content (scripts, automatic actions or "
                "attachments) and was refused."
            )
            % {"name": filename}
        )


def _check_image(content: bytes, filename: str) -> None:
    from PIL import Image

    too_large = RejectedFile(
        _("%(name)s: the image is too large (more than 40 million pixels).") % {"name": filename}
    )
    try:
        with Image.open(io.BytesIO(content)) as image:
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
