"""Rasterize: PDF, TIFF, PNG and JPEG inputs -> page images (grey or colour, with the resolution the file
states, if any), and for a PDF page its text layer: judged first (`textlayer.judge`), read as words
when it is the page's own text, else kept beside the scan (e-signature boxes, another engine's OCR)."""

from __future__ import annotations

import logging
import os
import warnings
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, ImageSequence
from pypdf import PdfReader
from pypdf.errors import DependencyError, PdfReadError

from ..errors import InputError
from ..settings import DEFAULT_DPI
from . import pdfium, textlayer
from .analysis import grey
from .poppler import TextBlock, render_page, text_blocks

log = logging.getLogger(__name__)

LAYER_DPI = 150  # the image of a page read from its text layer: for the clerks' eyes and the ink check
MIN_SCAN_DPI = 50  # an embedded scan this sharp or sharper is read as it is, enlarged by `preprocess` where small
TEXT_LAYER_SHARE = 1 / 3  # of the page timeout, allowed for poppler's look at a page's text layer: a hung pdftotext
# leaves the page's OCR the rest (the pool kills a page silent for its timeout and a little grace)
MAX_PIXELS = 150_000_000  # an A0 sheet at 300 DPI is 140 million pixels
Image.MAX_IMAGE_PIXELS = MAX_PIXELS


@dataclass
class RasterPage:
    number: int
    image: Image.Image  # mode "L", or "RGB" for a colour page
    dpi: int  # what the file states (DEFAULT_DPI when it states nothing usable)
    how: str  # extracted | rendered | decoded | text-layer
    stated: bool = True  # False when the file gave no usable resolution and `dpi` is the default
    text_layer: list[TextBlock] = field(default_factory=list)  # a PDF page's text, boxes in this image's pixels
    layer: textlayer.Judgement | None = None  # a PDF page's text layer judged: read it, OCR the page, or both
    regions: list[tuple[tuple[int, int, int, int], Image.Image]] = field(default_factory=list)
    # the parts of a mixed page to OCR: their box in this image's pixels, and their image at the OCR resolution

    @property
    def scale(self) -> float:
        """This image's pixels per PDF point."""
        return self.dpi / 72


def _check_pixels(width: int, height: int, what: str) -> None:
    if width * height > MAX_PIXELS:
        raise InputError(
            f"{what} is {width}x{height} pixels ({width * height / 1e6:.0f} megapixels), "
            f"more than the {MAX_PIXELS / 1e6:.0f}-megapixel limit for a sane scan"
        )


def _pixels(image: Image.Image) -> Image.Image:
    """The image as 8-bit grey ("L") or, when it has colour, "RGB"."""
    if image.mode in ("I;16", "I", "F"):
        return image.point(lambda v: v / 256).convert("L")
    if image.mode in ("1", "L", "LA"):
        return image.convert("L")
    rgb = image.convert("RGB")
    _, saturation = rgb.convert("HSV").getextrema()[1]
    return rgb if saturation > 40 else rgb.convert("L")


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


def _stated_dpi(image: Image.Image) -> int | None:
    """The resolution the image file states, when it is a plausible one."""
    dpi = image.info.get("dpi")
    try:
        value = int(round(float(dpi[0]))) if dpi else 0
    except (TypeError, ValueError):
        value = 0
    return value if 72 <= value <= 1200 else None


def image_pages(path: Path) -> Iterator[RasterPage]:
    """PNG, JPEG, and every frame of a (multi-page) TIFF."""
    image = _open_image(path)
    try:
        for number, frame in enumerate(ImageSequence.Iterator(image), start=1):
            _check_pixels(*frame.size, f"page {number}")
            try:
                frame.load()
                page = _pixels(ImageOps.exif_transpose(frame) if number == 1 else frame)
            except OSError as exc:
                raise InputError(f"page {number} cannot be decoded: {exc}") from exc
            stated = _stated_dpi(frame)
            yield RasterPage(number, page, stated or DEFAULT_DPI, "decoded", stated=stated is not None)
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
    except DependencyError as exc:
        raise InputError(f"the PDF needs a library vnocr lacks to be opened ({exc}); reinstall vnocr with its dependencies") from exc
    except (PdfReadError, ValueError, KeyError, TypeError, OSError, NotImplementedError) as exc:
        raise InputError(f"the PDF is damaged and cannot be read ({exc})") from exc


def _embedded_scan(reader: PdfReader, index: int) -> Image.Image | None:
    """The page's scanned image when the page is one scan (with, at most, small images and text drawn
    over it: e-signature boxes and their seal icons, or another engine's hidden OCR layer), else None.

    A page with text and no full-page image is rendered instead (born-digital text)."""
    page = reader.pages[index]
    try:
        images = [found.image for found in page.images if found.image is not None]
    except Exception as exc:  # noqa: BLE001 - any decoding trouble means: render instead
        log.debug("page %d: embedded images not read (%s); rendering", index + 1, exc)
        return None
    if not images:
        return None
    images.sort(key=lambda image: image.width * image.height, reverse=True)
    image = images[0]
    others = sum(other.width * other.height for other in images[1:])
    if others > 0.05 * image.width * image.height:
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


