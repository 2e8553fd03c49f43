"""Born-digital PDFs, as an office's word processor exports them: a document written as plain text
(`parse`) laid out after Decree 30/2020 with reportlab, its text a real text layer.

`encode` draws the text through a legacy encoding (a pre-Unicode font's PDF, whose layer reads as
TCVN3 or VNI mojibake); `scan_box` pastes a page image of another text in the middle of the body
(a mixed page). Lines are drawn one by one on the canvas (reportlab's paragraphs would take TCVN3's
ư, byte 0xAD, for a soft hyphen). For `make eval` and the tests; never used by a run.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PIL import Image
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader, simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from .parse import parse_document

FONT_DIR = Path("/usr/share/fonts/truetype/liberation2")
FACES = {"Serif": "LiberationSerif-Regular.ttf", "Serif-Bold": "LiberationSerif-Bold.ttf", "Serif-Italic": "LiberationSerif-Italic.ttf"}
LEFT, RIGHT, TOP, BOTTOM = 30 * mm, A4[0] - 15 * mm, A4[1] - 20 * mm, 20 * mm
SIZE = 13


class _Writer:
    """A cursor down the pages of a canvas."""

    def __init__(self, path: Path, encode: Callable[[str], str]) -> None:
        for name, file in FACES.items():
            if name not in pdfmetrics.getRegisteredFontNames():
                pdfmetrics.registerFont(TTFont(name, str(FONT_DIR / file)))
        self.canvas = Canvas(str(path), pagesize=A4, invariant=True)
        self.canvas.setTitle("vnocr born-digital sample")
        self.encode = encode
        self.y = TOP

    def room(self, height: float) -> None:
        if self.y - height < BOTTOM:
            self.canvas.showPage()
            self.y = TOP

    def line(self, text: str, font: str = "Serif", size: float = SIZE, x: float = LEFT, centre: float | None = None) -> None:
        self.room(size * 1.3)
        self.y -= size * 1.3
        self.canvas.setFont(font, size)
        if centre is None:
            self.canvas.drawString(x, self.y, text)
        else:
            self.canvas.drawCentredString(centre, self.y, text)

    def centred(self, text: str, font: str, size: float, centre: float, width: float) -> None:
        """A centred line, wrapped to `width` like a title that does not fit on one line."""
        for part in simpleSplit(self.encode(text), font, size, width):
            self.line(part, font, size, centre=centre)

    def paragraph(self, text: str, indent: float = 10 * mm) -> None:
        """Wrapped to the text block (as the font draws it), first line indented."""
        first, *rest = simpleSplit(self.encode(text), "Serif", SIZE, RIGHT - LEFT - indent) or [""]
        self.line(first, x=LEFT + indent)
        for part in simpleSplit(" ".join(rest), "Serif", SIZE, RIGHT - LEFT) if rest else []:
            self.line(part)
        self.y -= SIZE * 0.4

    def columns(self, left: list[tuple[str, str]], right: list[tuple[str, str]], split: float, size: float) -> None:
        """Two centred columns side by side (the header, the recipients and signature)."""
        top = self.y
        bottoms = []
        for lines, (x0, x1) in ((left, (LEFT - 10 * mm, split)), (right, (split, RIGHT + 5 * mm))):
            self.y = top
            for text, font in lines:
                self.centred(text, font, size, (x0 + x1) / 2, x1 - x0)
            bottoms.append(self.y)
        self.y = min(bottoms)

    def picture(self, image: Image.Image) -> None:
        width = RIGHT - LEFT
        height = width * image.height / image.width
        self.room(height + SIZE)
        self.y -= height + SIZE * 0.4
        self.canvas.drawImage(ImageReader(image.convert("L")), LEFT, self.y, width, height)
        self.y -= SIZE * 0.4


def born_digital_pdf(
    text: str,
    path: Path,
    encode: Callable[[str], str] | None = None,
    scan_box: Image.Image | None = None,
) -> None:
    """Write the document `text` as a born-digital A4 PDF at `path`."""
    doc = parse_document(text)
    out = _Writer(path, encode or (lambda s: s))
    middle = A4[0] / 2
    if doc.structured:
        left = [(ln, "Serif-Bold") for ln in doc.issuer] + [(ln, "Serif") for ln in (*doc.number, *doc.vv)]
        right = [(ln, "Serif-Bold") for ln in doc.motto] + [(ln, "Serif-Italic") for ln in doc.date]
        out.columns(left, right, LEFT + 0.36 * (RIGHT - LEFT), 12)
        out.y -= 6 * mm
        for ln in doc.doc_type:
            out.centred(ln, "Serif-Bold", 14, middle, RIGHT - LEFT)
        for ln in (*doc.subject, *doc.addressee):
            out.centred(ln, "Serif-Bold", SIZE, middle, RIGHT - LEFT)
        out.y -= 4 * mm
    for k, line in enumerate(doc.body):
        if scan_box is not None and k == len(doc.body) // 2:
            out.picture(scan_box)
        out.paragraph(line)
    if doc.recipients or doc.signature:
        out.y -= 4 * mm
        out.room(SIZE * 1.3 * max(len(doc.recipients), len(doc.signature)))
        out.columns([(ln, "Serif") for ln in doc.recipients], [(ln, "Serif-Bold") for ln in doc.signature], middle, 12)
    out.canvas.save()
