"""The flow for one input: ingest -> rasterize -> preprocess -> OCR -> repair -> structure -> outputs.

Each stage is a plain function from one data type to the next; this module
only composes them. `.txt` inputs skip the image stages and enter at repair.
"""

from __future__ import annotations

import logging
import platform
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, replace
from datetime import datetime, timezone
from functools import cache, partial
from pathlib import Path

import cv2
import numpy as np

from . import __version__
from .errors import InputError, failure_message
from .image import analysis, digits, ocr, poppler, preprocess, raster, stamps, tesseract, textlayer, unread
from .ingest.files import InputFile, identify, read_text
from .layout import esign, fillins, structure
from .model import Document, Line, Page, SourceInfo, Word
from .outputs import ManifestEntry, Outcome, atomic_write_bytes, output_paths, write_document
from .settings import Settings
from .text import places, repair

log = logging.getLogger(__name__)


@cache
def engine_versions() -> dict[str, str]:
    return {
        "vnocr": __version__,
        "tesseract": tesseract.tesseract_version(),
        "poppler": poppler.poppler_version(),
        "opencv": cv2.__version__,
        "python": platform.python_version(),
    }


def text_pages(text: str) -> list[Page]:
    """Text from an earlier OCR -> pages (form feeds) of lines (blank lines end paragraphs)."""
    pages = []
    count = 0
    for number, chunk in enumerate(text.replace("\r\n", "\n").replace("\r", "\n").split("\f"), start=1):
        lines: list[Line] = []
        paragraph = 1
        for raw in chunk.split("\n"):
            tokens = raw.split()
            if not tokens:
                if lines and lines[-1].paragraph == paragraph:
                    paragraph += 1
                continue
            line_id = f"p{number}-l{len(lines) + 1}"
            words = []
            for token in tokens:
                count += 1
                words.append(Word(id=f"p{number}-w{count}", ocr=token, text=token, conf=1.0, page=number, line=line_id))
            lines.append(Line(id=line_id, page=number, words=words, paragraph=paragraph))
        pages.append(Page(number=number, lines=lines))
    while len(pages) > 1 and not pages[-1].lines:
        pages.pop()
    return pages


REGION_BLOCKS = 1000  # block numbers of words OCR'd in a mixed page's images start here (the layer's are below)


def read_page(page: raster.RasterPage, settings: Settings) -> tuple[Page, np.ndarray]:
    """One page: from its text layer when that was judged usable, else OCR'd (or left unread with
    `--ocr never`); the page and the image (for people) its boxes refer to."""
    decision = page.layer.record() if page.layer is not None else None
    if page.how == "text-layer":
        result, image = layer_page(page, settings)
    elif settings.ocr == "never":
        why = page.layer.reason if page.layer is not None else "an image file"
        result = Page(number=page.number, lines=[], warnings=[f"not read: {why}, and OCR is off (--ocr never)"])
        image = np.asarray(page.image, dtype=np.uint8)
    else:
        result, image = ocr_page(page, settings)
    if decision is not None:
        result.text_layer = {**result.text_layer, "decision": decision}
    return result, image


def layer_page(page: raster.RasterPage, settings: Settings) -> tuple[Page, np.ndarray]:
    """A born-digital page: the words of its text layer (confidence 1, never repaired), and the
    pasted images of a mixed page OCR'd and merged in reading order."""
    start = time.perf_counter()
    assert page.layer is not None
    words = textlayer.ocr_words(page.layer.lines, page.scale)
    for number, ((x0, y0, x1, y1), part) in enumerate(page.regions, start=1):
        pixels = analysis.grey(np.asarray(part, dtype=np.uint8))
        shrink = (x1 - x0) / max(part.width, 1)
        for word in tesseract.run_tesseract(pixels, settings.lang, settings.psm, settings.dpi, settings.page_timeout):
            box = (x0 + round(word.box[0] * shrink), y0 + round(word.box[1] * shrink),
                   x0 + round(word.box[2] * shrink), y0 + round(word.box[3] * shrink))
            words.append(tesseract.OcrWord(word.text, word.conf, box, (REGION_BLOCKS * number + word.key[0], *word.key[1:])))
    lines = ocr.page_lines(words, page.number)
    for line in lines:
        if line.block < REGION_BLOCKS:
            for word in line.words:
                word.source = "text-layer"
    view = np.asarray(page.image, dtype=np.uint8)
    record = esign.text_layer(page.text_layer, page.number, 1.0, False)
    record.pop("text", None)  # the words hold it
    if page.layer.encoding:
        record["encoding"] = page.layer.encoding
    result = Page(
        number=page.number, lines=lines, width=int(view.shape[1]), height=int(view.shape[0]), dpi=page.dpi,
        preprocess={"raster": page.how}, text_layer=record,
    )
    result.seconds = round(time.perf_counter() - start, 3)
    return result, view


