"""Ghostscript, run safely: PostScript from Windows' legacy printing path to PDF, and the first
page of a job as a small image for the inbox.

Ghostscript interprets a programming language sent by the client, so it runs with ``-dSAFER``
(no file access outside its arguments), in its own process with a time limit, a memory limit
and a limit on the size of what it writes. Without Ghostscript installed, PostScript is
refused and the inbox shows no thumbnail; PDF and PWG raster never need it.
"""

import resource
import shutil
import subprocess  # nosec B404

TIME_LIMIT_S = 60
MEMORY_LIMIT = 1024 * 1024 * 1024
OUTPUT_LIMIT = 100 * 1024 * 1024
# A PJL job header (ESC%-12345X@PJL ...) may precede the PostScript: skipped up to "%!PS".
PJL = b"\x1b%-12345X"
MAX_PJL_HEADER = 8192


class GhostscriptError(RuntimeError):
    """Ghostscript is missing, failed, or went past its limits."""


def available() -> bool:
    return shutil.which("gs") is not None


def _limits() -> None:  # in the child, before exec
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    resource.setrlimit(resource.RLIMIT_FSIZE, (OUTPUT_LIMIT, OUTPUT_LIMIT))
    resource.setrlimit(resource.RLIMIT_CPU, (TIME_LIMIT_S, TIME_LIMIT_S + 5))


def _run(arguments: list[str]) -> bytes:
    gs = shutil.which("gs")
    if gs is None:
        raise GhostscriptError("Ghostscript is not installed")
    try:
        result = subprocess.run(  # noqa: S603 (fixed arguments, no shell)  # nosec B603
            [gs, "-q", "-dSAFER", "-dBATCH", "-dNOPAUSE", "-dNOPROMPT", *arguments],
            capture_output=True,
            timeout=TIME_LIMIT_S,
            preexec_fn=_limits,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise GhostscriptError("Ghostscript took too long") from None
    if result.returncode != 0:
        raise GhostscriptError(result.stderr.decode(errors="replace")[-500:] or "gs failed")
    return result.stdout


def postscript_start(head: bytes) -> int | None:
    """Where the PostScript starts in these first bytes (after a PJL header), or None."""
    if head.startswith(b"%!"):
        return 0
    if head.startswith(PJL):
        found = head.find(b"%!PS", 0, MAX_PJL_HEADER)
        return found if found >= 0 else None
    return None


def postscript_to_pdf(source: str, target: str) -> None:
    _run(["-sDEVICE=pdfwrite", f"-sOutputFile={target}", "-f", source])


def first_page_png(source: str, *, dpi: int = 40) -> bytes:
    """The first page of a PDF as a PNG, small enough for a list."""
    return _run(
        [
            "-sDEVICE=png16m",
            f"-r{dpi}",
            "-dFirstPage=1",
            "-dLastPage=1",
            "-dTextAlphaBits=4",
            "-dGraphicsAlphaBits=4",
            "-sstdout=%stderr",  # its messages must not mix with the image
            "-sOutputFile=-",
            "-f",
            source,
        ]
    )
