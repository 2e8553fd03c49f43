"""Searchable PDF: each page image with an invisible text layer of the repaired text at the words' boxes.

`OUT/a/b.json` -> `DEST/a/b.pdf`. The page image is the one the word boxes refer
to (`Page.image`, a JPEG next to the JSON); each word is drawn in text render
mode 3 (invisible) in a TrueType font that covers Vietnamese, sized to its line
and stretched to its box width, so selecting, searching and `pdftotext` give
back the repaired (and clerk-corrected) text. Pages without an image are
skipped with a message; a document without any gets no PDF.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from pathlib import Path

from PIL import Image

from ..errors import ExportError
from ..model import Document, Page
from ..search.documents import document_meta
from .common import AtomicFile, ExportReport, iter_documents
from .page import line_box

log = logging.getLogger(__name__)

FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/freefont/FreeSerif.ttf",
)
_PROBE = "Đảng ủy ỦY BAN chuyển đổi số nhiệm vụ ƯƠ ươ ỹ Ỹ"


def _load_font(font: str | os.PathLike | None):
    """Register a TTF with reportlab; (font name, ascent, descent) in thousandths of the size."""
    try:
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.ttfonts import TTFont
    except ImportError as exc:  # reportlab is in the `build` extra
        raise ExportError("the PDF export needs reportlab: pip install 'vnocr[build]' (or reportlab)") from exc
    candidates = [Path(font)] if font else [Path(p) for p in FONT_CANDIDATES]
    for path in candidates:
        if not path.is_file():
            continue
        name = f"vnocr-{path.stem}"
        if name not in pdfmetrics.getRegisteredFontNames():
            face = TTFont(name, str(path))
            missing = [ch for ch in set(_PROBE) if ch != " " and ord(ch) not in face.face.charToGlyph]
            if missing:
                log.warning("%s lacks Vietnamese glyphs (%s); trying another font", path, "".join(sorted(missing)))
                continue
            pdfmetrics.registerFont(face)
        face = pdfmetrics.getFont(name).face
        return name, face.ascent, face.descent
    wanted = font or " or ".join(FONT_CANDIDATES[:2])
    raise ExportError(f"no TrueType font with Vietnamese glyphs found ({wanted}); install fonts-liberation2 or fonts-dejavu, or pass --font")


def _text_layer(canvas, page: Page, scale_x: float, scale_y: float, height_pt: float, font: tuple) -> int:
    """Draw each word invisibly at its box; the number of words drawn."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    name, ascent, descent = font
    em = (ascent - descent) / 1000 or 1.0
    drawn = 0
    for line in page.lines:
        words = [w for w in line.words if w.text and w.bbox]
        if not words:
            continue
        box = line_box(line, words)
        size = max(1.0, (box[3] - box[1]) * scale_y / em)
        baseline = height_pt - box[3] * scale_y - descent / 1000 * size
        text = canvas.beginText()
        text.setTextRenderMode(3)
        text.setFont(name, size)
        for word in words:
            x0, _, x1, _ = word.bbox
            natural = stringWidth(word.text, name, size)
            stretch = 100.0 * (x1 - x0) * scale_x / natural if natural > 0 else 100.0
            text.setHorizScale(min(1000.0, max(5.0, stretch)))
            text.setTextOrigin(x0 * scale_x, baseline)
            text.textOut(word.text)
            drawn += 1
        canvas.drawText(text)
    return drawn


def document_pdf(doc: Document, json_path: Path, target: Path, font: tuple, skipped: list[tuple[str, str]], rel: str) -> bool:
    """Write the searchable PDF of one document; False (and the reasons in `skipped`) when no page has an image."""
    from reportlab.pdfgen.canvas import Canvas

    pages = []
    for page in doc.pages:
        if not page.image:
            skipped.append((f"{rel} page {page.number}", "no page image (read from text, or processed with --no-page-images)"))
            continue
        image = json_path.parent / page.image
        if not image.is_file():
            skipped.append((f"{rel} page {page.number}", f"page image {page.image} is missing"))
            continue
        pages.append((page, image))
    if not pages:
        return False
    meta = document_meta(doc)
    with AtomicFile(target) as fh:
        canvas = Canvas(fh, pageCompression=1, initialFontName=font[0], initialFontSize=10)
        canvas.setTitle(meta.subject or doc.source.name)
        canvas.setAuthor(meta.issuer or "")
        canvas.setSubject(" ".join(t for t in (meta.doc_type, meta.number, meta.date) if t) or doc.source.name)
        canvas.setCreator("vnocr")
        canvas.setProducer(f"vnocr {doc.engine.get('vnocr', '')}".strip())
        for page, image in pages:
            with Image.open(image) as im:
                width_px, height_px = im.size
            dpi = page.dpi or 300
            width_pt, height_pt = width_px * 72 / dpi, height_px * 72 / dpi
            canvas.setPageSize((width_pt, height_pt))
            canvas.drawImage(str(image), 0, 0, width=width_pt, height=height_pt)
            # boxes are in pixels of the image the page records (its width/height), which is this image
            box_w = page.width or width_px
            box_h = page.height or height_px
            _text_layer(canvas, page, width_pt / box_w, height_pt / box_h, height_pt, font)
            canvas.showPage()
        canvas.save()
    return True


def export_pdf(out_dir: Path, dest: Path, font: str | os.PathLike | None = None,
               note: Callable[[str], None] = log.info) -> ExportReport:
    report = ExportReport()
    face = _load_font(font)
    for rel, json_path, doc in iter_documents(out_dir, report):
        target = dest / (rel[: -len(".json")] + ".pdf")
        before = len(report.skipped)
        if document_pdf(doc, json_path, target, face, report.skipped, rel):
            report.written.append(target)
        else:
            del report.skipped[before:]
            why = "no page images (read from text, or processed with --no-page-images); no PDF written"
            report.skipped.append((rel, why))
        for what, why in report.skipped[before:]:
            note(f"{what}: {why}")
    return report
