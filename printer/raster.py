"""PWG raster (PWG 5102.4, what Windows' IPP class driver sends) to PDF, pixel for pixel.

Each page becomes one image at the resolution the client rasterised it, compressed losslessly
(Flate), on a page of the size the raster gives: rendered back at that resolution, the PDF
gives the same pixels. The raster is read line by line from a file and the PDF is written to
another, so a long job never sits whole in memory.
"""

import struct
import zlib
from typing import BinaryIO

SYNC = b"RaS2"
HEADER_SIZE = 1796
MAX_PIXELS_PER_PAGE = 200_000_000
MAX_PAGES = 500

# cupsColorSpace values -> (PDF colour space, components, white byte, decode inverted)
_COLOR_SPACES = {
    18: ("/DeviceGray", 1, 0xFF, False),  # sgray
    19: ("/DeviceRGB", 3, 0xFF, False),  # srgb
    20: ("/DeviceRGB", 3, 0xFF, False),  # adobe-rgb, shown as sRGB
    3: ("/DeviceGray", 1, 0x00, True),  # black: 1 is ink
    6: ("/DeviceCMYK", 4, 0x00, False),  # cmyk
}


class RasterError(ValueError):
    """Not a PWG raster this printer can read; the message says why."""


class _Page:
    def __init__(self, header: bytes) -> None:
        (self.x_dpi, self.y_dpi) = struct.unpack_from(">II", header, 276)
        (
            self.width,
            self.height,
            _media_type,
            self.bits_per_color,
            self.bits_per_pixel,
            self.bytes_per_line,
            self.color_order,
            self.color_space,
        ) = struct.unpack_from(">IIIIIIII", header, 372)
        if self.color_space not in _COLOR_SPACES:
            raise RasterError(f"colour space {self.color_space} is not supported")
        self.pdf_space, components, self.white, self.inverted = _COLOR_SPACES[self.color_space]
        if self.color_order != 0 or self.bits_per_color not in (1, 8):
            raise RasterError("only chunky 1- or 8-bit rasters are supported")
        if self.bits_per_pixel != self.bits_per_color * components:
            raise RasterError("the bits per pixel do not match the colour space")
        if not (self.width and self.height and self.x_dpi and self.y_dpi):
            raise RasterError("a page has no size or resolution")
        if self.width * self.height > MAX_PIXELS_PER_PAGE:
            raise RasterError("a page is too large")
        if self.bytes_per_line != (self.width * self.bits_per_pixel + 7) // 8:
            raise RasterError("the bytes per line do not match the width")
        self.pixel_bytes = max(1, self.bits_per_pixel // 8)


def _read(stream: BinaryIO, count: int) -> bytes:
    data = stream.read(count)
    if len(data) != count:
        raise RasterError("the raster ends in the middle of a page")
    return data


def _compress_page(stream: BinaryIO, page: _Page) -> bytes:
    """The page's pixels, decoded from PWG's run-length coding, compressed with Flate."""
    compressor = zlib.compressobj(6)
    chunks: list[bytes] = []
    line_bytes = page.bytes_per_line
    unit = page.pixel_bytes
    y = 0
    while y < page.height:
        repeat = _read(stream, 1)[0] + 1
        line = bytearray()
        while len(line) < line_bytes:
            count = _read(stream, 1)[0]
            if count == 128:  # the rest of the line is blank
                line += bytes([page.white]) * (line_bytes - len(line))
            elif count > 128:
                line += _read(stream, (257 - count) * unit)
            else:
                line += _read(stream, unit) * (count + 1)
        if len(line) != line_bytes:
            raise RasterError("a line is longer than the page")
        repeat = min(repeat, page.height - y)
        chunks.append(compressor.compress(bytes(line) * repeat))
        y += repeat
    chunks.append(compressor.flush())
    return b"".join(chunks)


def raster_to_pdf(source: BinaryIO, target: BinaryIO) -> int:
    """Write the PDF of the PWG raster read from ``source``; return its number of pages."""
    import pikepdf

    if source.read(4) != SYNC:
        raise RasterError("this is not a PWG raster (no RaS2 at its start)")
    pdf = pikepdf.new()
    pages = 0
    while True:
        header = source.read(HEADER_SIZE)
        if not header:
            break
        if len(header) != HEADER_SIZE:
            raise RasterError("a page header is cut short")
        pages += 1
        if pages > MAX_PAGES:
            raise RasterError("the raster has too many pages")
        page = _Page(header)
        image = pikepdf.Stream(pdf, b"")
        image.write(_compress_page(source, page), filter=pikepdf.Name.FlateDecode)
        image.Type = pikepdf.Name.XObject
        image.Subtype = pikepdf.Name.Image
        image.Width = page.width
        image.Height = page.height
        image.ColorSpace = pikepdf.Name(page.pdf_space)
        image.BitsPerComponent = page.bits_per_color
        if page.inverted:
            image.Decode = pikepdf.Array([1, 0])
        width = page.width * 72 / page.x_dpi
        height = page.height * 72 / page.y_dpi
        content = pikepdf.Stream(pdf, f"q {width:.4f} 0 0 {height:.4f} 0 0 cm /Im0 Do Q".encode())
        pdf.pages.append(
            pikepdf.Page(
                pikepdf.Dictionary(
                    Type=pikepdf.Name.Page,
                    MediaBox=[0, 0, width, height],
                    Resources=pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im0=image)),
                    Contents=content,
                )
            )
        )
    if not pages:
        raise RasterError("the raster has no page")
    pdf.save(target)
    return pages
