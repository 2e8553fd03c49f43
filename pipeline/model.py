"""The document data model: pages -> lines -> words, from OCR to the clerk's fix.

Every word keeps what the OCR read (`ocr`), the current best text (`text`),
where it sits (`page`, `bbox`, `line`), a confidence in `text` (0..1), whether a
clerk should look (`flag`), ranked `alternatives`, and where `text` came from
(`source`: ocr | repair | clerk) with the history of earlier values.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

BBox = tuple[int, int, int, int]  # x0, y0, x1, y1 in page-image pixels


def union(boxes: list) -> Any:
    """The box around `boxes` (x0, y0, x1, y1 tuples; None entries skipped); None when there are none."""
    boxes = [b for b in boxes if b]
    if not boxes:
        return None
    return min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes)


def span_box(bbox: BBox | None, length: int, start: int, end: int) -> BBox | None:
    """The part of a word's box its characters start..end take, by their share of its `length` characters."""
    if not bbox or end <= start:
        return None
    x0, y0, x1, y1 = bbox
    width = x1 - x0
    return (x0 + round(width * start / max(1, length)), y0, x0 + round(width * end / max(1, length)), y1)


@dataclass
class Edit:
    """One earlier value of a word's text, kept when the text changes."""

    text: str
    source: str
    who: str | None = None
    when: str | None = None


@dataclass
class Word:
    id: str
    ocr: str
    text: str
    conf: float
    page: int
    line: str
    bbox: BBox | None = None
    flag: bool = False
    alternatives: list[str] = field(default_factory=list)
    source: str = "ocr"
    who: str | None = None
    when: str | None = None
    history: list[Edit] = field(default_factory=list)
    fill_in: str | None = None  # number | day | month: a handwritten fill-in of the header (layout.fillins)

    def set_text(self, text: str, source: str, who: str | None = None, when: str | None = None) -> None:
        """Replace the text, keeping the prior value in the history."""
        if text == self.text and source == self.source:
            return
        self.history.append(Edit(self.text, self.source, self.who, self.when))
        self.text, self.source, self.who, self.when = text, source, who, when

    def parted(self) -> list[Word]:
        """The word as the words its text holds: repair read one token as two (`NHANDAN` -> `NHÂN DÂN`,
        `CHỢMỚI` -> `CHỢ MỚI`). Each part takes its share of the box and of what the OCR read; the first keeps
        the id, the others get `<id>-2`, `<id>-3`; each keeps the history, its own part of the reading first."""
        parts = self.text.split()
        if len(parts) < 2:
            return [self]
        total = sum(len(part) for part in parts)
        words, done = [], 0
        for k, part in enumerate(parts):
            start, end = done, done + len(part)
            done = end
            ocr = self.ocr[round(len(self.ocr) * start / total):round(len(self.ocr) * end / total)]
            history = [Edit(ocr, edit.source, edit.who, edit.when) if i == 0 else edit for i, edit in enumerate(self.history)]
            words.append(Word(
                id=self.id if k == 0 else f"{self.id}-{k + 1}", ocr=ocr, text=part, conf=self.conf, page=self.page,
                line=self.line, bbox=span_box(self.bbox, total, start, end), flag=self.flag,
                alternatives=list(self.alternatives) if k == 0 else [], source=self.source, who=self.who,
                when=self.when, history=history, fill_in=self.fill_in,
            ))
        return words


@dataclass
class Line:
    id: str
    page: int
    words: list[Word]
    bbox: BBox | None = None
    block: int = 0
    paragraph: int = 0
    column: str = "full"  # left | right | full (two-column header and footer bands)

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words if w.text)

    @property
    def ocr_text(self) -> str:
        return " ".join(w.ocr for w in self.words)


