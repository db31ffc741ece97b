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
import unicodedata
from dataclasses import dataclass

from django.core.files import File
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

MAX_SIZE = 20 * 1024 * 1024
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
    content: bytes
    content_type: str
    sha256: str
    filename: str
    # The PDF carried scripts, automatic actions, attachments...: they were removed.
    active_content_removed: bool = False
    # The file as it was received, before a PDF's rewrite: what a repeated post repeats.
    received_sha256: str = ""


def clean_filename(name: str, *, limit: int | None = 200) -> str:
    """The user's file name as metadata: no folders, no control or direction characters."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(char for char in base if unicodedata.category(char)[0] != "C")
    return base.strip(" .")[:limit] or "document"


# A document's name (what the recipients see): never cut without a word, refused with this.
MAX_NAME_LENGTH = 200
NAME_TOO_LONG = gettext_lazy(
    "A document's name cannot be longer than %(limit_value)d characters (this one has "
    "%(show_value)d): shorten it."
)


def name_too_long(name: str) -> str | None:
    """The refusal of a name longer than a document's name may be, else None."""
    if len(name) <= MAX_NAME_LENGTH:
        return None
    return str(NAME_TOO_LONG) % {"limit_value": MAX_NAME_LENGTH, "show_value": len(name)}


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
    received_sha256 = hashlib.sha256(content).hexdigest()
    removed = False
    if content_type == "application/pdf":
        content, removed = disarm_pdf(content, filename)
    else:
        _check_image(content, filename)
    return CheckedFile(
        content=content,
        content_type=content_type,
        sha256=hashlib.sha256(content).hexdigest(),
        filename=filename,
        active_content_removed=removed,
        received_sha256=received_sha256,
    )


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
    """Rewrite a PDF without its active content; refuse only what cannot be parsed.

    The rewrite writes the objects the document reaches, and nothing else: bytes after
    ``%%EOF`` (a ZIP of a polyglot) and orphan objects are gone. Destinations (an
    ``/OpenAction`` that shows a page, links inside the file) are kept.
    """
    import pikepdf

    try:
        with pikepdf.open(io.BytesIO(content)) as pdf:
            removed = _disarm_object(pdf.Root)
            names = pdf.Root.get("/Names")
            if isinstance(names, pikepdf.Dictionary):
                for key in ("/JavaScript", "/EmbeddedFiles"):
                    if key in names:
                        del names[key]
                        removed = True
            for obj in pdf.objects:
                removed = _disarm_object(obj) or removed
            out = io.BytesIO()
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
    return out.getvalue(), removed


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