def ocr_page(page: raster.RasterPage, settings: Settings) -> tuple[Page, np.ndarray]:
    """Analyse, preprocess and OCR one page image; the page and the image (for people) its boxes refer to.

    A page whose words are few of them syllables (`ocr.syllable_share`) may have been scanned on its side or upside
    down: where Tesseract's orientation detection finds a turn that sets it upright, the page is turned and read
    again, and the reading with more syllables is kept (`preprocess.turned` records the turn)."""
    result, view = _ocr_page(page, settings)
    share = ocr.syllable_share(result.lines)
    if share is None or share >= ocr.UPRIGHT_SHARE:
        return result, view
    turn = tesseract.turn_upright(analysis.grey(np.asarray(page.image, dtype=np.uint8)), page.dpi, settings.page_timeout)
    if not turn:
        return result, view
    turned, turned_view = _ocr_page(replace(page, image=page.image.rotate(-turn, expand=True), text_layer=[]), settings)
    if (ocr.syllable_share(turned.lines) or 0.0) <= share:
        return result, view
    turned.preprocess["turned"] = turn
    turned.seconds = round(turned.seconds + result.seconds, 3)
    return turned, turned_view


def _ocr_page(page: raster.RasterPage, settings: Settings) -> tuple[Page, np.ndarray]:
    """One page image as it lies, analysed, preprocessed and read. A colour page is read with its seals and
    coloured ink dropped out; the image kept for people is in colour and shows them."""
    start = time.perf_counter()
    pixels = np.asarray(page.image, dtype=np.uint8)
    gray = analysis.grey(pixels)
    outline = analysis.page_outline(gray)
    if outline is not None:  # a photo of the page: the sheet straightened; the file's dpi was the camera's
        pixels = analysis.straighten(pixels, outline)
        gray = analysis.grey(pixels)
    found = analysis.analyze(pixels, page.dpi if page.stated and outline is None else None, outline, gray)
    dropped = analysis.dropout(pixels) if pixels.ndim == 3 and found.kind in ("colour", "photo") else None
    prepared = preprocess.preprocess(
        gray if dropped is None else dropped, settings.preprocess, page=found, view=None if dropped is None else pixels
    )
    prepared_at = time.perf_counter()
    words, thresholds = tesseract.read_page(
        prepared.image, settings.lang, settings.psm, prepared.dpi, settings.page_timeout, both_ways=prepared.read_both_ways
    )
    if thresholds:
        prepared.info["thresholds"] = thresholds
    words = unread.reread(prepared.image, words, prepared.dpi, settings.lang, settings.page_timeout)
    words = unread.skipped_lines(prepared.image, words, prepared.dpi, settings.lang, settings.page_timeout)
    words = unread.whole_names(prepared.image, words, prepared.dpi, settings.lang, settings.page_timeout)
    words = unread.signer_below(prepared.image, words, prepared.dpi, settings.lang, settings.page_timeout)
    words, received = stamps.received(prepared.image, words, prepared.dpi)
    lines = ocr.page_lines(words, page.number)
    blanks = fillins.slots(lines, prepared.view.shape[0])
    grey = analysis.grey(prepared.view) if blanks else None
    for slot in blanks:
        reading = digits.read(grey, slot.bbox, slot.room, partial(fillins.valid, slot.field), slot.loose_end)
        fillins.fill(slot, reading.digits, reading.conf, reading.others)
    scale = prepared.info.get("scale", 1)
    result = Page(
        number=page.number,
        lines=lines,
        width=int(prepared.view.shape[1]),
        height=int(prepared.view.shape[0]),
        dpi=prepared.dpi,
        preprocess={**prepared.info, "raster": page.how},
        seals=[{**seal, "bbox": [round(v * scale) for v in seal["bbox"]]} for seal in found.seals],
        stamps=received,
        text_layer=esign.text_layer(page.text_layer, page.number, scale, page.how == "extracted"),
        warnings=ocr.page_warnings(words, prepared.image),
    )
    result.seconds = round(time.perf_counter() - start, 3)
    result.timings = {"preprocess": round(prepared_at - start, 3), "ocr": round(time.perf_counter() - prepared_at, 3)}
    return result, prepared.view