@dataclass
class Page:
    number: int
    lines: list[Line]
    width: int | None = None
    height: int | None = None
    dpi: int | None = None
    image: str | None = None  # path of the page image relative to the document JSON
    preprocess: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0
    seals: list[dict[str, Any]] = field(default_factory=list)  # {bbox, colour}: kept out of what the OCR read
    stamps: list[dict[str, Any]] = field(default_factory=list)  # {bbox, text}: a receiving office's stamp, kept out of the text
    text_layer: dict[str, Any] = field(default_factory=dict)  # a PDF page's own text: {kind, e_signatures, text}
    warnings: list[str] = field(default_factory=list)  # a page Tesseract could hardly read (image.ocr.page_warnings)
    timings: dict[str, float] = field(default_factory=dict)  # seconds per stage: raster, preprocess, ocr


@dataclass
class SourceInfo:
    path: str
    name: str
    sha256: str
    kind: str  # pdf | tiff | png | jpeg | text
    size: int
    pages: int
    encoding: str | None = None  # a text input's: utf-8, utf-16, tcvn3, vni, viscii, utf-8+tcvn3... (ingest.files.decode_text)


@dataclass
class Document:
    source: SourceInfo
    pages: list[Page]
    engine: dict[str, str]
    settings: dict[str, Any]
    text: str = ""
    structure: dict[str, Any] = field(default_factory=dict)
    version: int = 1
    created: str = ""
    timings: dict[str, float] = field(default_factory=dict)  # seconds per document stage: repair, structure

    def lines(self) -> list[Line]:
        return [line for page in self.pages for line in page.lines]

    def words(self) -> list[Word]:
        return [w for line in self.lines() for w in line.words]

    def word(self, word_id: str) -> Word:
        for w in self.words():
            if w.id == word_id:
                return w
        raise KeyError(f"no word {word_id!r} in {self.source.name}")

    def to_dict(self) -> dict[str, Any]:
        """The document as JSON-ready data (for writing out: nested dicts are shared, not copied).

        Pages, lines and words are copied field by field: `dataclasses.asdict` deep-copies every
        value and took as long as the JSON encoding itself."""
        data = dict(vars(self))
        data["source"] = asdict(self.source)
        data["pages"] = [_page_dict(page) for page in self.pages]
        data["schema"] = SCHEMA_ID
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Document:
        pages = []
        for p in data["pages"]:
            lines = []
            for ln in p["lines"]:
                words = [
                    Word(
                        **{
                            **w,
                            "bbox": tuple(w["bbox"]) if w.get("bbox") else None,
                            "history": [Edit(**e) for e in w.get("history", [])],
                        }
                    )
                    for w in ln["words"]
                ]
                lines.append(Line(**{**ln, "words": words, "bbox": tuple(ln["bbox"]) if ln.get("bbox") else None}))
            pages.append(Page(**{**p, "lines": lines}))
        return cls(
            source=SourceInfo(**data["source"]),
            pages=pages,
            engine=data["engine"],
            settings=data["settings"],
            text=data.get("text", ""),
            structure=data.get("structure", {}),
            version=data.get("version", 1),
            created=data.get("created", ""),
            timings=data.get("timings", {}),
        )


def _word_dict(word: Word) -> dict[str, Any]:
    data = dict(vars(word))
    data["alternatives"] = list(word.alternatives)
    data["history"] = [dict(vars(edit)) for edit in word.history]
    if word.fill_in is None:  # only the header's handwritten fill-ins carry it
        del data["fill_in"]
    return data


def _page_dict(page: Page) -> dict[str, Any]:
    data = dict(vars(page))
    data["lines"] = [{**vars(line), "words": [_word_dict(w) for w in line.words]} for line in page.lines]
    return data


SCHEMA_ID = "https://vnocr.invalid/schema/document-2.json"
# schema 2: a body section's `content` holds its paragraphs and sub-sections in one ordered list
# (schema 1 had `paragraphs`, then `children`); readers accept both
SCHEMA_IDS = (SCHEMA_ID, "https://vnocr.invalid/schema/document-1.json")
