"""Rasterize: PDF, TIFF, PNG and JPEG inputs -> page images (grayscale, with their DPI)."""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps, ImageSequence
from pypdf import PdfReader
from pypdf.errors import PdfReadError

from ..errors import InputError
from ..settings import DEFAULT_DPI
from .poppler import render_page

log = logging.getLogger(__name__)

MAX_PIXELS = 150_000_000  # an A0 sheet at 300 DPI is 140 million pixels
Image.MAX_IMAGE_PIXELS = MAX_PIXELS


@dataclass
class RasterPage:
    number: int
    image: Image.Image  # mode "L"
    dpi: int
    how: str  # extracted | rendered | decoded


def _check_pixels(width: int, height: int, what: str) -> None:
    if width * height > MAX_PIXELS:
        raise InputError(
            f"{what} is {width}x{height} pixels ({width * height / 1e6:.0f} megapixels), "
            f"more than the {MAX_PIXELS / 1e6:.0f}-megapixel limit for a sane scan"
        )


def _gray(image: Image.Image) -> Image.Image:
    if image.mode in ("1", "P", "RGBA", "LA", "CMYK", "I;16", "I", "F"):
        image = image.convert("RGB") if image.mode not in ("I;16", "I", "F") else image.point(lambda v: v / 256)
    return image.convert("L")


def _open_image(path: Path) -> Image.Image:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(path)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise InputError(f"the image is too large to be a sane scan ({exc})") from exc
    except OSError as exc:
        raise InputError(f"the image cannot be decoded: {exc}") from exc
    _check_pixels(*image.size, "the image")
    return image


def _image_dpi(image: Image.Image) -> int:
    dpi = image.info.get("dpi")
    try:
        value = int(round(float(dpi[0]))) if dpi else 0
    except (TypeError, ValueError):
        value = 0
    return value if 72 <= value <= 1200 else DEFAULT_DPI


def image_pages(path: Path) -> Iterator[RasterPage]:
    """PNG, JPEG, and every frame of a (multi-page) TIFF."""
    image = _open_image(path)
    try:
        for number, frame in enumerate(ImageSequence.Iterator(image), start=1):
            _check_pixels(*frame.size, f"page {number}")
            try:
                frame.load()
                page = _gray(ImageOps.exif_transpose(frame) if number == 1 else frame)
            except OSError as exc:
                raise InputError(f"page {number} cannot be decoded: {exc}") from exc
            yield RasterPage(number, page, _image_dpi(frame), "decoded")
    finally:
        image.close()


def _open_pdf(path: Path) -> PdfReader:
    try:
        reader = PdfReader(path)
        if reader.is_encrypted and not reader.decrypt(""):
            raise InputError("the PDF is encrypted and needs a password; save an unprotected copy and try again")
        _ = len(reader.pages)
        return reader
    except InputError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError, NotImplementedError) as exc:
        raise InputError(f"the PDF is damaged and cannot be read ({exc})") from exc


def _embedded_scan(reader: PdfReader, index: int) -> Image.Image | None:
    """The page's image when the page is exactly one scanned image (and no text), else None."""
    page = reader.pages[index]
    try:
        images = list(page.images)
        if len(images) != 1 or page.extract_text().strip():
            return None
        image = images[0].image
    except Exception as exc:  # noqa: BLE001 - any decoding trouble means: render instead
        log.debug("page %d: embedded image not extracted (%s); rendering", index + 1, exc)
        return None
    if image is None:
        return None
    box = page.mediabox
    page_w, page_h = float(box.width), float(box.height)
    if page.rotation % 180:
        page_w, page_h = page_h, page_w
    rotated = page.rotation % 360
    if rotated:
        image = image.rotate(-rotated, expand=True)
    if page_w <= 0 or page_h <= 0 or abs(image.width / image.height - page_w / page_h) > 0.03:
        return None
    image.info["dpi"] = (round(image.width / (page_w / 72)),) * 2
    return image


def pdf_pages(path: Path, dpi: int = DEFAULT_DPI, timeout: float | None = None) -> Iterator[RasterPage]:
    """Every page of a PDF: its single embedded scan image, losslessly, or else rendered at `dpi`."""
    reader = _open_pdf(path)
    count = len(reader.pages)
    if count == 0:
        raise InputError("the PDF has no pages")
    for index in range(count):
        box = reader.pages[index].mediabox
        _check_pixels(int(float(box.width) / 72 * dpi), int(float(box.height) / 72 * dpi), f"page {index + 1}")
        scan = _embedded_scan(reader, index)
        if scan is not None and _image_dpi(scan) >= 150:
            yield RasterPage(index + 1, _gray(scan), _image_dpi(scan), "extracted")
            continue
        yield RasterPage(index + 1, _gray(render_page(path, index + 1, dpi, timeout)), dpi, "rendered")


def pages(path: Path, kind: str, dpi: int = DEFAULT_DPI, timeout: float | None = None) -> Iterator[RasterPage]:
    if kind == "pdf":
        return pdf_pages(path, dpi=dpi, timeout=timeout)
    return image_pages(path)