def ocr_pages(
    raster_pages: Iterable[raster.RasterPage],
    settings: Settings,
    images_dir: Path | None = None,
    progress: Callable[[int], None] | None = None,
) -> list[Page]:
    """OCR page images in turn, keeping each page image for review; `progress(number)` after each page."""
    pages = []
    mark = time.perf_counter()  # raster time: waiting for the next page image
    for raster_page in raster_pages:
        rastered = round(time.perf_counter() - mark, 3)
        page, image = read_page(raster_page, settings)
        page.timings = {"raster": rastered, **page.timings}
        if images_dir is not None:
            name = f"p{page.number:03d}.jpg"
            pixels = cv2.cvtColor(image, cv2.COLOR_RGB2BGR) if image.ndim == 3 else image
            ok, encoded = cv2.imencode(".jpg", pixels, [cv2.IMWRITE_JPEG_QUALITY, 85])
            if ok:
                atomic_write_bytes(images_dir / name, encoded.tobytes())
                page.image = f"{images_dir.name}/{name}"
        pages.append(page)
        if progress is not None:
            progress(page.number)
        mark = time.perf_counter()
    return pages


def read_document(
    path: Path, settings: Settings, images_dir: Path | None = None, progress: Callable[[int], None] | None = None
) -> Document:
    """Everything up to (and including) repair and structure for one input file; nothing written but page images."""
    source = identify(path)
    if source.kind == "text":
        text, source.encoding = read_text(path)
        pages = text_pages(text)
    else:
        pages = ocr_pages(raster.pages(path, source.kind, settings.dpi, settings.page_timeout, settings.ocr), settings, images_dir, progress)
    return assemble_document(source, pages, settings)


def assemble_document(source: SourceInfo, pages: list[Page], settings: Settings) -> Document:
    """Pages read from one input -> the repaired, structured document."""
    source.pages = len(pages)
    doc = Document(
        source=source,
        pages=pages,
        engine=engine_versions() if source.kind != "text" else {"vnocr": __version__},
        settings={**asdict(settings), "preprocess": list(settings.preprocess), "key": settings.key()},
        created=datetime.now(timezone.utc).isoformat(timespec="seconds"),
    )
    start = time.perf_counter()
    if settings.repair:
        doc = places.restore_document(repair.repair_document(doc, tone_style=settings.tone_style))
    for word in (w for page in pages if page.warnings for line in page.lines for w in line.words):
        word.flag = True  # a page hardly read: every word goes to the clerks
    repaired = time.perf_counter()
    doc = structure.structure_document(doc)
    doc.timings = {"repair": round(repaired - start, 3), "structure": round(time.perf_counter() - repaired, 3)}
    return doc


def process_file(
    item: InputFile,
    out_dir: Path,
    settings: Settings,
    pages: list[Page] | None = None,
    progress: Callable[[int], None] | None = None,
) -> Outcome:
    """Read one input and write `OUT/<stem>.json` and `.txt`; errors become a manifest entry, never an exception.

    `pages`: the input's pages already OCRed (a large PDF whose pages were spread over workers).
    `progress(number)` is called after each page is OCRed.
    """
    start = time.perf_counter()
    json_path, images_dir = output_paths(item, out_dir, settings)
    try:
        if pages is None:
            doc = read_document(item.path, settings, images_dir, progress)
        else:
            doc = assemble_document(identify(item.path), pages, settings)
        write_document(doc, json_path, validate=False)
    except Exception as exc:  # noqa: BLE001 - one bad file never stops the batch
        if not isinstance(exc, InputError):
            log.exception("%s: unexpected failure", item.path)
        return Outcome(ManifestEntry(str(item.path), None, "error", failure_message(exc), 0, round(time.perf_counter() - start, 3)))
    words = doc.words()
    return Outcome(
        ManifestEntry(
            input=str(item.path),
            output=str(json_path.relative_to(out_dir)),
            status="ok",
            error=None,
            pages=len(doc.pages),
            seconds=round(time.perf_counter() - start, 3),
            sha256=doc.source.sha256,
            settings=settings.key(),
            warnings=[f"page {p.number}: {w}" for p in doc.pages for w in p.warnings] or None,
        ),
        words=len(words),
        low_conf=sum(1 for w in words if w.flag),
        conf_sum=sum(w.conf for w in words),
    )
