"""What the printer says of itself (Get-Printer-Attributes): the attributes of PRINTER.md.

ipp-1.1.test and ipp-2.0.test read these; CUPS's ``-m everywhere`` builds its queue from them
(``media-col-database``), Windows' class driver needs the ``pwg-raster-*`` ones.
"""

import time
import uuid

from django.conf import settings

from printer import ipp
from printer.services import MULTIPLE_OPERATION_TIME_OUT

MEDIA = ["iso_a4_210x297mm", "iso_a5_148x210mm", "na_letter_8.5x11in", "na_legal_8.5x14in"]
MEDIA_SIZES = {
    "iso_a4_210x297mm": (21000, 29700),
    "iso_a5_148x210mm": (14800, 21000),
    "na_letter_8.5x11in": (21590, 27940),
    "na_legal_8.5x14in": (21590, 35560),
}
RESOLUTION_DPI = 3  # units: dots per inch


def _media_col(media: str) -> list[ipp.Attribute]:
    x, y = MEDIA_SIZES[media]
    return [
        ipp.Attribute(
            "media-size",
            ipp.BEGIN_COLLECTION,
            [
                [
                    ipp.Attribute("x-dimension", ipp.INTEGER, [x]),
                    ipp.Attribute("y-dimension", ipp.INTEGER, [y]),
                ]
            ],
        ),
        ipp.Attribute("media-size-name", ipp.KEYWORD, [media]),
        ipp.Attribute("media-top-margin", ipp.INTEGER, [0]),
        ipp.Attribute("media-bottom-margin", ipp.INTEGER, [0]),
        ipp.Attribute("media-left-margin", ipp.INTEGER, [0]),
        ipp.Attribute("media-right-margin", ipp.INTEGER, [0]),
    ]


