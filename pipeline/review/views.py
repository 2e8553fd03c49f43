"""What the review page shows: a word as the client sees it, a document's line in the documents list, a word's crop."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from io import BytesIO
from typing import Any

from PIL import Image, ImageDraw

from ..model import Document, Word
from . import edits

LOW_CONF = 0.6
MAX_ALTERNATIVES = 9


def seen_of(word: Word) -> dict[str, Any]:
    """How a client saw a word: any save of the word changes one of these."""
    return {"text": word.text, "flag": word.flag, "edits": len(word.history)}


def same_as_seen(seen: Any, word: Word) -> bool:
    return isinstance(seen, dict) and seen == seen_of(word)


def needs_look(word: Word) -> bool:
    """Flagged, or read with low confidence and not checked by a clerk since."""
    return word.flag or (word.conf < LOW_CONF and word.source != "clerk")


def alternatives_of(word: Word) -> list[str]:
    out: list[str] = []
    for alt in word.alternatives:
        if isinstance(alt, str) and alt.strip() and alt not in out:
            out.append(alt)
    return out[:MAX_ALTERNATIVES]


def word_view(word: Word) -> dict[str, Any]:
    return {
        "id": word.id,
        "text": word.text,
        "ocr": word.ocr,
        "conf": round(word.conf, 3),
        "flag": word.flag,
        "low": needs_look(word),
        "alternatives": alternatives_of(word),
        "source": word.source,
        "who": word.who,
        "when": word.when,
        "page": word.page,
        "line": word.line,
        "bbox": list(word.bbox) if word.bbox else None,
        "seen": seen_of(word),
        "fill_in": word.fill_in,
    }


# --- fields of the administrative layout, read defensively (structure is still growing)


def _text_of(value: Any) -> str:
    if value is None or isinstance(value, bool):
        return ""
    if isinstance(value, str):
        return " ".join(value.split())
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, dict):
        for key in ("text", "name", "value", "raw", "iso"):
            text = _text_of(value.get(key))
            if text:
                return text
        return ""
    if isinstance(value, (list, tuple)):
        return " ".join(t for t in (_text_of(v) for v in value) if t)
    return ""


def _iso_of(value: Any) -> str:
    if isinstance(value, dict):
        value = value.get("iso")
    if isinstance(value, str) and len(value) >= 10 and value[4] == "-" and value[7] == "-" and value[:4].isdigit():
        return value[:10]
    return ""


@dataclass
class Summary:
    """One line of the documents list."""

    id: str
    name: str
    kind: str
    pages: int
    words: int
    flagged: int
    reviewed: int
    version: int
    doc_type: str = ""
    number: str = ""
    date: str = ""
    date_iso: str = ""
    issuer: str = ""
    cores: Counter = field(default_factory=Counter, repr=False)  # word (punctuation stripped) -> count, for batch fixes

    def view(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k != "cores"}


@dataclass(frozen=True)
class Fields:
    """The administrative fields the documents list shows and filters on (the Overview's links filter on the same)."""

    doc_type: str
    number: str
    date: str
    date_iso: str
    issuer: str


def fields_of(structure: Any) -> Fields:
    s = structure if isinstance(structure, dict) else {}
    return Fields(
        doc_type=_text_of(s.get("doc_type") or s.get("type"))[:80],
        number=_text_of(s.get("number"))[:80],
        date=_text_of(s.get("date"))[:80],
        date_iso=_iso_of(s.get("date")),
        issuer=_text_of(s.get("issuer"))[:160],
    )


def summarize(doc_id: str, doc: Document) -> Summary:
    words = doc.words()
    fields = fields_of(doc.structure)
    return Summary(
        id=doc_id,
        name=doc.source.name or doc_id.rsplit("/", 1)[-1],
        kind=doc.source.kind,
        pages=len(doc.pages),
        words=len(words),
        flagged=sum(1 for w in words if w.flag),
        reviewed=sum(1 for w in words if w.source == "clerk"),
        version=doc.version,
        doc_type=fields.doc_type,
        number=fields.number,
        date=fields.date,
        date_iso=fields.date_iso,
        issuer=fields.issuer,
        cores=Counter(edits.split_core(w.text)[1] for w in words),
    )


BBox = tuple[int, int, int, int]


@lru_cache(maxsize=8)
def page_image(path: str, mtime_ns: int) -> Image.Image:
    image = Image.open(path)
    image.load()
    return image.convert("RGB")


def render_crop(image: Image.Image, word: BBox, line: BBox | None) -> bytes:
    """The word's surroundings as a JPEG: its line (or a window of it) with the word highlighted."""
    lx0, ly0, lx1, ly1 = line or word
    wx0, wy0, wx1, wy1 = word
    x0, x1 = min(lx0, wx0), max(lx1, wx1)
    y0, y1 = min(ly0, wy0), max(ly1, wy1)
    h = max(y1 - y0, wy1 - wy0, 12)
    x0, x1, y0, y1 = x0 - h, x1 + h, y0 - int(0.6 * h), y1 + int(0.6 * h)
    max_w = max(30 * h, 900)
    if x1 - x0 > max_w:  # a long line: a window centred on the word
        centre = (wx0 + wx1) // 2
        x0, x1 = centre - max_w // 2, centre + max_w // 2
    W, H = image.size
    box = (max(0, x0), max(0, y0), min(W, x1), min(H, y1))
    if box[2] <= box[0] or box[3] <= box[1]:
        box = (0, 0, W, H)
    crop = image.crop(box).convert("RGBA")
    overlay = Image.new("RGBA", crop.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(overlay)
    rect = (wx0 - box[0] - 3, wy0 - box[1] - 3, wx1 - box[0] + 3, wy1 - box[1] + 3)
    draw.rectangle(rect, fill=(255, 200, 0, 70), outline=(214, 69, 0, 255), width=max(2, h // 16))
    out = Image.alpha_composite(crop, overlay).convert("RGB")
    if out.width > 1400:
        out = out.resize((1400, max(1, round(out.height * 1400 / out.width))), Image.Resampling.LANCZOS)
    buf = BytesIO()
    out.save(buf, format="JPEG", quality=85)
    return buf.getvalue()