def _in_pixels(blocks: list[TextBlock], scale: float) -> list[TextBlock]:
    return [TextBlock(tuple(round(v * scale) for v in block.bbox), block.lines) for block in blocks]  # type: ignore[arg-type]


def _check_unchanged(path: Path, before: os.stat_result) -> None:
    """Poppler failing on a PDF that was deleted or rewritten since it was opened: say so (not "damaged")."""
    try:
        now = path.stat()
    except FileNotFoundError:
        raise InputError("the PDF was deleted or moved while it was being read") from None
    except OSError:
        return
    if (now.st_size, now.st_mtime_ns) != (before.st_size, before.st_mtime_ns):
        raise InputError(f"the PDF changed while it was being read ({before.st_size} bytes, then {now.st_size}); "
                         "run again once it is complete")


def pdf_pages(path: Path, dpi: int = DEFAULT_DPI, timeout: float | None = None, ocr: str = "auto") -> Iterator[RasterPage]:
    """Every page of a PDF, its text layer judged first (`ocr`: auto, always or never): born-digital
    text read from the layer (a page image rendered for the clerks, pasted images at `dpi` to OCR);
    else the embedded scan, losslessly, or the page rendered at `dpi`, for OCR."""
    try:
        before = path.stat()
    except OSError as exc:
        raise InputError(f"the PDF cannot be read ({exc.strerror or exc})") from exc
    reader = _open_pdf(path)
    count = len(reader.pages)
    if count == 0:
        raise InputError("the PDF has no pages")
    with ExitStack() as stack:
        try:
            pdf = stack.enter_context(pdfium.open_pdf(path))
        except InputError as exc:  # poppler may still render what pdfium cannot read: every page OCR'd
            log.warning("%s: its text layers are not judged: %s", path, exc)
            pdf = None
        for index in range(count):
            box = reader.pages[index].mediabox
            _check_pixels(int(float(box.width) / 72 * dpi), int(float(box.height) / 72 * dpi), f"page {index + 1}")
            layer = text_blocks(path, index + 1, None if timeout is None else timeout * TEXT_LAYER_SHARE)
            judgement, read = _judge(pdf, index, ocr)
            if read is not None:
                regions = [
                    (tuple(round(v * LAYER_DPI / 72) for v in part), pdfium.render(pdf, index, dpi, part))
                    for part in judgement.regions
                ]
                yield RasterPage(index + 1, read, LAYER_DPI, "text-layer", text_layer=_in_pixels(layer, LAYER_DPI / 72),
                                 layer=judgement, regions=regions)  # type: ignore[arg-type]
                continue
            scan = _embedded_scan(reader, index)
            scan_dpi = _stated_dpi(scan) if scan is not None else None
            if scan is not None and scan_dpi is not None and scan_dpi >= MIN_SCAN_DPI:
                image = _pixels(scan)
                yield RasterPage(index + 1, image, scan_dpi, "extracted", layer=judgement,
                                 text_layer=_in_pixels(layer, image.width / float(box.width)))
                continue
            try:
                rendered = render_page(path, index + 1, dpi, timeout)
            except InputError:
                _check_unchanged(path, before)
                raise
            yield RasterPage(index + 1, _pixels(rendered), dpi, "rendered", text_layer=_in_pixels(layer, dpi / 72), layer=judgement)


def _judge(pdf, index: int, ocr: str) -> tuple[textlayer.Judgement, Image.Image | None]:
    """Page `index`'s text layer judged, and the page image to show beside it when it is read (None: OCR the page)."""
    if ocr == "always":
        return textlayer.Judgement("ocr", "OCR asked for every page (--ocr always)"), None
    if pdf is None:
        return textlayer.Judgement("ocr", "pdfium cannot read this PDF's objects; the page is read from its image"), None
    try:
        objects = pdfium.page_objects(pdf, index)
    except InputError as exc:
        return textlayer.Judgement("ocr", f"the text layer cannot be read ({exc}); the page is read from its image"), None
    if textlayer.is_scan(objects):
        return textlayer.Judgement("ocr", "a scanned page (any text on it is drawn over the scan)",
                                   {"images": len(objects.images)}), None
    if not any(not c.space and not c.hidden for c in objects.chars):
        return textlayer.judge(objects, None, 1.0), None
    image = _pixels(pdfium.render(pdf, index, LAYER_DPI))
    judgement = textlayer.judge(objects, grey(np.asarray(image)), LAYER_DPI / 72)
    return judgement, (image if judgement.read != "ocr" else None)


def pages(path: Path, kind: str, dpi: int = DEFAULT_DPI, timeout: float | None = None, ocr: str = "auto") -> Iterator[RasterPage]:
    if kind == "pdf":
        return pdf_pages(path, dpi=dpi, timeout=timeout, ocr=ocr)
    return image_pages(path)