def printer_attributes(
    *,
    printer_uri: str,
    secure: bool,
    more_info: str,
    queued_jobs: int,
    operations: list[int],
    basic_auth: bool = False,
) -> list[ipp.Attribute]:
    """Every attribute the printer describes itself with, in the order ipptool reads them."""
    name = settings.PRINTER_NAME
    a = ipp.Attribute
    return [
        a("printer-uri-supported", ipp.URI, [printer_uri]),
        a("uri-security-supported", ipp.KEYWORD, ["tls" if secure else "none"]),
        a("uri-authentication-supported", ipp.KEYWORD, ["basic" if basic_auth else "none"]),
        a("printer-name", ipp.NAME, [name]),
        a("printer-info", ipp.TEXT, [f"{name} ({settings.PORTAL_NAME})"[:127]]),
        a("printer-location", ipp.TEXT, [settings.PORTAL_NAME[:127]]),
        a("printer-make-and-model", ipp.TEXT, [f"{settings.PORTAL_NAME} virtual printer"[:127]]),
        a("printer-more-info", ipp.URI, [more_info]),
        a(
            "printer-uuid",
            ipp.URI,
            [f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, printer_uri)}"],
        ),
        a("printer-state", ipp.ENUM, [3]),
        a("printer-state-reasons", ipp.KEYWORD, ["none"]),
        a("printer-state-message", ipp.TEXT, ["Ready"]),
        a("printer-is-accepting-jobs", ipp.BOOLEAN, [True]),
        a("printer-up-time", ipp.INTEGER, [int(time.time())]),
        a("queued-job-count", ipp.INTEGER, [queued_jobs]),
        a("ipp-versions-supported", ipp.KEYWORD, ["1.0", "1.1", "2.0"]),
        a("ipp-features-supported", ipp.KEYWORD, ["ipp-everywhere"]),
        a("operations-supported", ipp.ENUM, list(operations)),
        a("multiple-document-jobs-supported", ipp.BOOLEAN, [True]),
        a(
            "multiple-document-handling-default",
            ipp.KEYWORD,
            ["separate-documents-uncollated-copies"],
        ),
        a(
            "multiple-document-handling-supported",
            ipp.KEYWORD,
            ["separate-documents-uncollated-copies", "separate-documents-collated-copies"],
        ),
        a("multiple-operation-time-out", ipp.INTEGER, [MULTIPLE_OPERATION_TIME_OUT]),
        a("charset-configured", ipp.CHARSET, ["utf-8"]),
        a("charset-supported", ipp.CHARSET, ["utf-8", "us-ascii"]),
        a("natural-language-configured", ipp.LANGUAGE, ["en"]),
        a("generated-natural-language-supported", ipp.LANGUAGE, ["en"]),
        a("document-format-default", ipp.MIME_TYPE, ["application/pdf"]),
        a(
            "document-format-supported",
            ipp.MIME_TYPE,
            ["application/pdf", "image/pwg-raster", "application/octet-stream"],
        ),
        a("compression-supported", ipp.KEYWORD, ["none"]),
        a("pdl-override-supported", ipp.KEYWORD, ["attempted"]),
        a("job-k-octets-supported", ipp.RANGE, [(0, 20 * 1024)]),
        a("color-supported", ipp.BOOLEAN, [True]),
        a("pages-per-minute", ipp.INTEGER, [60]),
        a("pages-per-minute-color", ipp.INTEGER, [60]),
        a("copies-default", ipp.INTEGER, [1]),
        a("copies-supported", ipp.RANGE, [(1, 999)]),
        a("finishings-default", ipp.ENUM, [3]),
        a("finishings-supported", ipp.ENUM, [3]),
        a("job-sheets-default", ipp.KEYWORD, ["none"]),
        a("job-sheets-supported", ipp.KEYWORD, ["none"]),
        a("media-default", ipp.KEYWORD, [MEDIA[0]]),
        a("media-supported", ipp.KEYWORD, list(MEDIA)),
        a("media-ready", ipp.KEYWORD, [MEDIA[0]]),
        a("media-col-default", ipp.BEGIN_COLLECTION, [_media_col(MEDIA[0])]),
        a("media-col-ready", ipp.BEGIN_COLLECTION, [_media_col(MEDIA[0])]),
        a("media-col-database", ipp.BEGIN_COLLECTION, [_media_col(media) for media in MEDIA]),
        a(
            "media-col-supported",
            ipp.KEYWORD,
            [
                "media-size",
                "media-size-name",
                "media-top-margin",
                "media-bottom-margin",
                "media-left-margin",
                "media-right-margin",
            ],
        ),
        a(
            "media-size-supported",
            ipp.BEGIN_COLLECTION,
            [
                [a("x-dimension", ipp.INTEGER, [x]), a("y-dimension", ipp.INTEGER, [y])]
                for x, y in MEDIA_SIZES.values()
            ],
        ),
        a("media-bottom-margin-supported", ipp.INTEGER, [0]),
        a("media-left-margin-supported", ipp.INTEGER, [0]),
        a("media-right-margin-supported", ipp.INTEGER, [0]),
        a("media-top-margin-supported", ipp.INTEGER, [0]),
        a("orientation-requested-default", ipp.ENUM, [3]),
        a("orientation-requested-supported", ipp.ENUM, [3, 4, 5, 6]),
        a("output-bin-default", ipp.KEYWORD, ["face-up"]),
        a("output-bin-supported", ipp.KEYWORD, ["face-up"]),
        a("print-quality-default", ipp.ENUM, [4]),
        a("print-quality-supported", ipp.ENUM, [3, 4, 5]),
        a("printer-resolution-default", ipp.RESOLUTION, [(300, 300, RESOLUTION_DPI)]),
        a("printer-resolution-supported", ipp.RESOLUTION, [(300, 300, RESOLUTION_DPI)]),
        a("sides-default", ipp.KEYWORD, ["one-sided"]),
        a(
            "sides-supported",
            ipp.KEYWORD,
            ["one-sided", "two-sided-long-edge", "two-sided-short-edge"],
        ),
        a("print-color-mode-default", ipp.KEYWORD, ["color"]),
        a("print-color-mode-supported", ipp.KEYWORD, ["auto", "color", "monochrome"]),
        a("number-up-default", ipp.INTEGER, [1]),
        a("number-up-supported", ipp.INTEGER, [1]),
        a("pwg-raster-document-resolution-supported", ipp.RESOLUTION, [(300, 300, RESOLUTION_DPI)]),
        a("pwg-raster-document-type-supported", ipp.KEYWORD, ["black_1", "sgray_8", "srgb_8"]),
        a("pwg-raster-document-sheet-back", ipp.KEYWORD, ["normal"]),
        a("which-jobs-supported", ipp.KEYWORD, ["completed", "not-completed", "all"]),
        a("job-ids-supported", ipp.BOOLEAN, [False]),
        a(
            "printer-device-id",
            ipp.TEXT,
            [f"MFG:{settings.PORTAL_NAME};MDL:{name};CMD:PDF,PWGRaster;"],
        ),
    ]
