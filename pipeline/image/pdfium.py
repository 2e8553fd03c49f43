"""pdfium (pypdfium2), the one module that reads a PDF page's own objects: every character of its
text layer with its box, font, colour and whether a reader sees it; the boxes of its images; and the
page, or part of it, rendered to pixels.

Poppler renders scans and finds e-signature boxes (`poppler.py`); pdfium answers what poppler's
command-line tools do not say: a character drawn invisibly (render mode 3, another engine's OCR
layer), white on white, off the page, or in a font without a Unicode map. It is a compiled library
in the wheel, so a page is read in milliseconds, without a subprocess.
"""

from __future__ import annotations

import ctypes
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as raw
from PIL import Image

from ..errors import InputError

log = logging.getLogger(__name__)

Box = tuple[float, float, float, float]  # x0, y0, x1, y1 in points from the page's top left
INVISIBLE_MODES = (3, 7)  # neither fill nor stroke (3), clip only (7)
WHITE = 245  # every channel at least this: white ink, unseen on paper


@dataclass
class Char:
    text: str
    box: Box
    font: str
    hidden: str | None = None  # invisible | white | off-page: why a reader does not see it
    unmapped: bool = False  # its font has no usable Unicode map: the text is a guess
    space: bool = False  # a space or line break, drawn or added by pdfium between words and lines
    newline: bool = False


@dataclass
class PageObjects:
    """What one PDF page holds besides its pixels: characters in content order, and images."""

    width: float  # points
    height: float
    rotation: int
    chars: list[Char] = field(default_factory=list)
    images: list[Box] = field(default_factory=list)


@contextmanager
def open_pdf(path: Path) -> Iterator[pdfium.PdfDocument]:
    """The PDF opened by pdfium; an `InputError` when it cannot be."""
    try:
        pdf = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as exc:
        raise InputError(f"the PDF cannot be read by pdfium ({exc})") from exc
    try:
        yield pdf
    finally:
        pdf.close()


def _font(textpage: pdfium.PdfTextPage, index: int) -> str:
    buffer = ctypes.create_string_buffer(128)
    flags = ctypes.c_int()
    raw.FPDFText_GetFontInfo(textpage, index, buffer, len(buffer), ctypes.byref(flags))
    return buffer.value.decode("latin-1")


def _hidden(textpage: pdfium.PdfTextPage, index: int, box: Box, width: float, height: float) -> str | None:
    obj = raw.FPDFText_GetTextObject(textpage, index)
    if obj and raw.FPDFTextObj_GetTextRenderMode(obj) in INVISIBLE_MODES:
        return "invisible"
    channels = [ctypes.c_uint() for _ in range(4)]
    if raw.FPDFText_GetFillColor(textpage, index, *(ctypes.byref(c) for c in channels)):
        r, g, b, a = (c.value for c in channels)
        if a == 0:
            return "invisible"
        if min(r, g, b) >= WHITE:
            return "white"
    cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    if not (0 <= cx <= width and 0 <= cy <= height):
        return "off-page"
    return None


def page_objects(pdf: pdfium.PdfDocument, index: int) -> PageObjects:
    """The characters and images of page `index` (from 0), boxes in points from the visible page's top left."""
    page = pdf[index]
    try:
        left, bottom, right, top = page.get_bbox()
        width, height = right - left, top - bottom
        found = PageObjects(width, height, page.get_rotation())
        textpage = page.get_textpage()
        fonts: dict[int, str] = {}
        for i in range(textpage.count_chars()):
            code = raw.FPDFText_GetUnicode(textpage, i)
            text = chr(code) if 0 < code < 0x110000 else "\ufffd"
            x0, y0, x1, y1 = textpage.get_charbox(i, loose=True)
            box = (x0 - left, top - y1, x1 - left, top - y0)
            newline = text in "\r\n"
            if newline or text.isspace():
                found.chars.append(Char(" ", box, "", space=True, newline=newline))
                continue
            obj = raw.FPDFText_GetTextObject(textpage, i)
            key = ctypes.cast(obj, ctypes.c_void_p).value or 0
            if key not in fonts:
                fonts[key] = _font(textpage, i)
            found.chars.append(Char(
                text, box, fonts[key], _hidden(textpage, i, box, width, height),
                bool(raw.FPDFText_HasUnicodeMapError(textpage, i)),
            ))
        textpage.close()
        for image in page.get_objects(filter=[raw.FPDF_PAGEOBJ_IMAGE], max_depth=3):
            x0, y0, x1, y1 = image.get_bounds()
            found.images.append((x0 - left, top - y1, x1 - left, top - y0))
        return found
    except pdfium.PdfiumError as exc:
        raise InputError(f"page {index + 1}: pdfium cannot read its objects ({exc})") from exc
    finally:
        page.close()


def render(pdf: pdfium.PdfDocument, index: int, dpi: int, box: Box | None = None) -> Image.Image:
    """Page `index` (from 0), or the part of it inside `box` (points from the top left), as an RGB image at `dpi`."""
    page = pdf[index]
    try:
        crop = (0.0, 0.0, 0.0, 0.0)
        if box is not None:
            left, bottom, right, top = page.get_bbox()
            width, height = right - left, top - bottom
            crop = (max(0.0, box[0]), max(0.0, height - box[3]), max(0.0, width - box[2]), max(0.0, box[1]))
        return page.render(scale=dpi / 72, crop=crop, rev_byteorder=True).to_pil().convert("RGB")
    except pdfium.PdfiumError as exc:
        raise InputError(f"page {index + 1}: pdfium cannot render it ({exc})") from exc
    finally:
        page.close()
